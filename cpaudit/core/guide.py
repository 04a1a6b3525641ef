"""The user guide (帮助): docs/guide/<role>.md rendered as a page, the help link of every page.

The guides are Markdown written for each role, with screenshots the browser journeys take
(tests/browser, docs/guide/img/). Only the small subset of Markdown they use is rendered here: headings,
paragraphs, lists, a picture on a line of its own, **bold**, `code` and [links](…); the text is escaped
first, so a guide can never put markup of its own on the page (the CSP stays strict).
"""

import re

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import escape

from cpaudit.org.roles import ADMIN_ROLES, BRANCH_ROLES, CITY_ROLES, PROVINCE_ROLES, Role

from .views import domain_view

GUIDE_DIR = settings.BASE_DIR / "docs" / "guide"
# slug → title, in the order the index lists them.
GUIDES = {
    "enterprise": "企业用户与咨询机构",
    "branch": "县（区）分局经办与负责人",
    "city": "市局与省厅",
    "expert": "评审专家",
    "admin": "系统、安全与审计管理员",
}
_IMAGE = re.compile(r"^[a-z0-9][a-z0-9_-]*\.png$")
_IMAGE_REF = re.compile(r"^!\[.*?\]\(img/([^)\s]+)\)$", re.M)  # the pictures a guide shows


def guide_for(role) -> str:
    """The guide a role reads first."""
    if role in (Role.ENTERPRISE, Role.CONSULTANT):
        return "enterprise"
    if role in BRANCH_ROLES:
        return "branch"
    if role in CITY_ROLES | PROVINCE_ROLES:
        return "city"
    if role == Role.EXPERT:
        return "expert"
    return "admin" if role in ADMIN_ROLES else "enterprise"


def _inline(text: str) -> str:
    html = escape(text)
    html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html)
    html = re.sub(r"`(.+?)`", r"<code>\1</code>", html)
    return re.sub(r"\[(.+?)\]\((/[^)\s]*)\)", r'<a href="\2">\1</a>', html)  # site-relative links only


def render_markdown(source: str) -> str:
    """The guides' Markdown subset as HTML (see the module's docstring)."""
    out, para, items, kind = [], [], [], None

    def flush():
        nonlocal kind
        if para:
            out.append(f"<p>{_inline(' '.join(para))}</p>")
            para.clear()
        if items:
            out.append(f"<{kind}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{kind}>")
            items.clear()
            kind = None

    for raw in source.splitlines():
        line = raw.strip()
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        picture = re.match(r"^!\[(.*?)\]\(img/([^)\s]+)\)$", line)
        bullet = re.match(r"^(?:([-*])|\d+\.)\s+(.*)$", line)
        if not line:
            flush()
        elif heading:
            flush()
            level = len(heading.group(1)) + 1  # the page's own h1 is the guide's title
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif picture and _IMAGE.match(picture.group(2)):
            flush()
            src = reverse("guide:image", args=[picture.group(2)])
            alt = escape(picture.group(1))
            out.append(f'<figure><a href="{src}"><img src="{src}" alt="{alt}"></a>'
                       f"<figcaption>{alt}</figcaption></figure>")
        elif bullet:
            if para:
                flush()
            wanted = "ul" if bullet.group(1) else "ol"
            if kind and kind != wanted:
                flush()
            kind = wanted
            items.append(bullet.group(2))
        elif items and raw.startswith("  "):
            items[-1] += " " + line  # a list item's continuation line
        else:
            if items:
                flush()
            para.append(line)
    flush()
    return "\n".join(out)


@domain_view
def index(request):
    """The user's own guide, with the list of the others."""
    return page(request, guide_for(request.user.role))


@domain_view
def page(request, slug):
    if slug not in GUIDES:
        raise Http404("没有这份使用指南")
    try:
        source = (GUIDE_DIR / f"{slug}.md").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Http404("使用指南文件缺失（docs/guide/）") from None
    lines = source.splitlines()
    title = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("# ") else GUIDES[slug]
    body = "\n".join(lines[1:]) if lines and lines[0].startswith("# ") else source
    return render(request, "guide/page.html", {
        "title": title, "body": render_markdown(body), "slug": slug,
        "guides": [{"slug": s, "title": t, "url": reverse("guide:page", args=[s]), "mine": s == guide_for(
            request.user.role)} for s, t in GUIDES.items()],
    })


@domain_view
def image(request, name):
    if not _IMAGE.match(name) or not (GUIDE_DIR / "img" / name).is_file():
        raise Http404("没有这张图片")
    return FileResponse((GUIDE_DIR / "img" / name).open("rb"), content_type="image/png")


app_name = "guide"
urlpatterns = [
    path("", index, name="index"),
    path("img/<str:name>", image, name="image"),
    path("<slug:slug>/", page, name="page"),
]
