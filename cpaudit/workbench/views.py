"""工作台 pages: the workbench, the full list behind each section (with the steps' filters), 下一项,
催报, and the confirmation step before irreversible actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cpaudit.core.errors import InvalidState
from cpaudit.core.params import query_int
from cpaudit.core.views import domain_view
from cpaudit.org import access

from . import confirm as confirmations
from . import selectors, services
from .forms import RemindForm, StepFilterForm

PAGE_SIZE = 50


def workbench_context(user) -> dict:
    return {"sections": selectors.sections(user), "done": selectors.done(user)}


@domain_view
def index(request):
    access.check(request.user, "workbench.view")
    return render(request, "workbench/index.html", workbench_context(request.user))


@domain_view
def section(request, key):
    user = request.user
    access.check(user, "workbench.view")
    source = selectors.source_for(user, key)
    if source is None:
        raise Http404("没有这一类待办")
    form = StepFilterForm(user, request.GET or None) if "enterprise" in source.filters else None
    filters = form.cleaned_data if form is not None and form.is_valid() else {}
    rows = selectors.section_rows(user, key, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(query_int(request, "page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "workbench/section.html", {
        "source": source, "key": key, "form": form, "page": page, "query": query.urlencode(),
        "items": selectors.to_items(key, page.object_list)})


@domain_view
def next_pending(request, key):
    """下一项: the first pending item of a section (a GET: nothing is written)."""
    access.check(request.user, "workbench.view")
    if selectors.source_for(request.user, key) is None:
        raise Http404("没有这一类待办")
    item = selectors.next_item(request.user, key)
    return redirect(item.url if item else f"{reverse('workbench:index')}?clear={key}")


@require_POST
@domain_view
def remind(request):
    form = RemindForm(request.user, request.POST)
    access.check(request.user, "workbench.reminder.send")
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("workbench:index")
    data = form.cleaned_data
    try:
        n = services.branch_remind(actor=request.user, campaign=data["campaign"], month=data["month"],
                                   branch=data["branch"])
    except InvalidState as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已向{data['branch']}催报（通知{n}人）")
    return redirect(reverse("workbench:section", args=["late"]))


LABELS = {"opinion": "意见", "reason": "原因", "note": "说明", "problems": "存在问题"}


@require_POST
@domain_view
def confirm(request):
    """The confirmation page (writes nothing): what will happen, and the same fields posted on."""
    kind = request.POST.get("_confirm", "")
    target = confirmations.target_of(kind, request.POST.get("_target", ""))
    fields = [(name, value) for name in request.POST if name not in confirmations.HIDDEN
              for value in request.POST.getlist(name)]
    texts = [(LABELS[name], value) for name, value in fields if name in LABELS and value.strip()]
    return render(request, "workbench/confirm.html", {
        "confirmation": confirmations.CONFIRMATIONS[kind], "target": target, "fields": fields, "texts": texts,
        "back": _back(request, target)})


def _back(request, target: str) -> str:
    """Cancel goes back to the page the form was on (a local address only), else to the action's URL."""
    from urllib.parse import urlsplit

    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.path.startswith("/") and not referer.path.startswith("//") and referer.netloc == request.get_host():
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return target
