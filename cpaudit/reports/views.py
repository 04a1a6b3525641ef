"""Monthly report pages (authority.md § Monthly report chain): the period picker, a branch's report,
the city's overview and consolidation, frozen versions, downloads, notifications.

Views parse input, gate with cpaudit.org.access and call cpaudit.reports.services; a report outside
the user's jurisdiction is a 404 (existence is not disclosed), an action the role may not take a 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cpaudit.campaigns.models import Campaign
from cpaudit.core import clock
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.pagecache import cached_page
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access
from cpaudit.org.models import Agency
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, AgencyKind, Role

from . import services
from .document import blocks_of
from .forms import DraftForm, PeriodForm, SubmitForm, month_value, posted_seen
from .models import MonthlyReport, Notification, ReportKind, ReportStatus
from .seen import content_token
from .views_scans import scan_context

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
}
STATE_BADGES = {"on_time": "", "late": "warn", "missing": "bad", "pending": "warn"}


# --- helpers ---------------------------------------------------------------------------------------

def _campaigns(user):
    return access.scope(user, Campaign.objects.all()).order_by("-year", "slug")


def _campaign(user, slug) -> Campaign:
    return access.get_in_scope(user, Campaign.objects.all(), slug=slug)


def _default_campaign(user):
    campaigns = _campaigns(user)
    return campaigns.filter(status=Campaign.Status.ACTIVE).first() or campaigns.first()


def _agency(pk, kinds) -> Agency:
    agency = Agency.objects.select_related("division", "supervisor").filter(pk=pk, kind__in=kinds).first()
    if agency is None:
        raise Http404("没有这个单位")
    return agency


def _report(user, campaign, agency, month, kind):
    """The report: its row, or (nobody has saved a draft yet) an unsaved one rendered from the live
    content — a page never creates a row. Outside the user's jurisdiction → 404; a month or unit the
    report cannot exist for → InvalidState."""
    access.check(user, "reports.report.view")
    try:
        report = services.report_for(actor=user, campaign=campaign, agency=agency, month=month, kind=kind)
    except PermissionDenied as exc:  # the role may view reports (checked above): the unit is not its
        raise Http404("报告不存在或不在您的辖区内") from exc
    if report.pk is None:
        return report
    # Belt and braces: the row must be in the user's scope.
    return access.get_in_scope(user, MonthlyReport.objects.select_related(
        "agency", "agency__supervisor", "campaign", "prepared_by", "returned_by"), pk=report.pk)


def _unavailable(request, campaign, month, message):
    """The report cannot exist (a future month, a county outside the campaign): say so on the page."""
    return render(request, "reports/unavailable.html", {
        "campaign": campaign, "month": month, "message": message,
        "period_form": _period_form(request.user, campaign, month),
    })


def _period_form(user, campaign, month):
    return PeriodForm(initial={"campaign": campaign.slug if campaign else "", "month": month_value(month)},
                      campaigns=_campaigns(user))


def _deadline(report, campaign, month, today) -> dict:
    state = services.deadline_state(report, campaign, month, today)
    due = services.due_date(campaign, month)
    return {"due": due, "state": state, "label": services.DEADLINE_LABELS[state],
            "badge": STATE_BADGES.get(state, ""), "days": (due - today).days}


def _versions(report):
    if report.pk is None:
        return []
    return list(report.versions.select_related("submitted_by", "scan_uploaded_by").order_by("number"))


def _own(user, agency) -> bool:
    return getattr(user, "agency_id", None) == agency.pk


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _fail(request, exc) -> None:
    if isinstance(exc, ValidationError):
        messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, exc.message)


# --- the period picker -----------------------------------------------------------------------------

@domain_view
def index(request):
    """Pick a campaign and month: a branch goes to its report, a city to its overview, the province
    sees the cities' consolidations."""
    user = request.user
    access.check(user, "reports.report.view")
    campaigns = _campaigns(user)
    today = clock.today()
    if request.GET:
        form = PeriodForm(request.GET, campaigns=campaigns)
        if not form.is_valid():
            return render(request, "reports/index.html", {"form": form, "campaign": None, "invalid": True})
        campaign, month = _campaign(user, form.cleaned_data["campaign"]), form.cleaned_data["month"]
    else:
        campaign, month = _default_campaign(user), today.replace(day=1)
        form = _period_form(user, campaign, month)
    if campaign is None:
        return render(request, "reports/index.html", {"form": form, "campaign": None})
    agency = user.agency
    if agency is not None and agency.kind in BRANCH_AGENCY_KINDS:
        return redirect("reports:branch_report", campaign.slug, month_value(month), agency.pk)
    if agency is not None and agency.kind == AgencyKind.CITY:
        return redirect("reports:city_overview", campaign.slug, month_value(month), agency.pk)
    cities = []
    if agency is not None and agency.kind == AgencyKind.PROVINCE and month <= today:
        cities = _province_rows(user, campaign, month, today)
    return render(request, "reports/index.html", {"form": form, "campaign": campaign, "month": month,
                                                  "cities": cities})


