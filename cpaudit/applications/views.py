"""The applications a user works from (index: what awaits me, every application in scope with filters;
for the enterprise side, what each active enrolment may apply for) and one application's page.

Views read through selectors and change things only through cpaudit.applications.services; an
application outside the user's scope is a 404 (existence is not disclosed), an action the role may not
take a 403 (domain_view). The index runs a fixed number of queries whatever the number of applications
(tests/applications/test_views_index.py).
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.pagecache import cached_page
from cpaudit.core.views import domain_view
from cpaudit.org import access
from cpaudit.org.models import Division
from cpaudit.org.roles import PROVINCE_ROLES, Role
from cpaudit.security import events

from . import exports, selectors, services, views_chain
from .forms import SORTS, FilterForm
from .models import EDITABLE, FINAL, IN_CHAIN, Application, Decision, Kind, Status

AWAITING_SHOWN = 50  # the 待办 box lists this many; beyond, it says so and points to the filters
STATUS_BADGES = {Status.RETURNED: "bad", Status.FAILED: "bad", Status.PASSED: "",
                 Status.DRAFT: "", Status.RESULT_PENDING: "warn"}


def campaigns_of(user):
    return access.scope(user, Campaign.objects.all()).order_by("-year", "slug")


def badge(application) -> str:
    return STATUS_BADGES.get(application.status, "warn" if application.status in IN_CHAIN else "")


def query_without(request, *drop: str) -> str:
    query = request.GET.copy()
    for key in ("page", *drop):
        query.pop(key, None)
    return query.urlencode()


# --- the index -------------------------------------------------------------------------------------

def _filtered(user, data: dict, today, units):
    qs = selectors.applications(user)
    if data.get("q"):
        text = data["q"].strip()
        qs = qs.filter(Q(enrolment__enterprise__name__icontains=text) | Q(enrolment__enterprise__uscc__icontains=text))
    if data.get("campaign"):
        qs = qs.filter(campaign__slug=data["campaign"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    status = data.get("status")
    if status == "applied":
        qs = qs.filter(submitted_at__isnull=False)
    elif status == "drafting":
        qs = qs.filter(submitted_at__isnull=True)
    elif status == "in_review":
        qs = qs.filter(status__in=IN_CHAIN)
    elif status == "pending":
        qs = qs.filter(submitted_at__isnull=False).exclude(status__in=FINAL)
    elif status:
        qs = qs.filter(status=status)
    if data.get("county"):
        qs = qs.filter(enrolment__enterprise__county_id=data["county"])
    if data.get("city"):
        qs = qs.filter(enrolment__enterprise__county_id__in=units.get(data["city"], {}).get("counties", []))
    if data.get("management_level"):
        qs = qs.filter(enrolment__enterprise__management_level=data["management_level"])
    if data.get("late"):
        # selectors.is_late in SQL: decided after the phase's deadline (the enterprise's, an approved
        # extension moving it: selectors.applications annotates it), or undecided once it passed.
        qs = qs.annotate(due=F("effective_due")).filter(submitted_at__isnull=False).filter(Q(status__in=FINAL, result_date__gt=F("due"))
                                         | (~Q(status__in=FINAL) & Q(due__lt=today)))
    if data.get("sort") in SORTS:
        qs = qs.order_by(*SORTS[data["sort"]])
    return qs


def _todo(user):
    # Back at the branch because what its decisions relied on changed: say so in the list.
    voided = Decision.objects.filter(application=OuterRef("pk"), voided_at__isnull=False,
                                     voided_at__gte=OuterRef("submitted_at"))
    items = list(selectors.todo(user).annotate(voided=Exists(voided))[:AWAITING_SHOWN + 1])
    for application in items:
        application.action_label = views_chain.todo_label(user, application)
        application.badge = badge(application)
    return items[:AWAITING_SHOWN], len(items) > AWAITING_SHOWN


def _enrolment_rows(user):
    """The enterprise side: each active enrolment with its 评估 and 验收 (the open application, or whether
    one may be started and why not)."""
    if getattr(user, "role", None) not in (Role.ENTERPRISE, Role.CONSULTANT):
        return []
    enrolments = list(access.scope(user, Enrolment.objects.filter(campaign__status=Campaign.Status.ACTIVE))
                      .select_related("enterprise", "campaign").order_by("enterprise__name"))
    open_apps = {(a.enrolment_id, a.kind): a for a in access.scope(
        user, Application.objects.filter(enrolment__in=enrolments).exclude(status=Status.FAILED))}
    may_prepare = access.allowed(user, "applications.application.prepare")
    eligible = services.eligibility_many(enrolments)
    rows = []
    for enrolment in enrolments:
        cells = []
        for kind, label in Kind.choices:
            application = open_apps.get((enrolment.pk, kind))
            cell = {"kind": kind, "label": label, "application": application}
            if application is None:
                ok, why = eligible[(enrolment.pk, kind)]
                cell.update(ok=ok, why=why, can_start=ok and may_prepare)
            else:
                cell.update(badge=badge(application),
                            editable=application.status in EDITABLE and may_prepare)
            cells.append(cell)
        rows.append({"enrolment": enrolment, "cells": cells})
    return rows


def _list(request):
    """The list's filter form and its queryset (the page and its export show the same rows)."""
    user = request.user
    today = clock.today()
    in_scope = access.scope(user, Application.objects.all())
    counties = Division.objects.filter(code__in=in_scope.values("enrolment__enterprise__county_id")).order_by("code")
    province = getattr(user, "role", None) in PROVINCE_ROLES
    units = selectors.city_units() if province else {}
    form = FilterForm(request.GET or None, campaigns=campaigns_of(user), counties=counties,
                      cities=[u["agency"] for _, u in sorted(units.items())])
    if form.is_bound and not form.is_valid():
        qs = Application.objects.none()  # an invalid filter shows nothing, never silently everything
    else:
        qs = _filtered(user, form.cleaned_data if form.is_bound else {}, today, units)
    return form, qs, today


