"""The user guide: each role lands on its own guide, every guide renders, pictures are served to
signed-in users only, and the Markdown subset never passes markup through."""

import pytest
from django.urls import reverse

from cpaudit.core import guide
from cpaudit.org.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "slug"), [(Role.ENTERPRISE, "enterprise"), (Role.CONSULTANT, "enterprise"),
                                            (Role.BRANCH_LEADER, "branch"), (Role.CITY_STAFF, "city"),
                                            (Role.PROVINCE_LEADER, "city"), (Role.EXPERT, "expert"),
                                            (Role.AUDIT_ADMIN, "admin")])
def test_each_role_lands_on_its_guide(world, login, role, slug):
    page = login(world.users[role]).get(reverse("guide:index"))
    assert page.status_code == 200
    assert page.context["slug"] == slug
    assert "您的角色" in page.content.decode()


@pytest.mark.parametrize("slug", sorted(guide.GUIDES))
def test_every_guide_exists_and_its_pictures_too(world, login, slug):
    client = login(world.users[Role.BRANCH_STAFF])
    html = client.get(reverse("guide:page", args=[slug])).content.decode()
    assert "<h1>" in html and "<h2>" in html
    for name in guide._IMAGE_REF.findall((guide.GUIDE_DIR / f"{slug}.md").read_text(encoding="utf-8")):
        response = client.get(reverse("guide:image", args=[name]))
        assert response.status_code == 200, name
        assert response["Content-Type"] == "image/png"


def test_pictures_need_a_login_and_a_plain_name(world, client, login):
    assert client.get(reverse("guide:image", args=["nothing.png"])).status_code == 302  # to the login page
    client = login(world.users[Role.ENTERPRISE])
    assert client.get(reverse("guide:image", args=["nothing.png"])).status_code == 404
    assert client.get(reverse("guide:image", args=["..secret.png"])).status_code == 404
    assert client.get(reverse("guide:page", args=["nobody"])).status_code == 404


def test_the_help_link_is_on_every_page(world, login):
    html = login(world.users[Role.EXPERT]).get(reverse("home")).content.decode()
    assert f'href="{reverse("guide:index")}"' in html


def test_markdown_is_escaped_and_only_site_links_pass():
    html = guide.render_markdown("# 标题\n\n<script>x</script> **粗** [站内](/help/) [外部](http://x)\n\n"
                                 "- 一\n- 二\n\n1. 甲\n2. 乙\n\n![图](img/a-1366.png)\n![坏](img/../x.png)")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<strong>粗</strong>" in html and '<a href="/help/">站内</a>' in html and 'href="http://x"' not in html
    assert "<ul><li>一</li><li>二</li></ul>" in html and "<ol><li>甲</li><li>乙</li></ol>" in html
    assert html.count("<img") == 1 and "/help/img/a-1366.png" in html