def _province_rows(user, campaign, month, today):
    """The city-level agencies of the province with their consolidation's state; the 省直管县 report
    straight to the province with their own (branch) report."""
    prefix = user.agency.division_id[:2]
    agencies = list(Agency.objects.filter(kind__in=[AgencyKind.CITY, AgencyKind.DIRECT_COUNTY],
                                          division__code__startswith=prefix).order_by("division_id"))
    reports = {(r.agency_id, r.kind): r for r in access.scope(user, MonthlyReport.objects.filter(
        campaign=campaign, month=month, agency__in=agencies)).prefetch_related("versions")}
    rows = []
    for agency in agencies:
        kind = ReportKind.CITY if agency.kind == AgencyKind.CITY else ReportKind.BRANCH
        report = reports.get((agency.pk, kind))
        state = services.deadline_state(report, campaign, month, today)
        url = reverse("reports:city_overview" if kind == ReportKind.CITY else "reports:branch_report",
                      args=[campaign.slug, month_value(month), agency.pk])
        rows.append({"agency": agency, "report": report, "label": services.DEADLINE_LABELS[state],
                     "badge": STATE_BADGES.get(state, ""), "url": url,
                     "status": report.get_status_display() if report else "未编制"})
    return rows


# --- a branch's report -----------------------------------------------------------------------------

def _draft_or_submit(request, report, action):
    """The report's own unit saves its draft or submits it. Returns (done, draft_form, submit_form)."""
    if action == "save":
        form = DraftForm(request.POST, city=report.kind == ReportKind.CITY)
        return _save_draft(request, report, form), form, None
    if action == "submit":
        form = SubmitForm(request.POST, correction=bool(_versions(report)))
        return _submit(request, report, form), None, form
    if action == "withdraw":
        return _withdraw(request, report), None, None
    messages.error(request, "请选择要执行的操作")
    return False, None, None


@domain_view
@cached_page("reports.report.view")
def branch_report(request, slug, month, agency_pk):
    """The report page: status and deadline, the document preview, the free text for branch staff
    while editable, approval and submission for the branch leader, versions, downloads."""
    user = request.user
    access.check(user, "reports.report.view")
    campaign = _campaign(user, slug)
    agency = _agency(agency_pk, BRANCH_AGENCY_KINDS)
    try:
        report = _report(user, campaign, agency, month, ReportKind.BRANCH)
    except InvalidState as exc:
        if exc.code == "wrong_kind":
            raise Http404(exc.message) from exc
        return _unavailable(request, campaign, month, exc.message)
    draft_form = submit_form = None
    if request.method == "POST":
        done, draft_form, submit_form = _draft_or_submit(request, report, request.POST.get("action"))
        if done:
            return redirect(request.path)
    return render(request, "reports/branch_report.html",
                  _report_context(request, report, campaign, month, draft_form, submit_form))


def _save_draft(request, report, form) -> bool:
    access.check(request.user, "reports.report.prepare", report)
    if not form.is_valid():
        return False
    try:
        services.report_save_draft(actor=request.user, report=report, problems=form.cleaned_data["problems"],
                                   remarks=form.cleaned_data["remarks"],
                                   document_number=form.cleaned_data["document_number"])
    except ValidationError as exc:
        add_validation_errors(form, exc)
        return False
    except InvalidState as exc:
        if exc.code == "not_editable":  # submitted meanwhile: no draft form left to show the error on
            messages.error(request, exc.message)
            return True
        form.add_error(None, exc.message)
        return False
    messages.success(request, "已保存报告草稿")
    return True