@domain_view
def index_export(request):
    """全部申请 as .xlsx: the same filters and order as the page, every page of it."""
    access.check(request.user, "applications.application.view")
    form, qs, today = _list(request)
    content, written = exports.export_applications(actor=request.user, queryset=qs, today=today)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events.note_read(request, rows=written, filters={k: str(v) for k, v in filters.items() if v not in (None, "")})
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"评估验收申请-{today:%Y%m%d}.xlsx")
    return response


@domain_view
@cached_page("applications.application.view")
def index(request):
    user = request.user
    access.check(user, "applications.application.view")
    form, qs, today = _list(request)
    page = Paginator(qs, settings.CPAUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    for application in page:
        application.late = selectors.is_late(application, today)
        application.badge = badge(application)
    todo, todo_more = _todo(user)
    return render(request, "applications/index.html", {
        "form": form, "page": page, "query": query_without(request), "today": today,
        "todo": todo, "todo_more": todo_more, "enrolment_rows": _enrolment_rows(user),
        "can_batch": access.allowed(user, "applications.batch.submit") and not getattr(user, "is_system", False),
        "can_summary": access.allowed(user, "applications.summary.view"),
        "is_government": getattr(user, "agency_id", None) is not None,
    })


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- one application -------------------------------------------------------------------------------

@domain_view
def detail(request, pk):
    """The form as submitted (or the draft), its route and whose turn it is, the decisions, the result,
    and the one action the user may take now."""
    user = request.user
    access.check(user, "applications.application.view")
    application = access.get_in_scope(user, Application.objects.select_related(
        "enrolment__enterprise__county", "enrolment__enterprise__industry", "enrolment__consulting_agency",
        "campaign", "organizer", "evaluation", "prepared_by"), pk=pk)
    bound = None
    if request.method == "POST":
        done, bound = views_chain.handle(request, application)
        if done:
            return redirect(request.path)
        application.refresh_from_db()
    return render(request, "applications/detail.html", views_chain.detail_context(request, application, bound))