def _submit(request, report, form) -> bool:
    access.check(request.user, "reports.report.submit", report)
    if report.status not in services.EDITABLE_STATES:
        # Submitted meanwhile (another leader, another tab): the posted form no longer fits (a new version
        # would need a reason) and the page no longer shows it, so its errors would be shown nowhere.
        messages.error(request, f"报告{report.get_status_display()}，不能重复报送")
        return True
    if not form.is_valid():
        return False
    try:
        version = services.report_submit(actor=request.user, report=report, reason=form.cleaned_data.get("reason", ""),
                                         seen=posted_seen(request.POST))
    except ValidationError as exc:
        # What is missing is shown next to each field in the checklist above the button (_actions.html).
        if not set(exc.message_dict) <= set(REQUIRED_LABELS):
            add_validation_errors(form, exc)
        return False
    except InvalidState as exc:
        if exc.code == "not_editable":  # submitted while this request waited for the lock: as above
            messages.error(request, exc.message)
            return True
        form.add_error(None, exc.message)
        return False
    messages.success(request, f"已审批并报送第{version.number}版")
    return True


def _withdraw(request, report) -> bool:
    access.check(request.user, "reports.report.submit", report)
    try:
        services.report_withdraw(actor=request.user, report=report)
    except InvalidState as exc:  # accepted or returned meanwhile: the page shows the new state
        messages.error(request, exc.message)
        return True
    messages.success(request, "已撤回报送，报告回到编辑中；修改后重新报送将形成新版本")
    return True


def _report_context(request, report, campaign, month, draft_form=None, submit_form=None) -> dict:
    user = request.user
    today = clock.today()
    editable = report.status in services.EDITABLE_STATES
    own = _own(user, report.agency)
    can_prepare = own and editable and access.allowed(user, "reports.report.prepare")
    can_submit = own and editable and access.allowed(user, "reports.report.submit")
    versions = _versions(report)
    if can_prepare and draft_form is None:
        draft_form = DraftForm(initial={"problems": report.problems, "remarks": report.remarks,
                                        "document_number": report.document_number},
                               city=report.kind == ReportKind.CITY)
    if can_submit and submit_form is None:
        submit_form = SubmitForm(correction=bool(versions))
    downloads = [(fmt, reverse("reports:download", args=[campaign.slug, month_value(month), report.agency_id, fmt]))
                 for fmt in FORMATS]
    content = services.content_for(report, today=today)
    return {
        "report": report, "campaign": campaign, "month": month, "agency": report.agency,
        "content": content, "blocks": blocks_of(content), "deadline": _deadline(report, campaign, month, today),
        # What the leader approves: the content shown here (seen.py); posted back with the submission.
        "seen_content": content_token(content) if can_submit else "",
        "versions": versions, "downloads": downloads,
        "draft_form": draft_form if can_prepare else None,
        "submit_form": submit_form if can_submit else None,
        "can_withdraw": own and report.status == ReportStatus.SUBMITTED and access.allowed(user, "reports.report.submit"),
        "required": _required(report) if can_submit else [],
        **scan_context(user, report, versions),
        "period_form": _period_form(user, campaign, month),
        "overview_url": _overview_url(user, report, campaign, month),
    }


REQUIRED_LABELS = {"document_number": "文号", "problems": "存在的问题"}


def _required(report) -> list[dict]:
    """What the leader submits, each with the reason it cannot be submitted yet (next to it)."""
    missing = services.required_missing(report)
    fields = ["document_number", "problems"] if report.kind == ReportKind.CITY else ["problems"]
    return [{"label": REQUIRED_LABELS[f], "value": getattr(report, f), "error": missing.get(f, "")} for f in fields]


def _overview_url(user, report, campaign, month) -> str:
    """The supervising city's overview, for the city and the province."""
    supervisor = report.agency.supervisor
    if report.kind != ReportKind.BRANCH or supervisor is None or supervisor.kind != AgencyKind.CITY:
        return ""
    if getattr(user, "role", None) not in (Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
                                           Role.PROVINCE_LEADER):
        return ""
    return reverse("reports:city_overview", args=[campaign.slug, month_value(month), supervisor.pk])


# --- notifications ---------------------------------------------------------------------------------

@domain_view
def notifications(request):
    access.check(request.user, "reports.notification.view")
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1))
    items = access.scope(request.user, Notification.objects.all()).annotate(rank=unread_first).order_by(
        "rank", "-created_at", "-pk")[:200]
    return render(request, "reports/notifications.html", {"items": items})


@domain_view
@require_POST
def notifications_read(request):
    access.check(request.user, "reports.notification.view")
    count = access.scope(request.user, Notification.objects.filter(read_at__isnull=True)).update(
        read_at=timezone.now())
    messages.success(request, f"已将{count}条通知标为已读" if count else "没有未读通知")
    return redirect("reports:notifications")


