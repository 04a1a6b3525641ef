"""Business actions on monthly progress reports (authority.md § Monthly report chain).

Branch staff draft (the free text: problems, remarks) → the branch leader approves and submits (a
frozen ReportVersion with its SM3 digest; a later correction is version n+1 with a reason) → city
staff of the supervising agency accept or return (with a reason). The city's consolidation is
drafted by city staff and submitted by the city leader (to the province; nobody accepts it here).

States: 编辑中 (draft) → 已报送 (submitted) → 已接收 (accepted) | 已退回 (returned). A returned report
is editable like a draft: the branch's next save sets it back to 编辑中, and it may be submitted again
(as a correction, with a reason). The city may return a submitted or an accepted report.

Each action locks the report row, checks the actor, then the state, saves and writes one log entry
in the same transaction. Log codes: reports.report.drafted (save_draft), .submitted (first version),
.corrected (version ≥ 2), .accepted, .returned. report_for only creates the empty row and logs nothing.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from cpaudit.campaigns.models import Campaign, CampaignCounty
from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.chain import document_digest
from cpaudit.core.checkpoint import write_checkpoint
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.core.logdisplay import register
from cpaudit.org import access
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.org.models import Agency, User
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, BRANCH_ROLES, AgencyKind, Role
from cpaudit.progress.services.derived import audit_start

from . import content as C
from .models import MonthlyReport, Notification, ReportKind, ReportStatus, ReportVersion

register("reports.report.drafted", "编辑月度进度报告")
register("reports.report.submitted", "审批并报送月度进度报告")
register("reports.report.corrected", "更正并重新报送月度进度报告")
register("reports.report.accepted", "接收分局月度进度报告")
register("reports.report.returned", "退回分局月度进度报告")

SUBMITTED_STATES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
EDITABLE_STATES = (ReportStatus.DRAFT, ReportStatus.RETURNED)
TEXT_FIELDS = ["problems", "remarks"]

DEADLINE_LABELS = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "missing": "逾期未报送",
    "pending": "未报送",
}
RETURNED_LABEL = "已退回"


# --- helpers ---------------------------------------------------------------------------------------

def _month(month) -> dt.date:
    if isinstance(month, str):
        return C.parse_month(month)
    return C.month_start(month)


def _lock(report) -> MonthlyReport:
    return (MonthlyReport.objects.select_for_update(of=("self",))
            .select_related("agency", "agency__supervisor", "campaign", "prepared_by").get(pk=report.pk))


def _require_own_agency(actor, agency, what: str) -> None:
    if is_system(actor):
        return
    if getattr(actor, "agency_id", None) != agency.pk:
        raise PermissionDenied(f"只有{agency}的人员可以{what}")


def _require_supervisor(actor, report) -> None:
    supervisor_id = report.agency.supervisor_id
    if is_system(actor):
        return
    if supervisor_id is None or getattr(actor, "agency_id", None) != supervisor_id:
        raise PermissionDenied(f"只有{report.agency.supervisor or '上级单位'}的经办人员可以接收或退回{report.agency}的月报")


def latest_version(report) -> ReportVersion | None:
    """The newest version (uses prefetched versions when there are)."""
    if report is None or report.pk is None:
        return None
    versions = list(report.versions.all())
    return max(versions, key=lambda v: v.number) if versions else None


# --- getting a report ------------------------------------------------------------------------------

@transaction.atomic
def report_for(*, actor, campaign: Campaign, agency: Agency, month, kind: str) -> MonthlyReport:
    """The report of (kind, campaign, agency, month), created as an empty draft when missing."""
    access.check(actor, "reports.report.view")
    month = _month(month)
    if kind == ReportKind.BRANCH and agency.kind not in BRANCH_AGENCY_KINDS:
        raise InvalidState(f"{agency}不是县级单位，没有分局月报", code="wrong_kind")
    if kind == ReportKind.CITY and agency.kind != AgencyKind.CITY:
        raise InvalidState(f"{agency}不是设区市生态环境局，没有市局汇总报告", code="wrong_kind")
    if kind not in ReportKind.values:
        raise InvalidState(f"未知的报告类型“{kind}”", code="wrong_kind")
    if not is_system(actor) and agency.pk != getattr(actor, "agency_id", None) \
            and not jurisdiction_of(actor).covers(agency.division_id):
        raise PermissionDenied(f"{agency}不在您的管理范围内，无权查看月度进度报告")
    if month > clock.today():
        raise InvalidState(f"{month.year}年{month.month}月尚未开始，不能编制进度报告", code="future_month")
    if month < C.month_start(audit_start(campaign)):
        raise InvalidState(f"{month.year}年{month.month}月早于审核批次的启动时间，没有进度报告", code="before_start")
    if kind == ReportKind.BRANCH and not CampaignCounty.objects.filter(
            campaign=campaign, county_id=agency.division_id).exists():
        raise InvalidState(f"{agency}所在县（市、区）不在审核批次「{campaign}」范围内", code="not_in_campaign")
    report, _ = MonthlyReport.objects.get_or_create(kind=kind, campaign=campaign, agency=agency, month=month)
    return report


# --- the chain -------------------------------------------------------------------------------------

@transaction.atomic
def report_save_draft(*, actor, report: MonthlyReport, problems: str, remarks: str = "") -> MonthlyReport:
    """Staff of the reporting agency edit the free text. A returned report goes back to 编辑中."""
    report = _lock(report)
    access.check(actor, "reports.report.prepare", report)
    _require_own_agency(actor, report.agency, "起草本单位的月度进度报告")
    if report.status not in EDITABLE_STATES:
        raise InvalidState(f"报告{report.get_status_display()}，不能修改；如需更正请由上级单位退回后再改",
                           code="not_editable")
    before = snapshot(report, TEXT_FIELDS + ["status"])
    report.problems, report.remarks = (problems or "").strip(), (remarks or "").strip()
    report.status = ReportStatus.DRAFT
    if not is_system(actor):
        report.prepared_by = actor
    report.save()
    log_action(actor=actor, action="reports.report.drafted", obj=report,
               changes=diff(before, snapshot(report, TEXT_FIELDS + ["status"])))
    return report


@transaction.atomic
def report_submit(*, actor, report: MonthlyReport, reason: str = "") -> ReportVersion:
    """The leader of the reporting agency approves and submits: freezes version n+1."""
    report = _lock(report)
    access.check(actor, "reports.report.submit", report)
    if is_system(actor):
        raise PermissionDenied("月度进度报告须由单位负责人本人审批报送")
    _require_own_agency(actor, report.agency, "审批报送本单位的月度进度报告")
    if report.status not in EDITABLE_STATES:
        raise InvalidState(f"报告{report.get_status_display()}，不能重复报送", code="not_editable")
    if report.prepared_by_id is not None and report.prepared_by_id == actor.pk:
        raise PermissionDenied("起草报告的经办人不能同时审批报送（职责分离）")
    if not report.problems.strip():
        raise InvalidState("请先由经办人填写“存在的问题”（没有问题时填“无”）再报送", code="problems_required")
    number = report.versions.count() + 1
    reason = (reason or "").strip()
    if number > 1 and not reason:
        raise InvalidState("更正后重新报送须填写更正原因", code="reason_required")
    today = clock.today()
    content = build_content(report, today)
    content["version"], content["submitted_by"] = number, C._person(actor)
    version = ReportVersion.objects.create(
        report=report, number=number, content=content, digest=document_digest(content),
        reason=reason if number > 1 else "", submitted_by=actor, submitted_at=clock.business_now(),
    )
    report.status, report.return_reason, report.returned_by = ReportStatus.SUBMITTED, "", None
    report.save()
    log_action(actor=actor, action="reports.report.submitted" if number == 1 else "reports.report.corrected",
               obj=report, data={"version": number, "digest": version.digest, "reason": version.reason})
    # "On every issued document": once the entry is committed (a rolled-back one must not be vouched for).
    transaction.on_commit(lambda: write_checkpoint(reason="document"))
    return version


@transaction.atomic
def report_accept(*, actor, report: MonthlyReport) -> MonthlyReport:
    report = _lock(report)
    access.check(actor, "reports.report.review", report)
    _check_reviewable(actor, report)
    if report.status != ReportStatus.SUBMITTED:
        raise InvalidState(f"报告{report.get_status_display()}，只能接收已报送的报告", code="not_submitted")
    report.status = ReportStatus.ACCEPTED
    report.save()
    version = latest_version(report)
    log_action(actor=actor, action="reports.report.accepted", obj=report,
               data={"version": version.number if version else None})
    return report


@transaction.atomic
def report_return(*, actor, report: MonthlyReport, reason: str) -> MonthlyReport:
    """Send a submitted (or accepted) report back with a reason; the branch's users are notified."""
    report = _lock(report)
    access.check(actor, "reports.report.review", report)
    _check_reviewable(actor, report)
    if report.status not in SUBMITTED_STATES:
        raise InvalidState(f"报告{report.get_status_display()}，只能退回已报送或已接收的报告", code="not_submitted")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidState("退回须填写原因", code="reason_required")
    report.status, report.return_reason = ReportStatus.RETURNED, reason
    report.returned_by = None if is_system(actor) else actor
    report.save()
    version = latest_version(report)
    number = version.number if version else 0
    text = f"{report.agency}{report.month.year}年{report.month.month}月进度报告被退回：{reason}"[:300]
    for user in User.objects.filter(agency=report.agency, role__in=sorted(BRANCH_ROLES), is_active=True):
        Notification.objects.get_or_create(user=user, key=f"returned:{report.pk}:{number}",
                                           defaults={"text": text, "link": report_link(report.campaign,
                                                                                       report.month, report.agency)})
    log_action(actor=actor, action="reports.report.returned", obj=report,
               data={"version": number, "reason": reason})
    return report


def _check_reviewable(actor, report) -> None:
    if report.kind != ReportKind.BRANCH:
        raise InvalidState("市局汇总报告报送省厅，不在本系统接收或退回", code="wrong_kind")
    _require_supervisor(actor, report)


# --- content ---------------------------------------------------------------------------------------

def build_content(report: MonthlyReport, today: dt.date) -> dict:
    """The live (or, for a past month, reconstructed) content of the report's draft."""
    if report.kind == ReportKind.CITY:
        return C.build_city(report, today, city_sections(report.agency, report.campaign, report.month, today))
    return C.build_branch(report, today)


def content_for(report: MonthlyReport, *, today: dt.date | None = None) -> dict:
    """The latest version's content when submitted/accepted (the record), else the live draft."""
    if report.status in SUBMITTED_STATES:
        version = latest_version(report)
        if version is not None:
            return version.content
    return build_content(report, today or clock.today())


def city_sections(city: Agency, campaign: Campaign, month, today: dt.date) -> list[dict]:
    """One section per supervised branch: its submitted version, else its live draft (未报送 etc.)."""
    month = _month(month)
    branches = C.supervised_branches(city, campaign)
    reports = {r.agency_id: r for r in _branch_reports(campaign, month, [b.pk for b in branches])}
    sections = []
    for branch in branches:
        report = reports.get(branch.pk)
        state = deadline_state(report, campaign, month, today)
        if report is not None and report.status in SUBMITTED_STATES and latest_version(report):
            sections.append(C.section_from(latest_version(report).content, DEADLINE_LABELS[state]))
            continue
        draft = report or MonthlyReport(kind=ReportKind.BRANCH, campaign=campaign, agency=branch, month=month)
        label = RETURNED_LABEL if report is not None and report.status == ReportStatus.RETURNED \
            else DEADLINE_LABELS[state]
        sections.append(C.section_from(C.build_branch(draft, today), label))
    return sections


def _branch_reports(campaign, month, agency_ids):
    return (MonthlyReport.objects.filter(kind=ReportKind.BRANCH, campaign=campaign, month=month,
                                         agency_id__in=agency_ids)
            .select_related("agency", "agency__supervisor", "campaign", "prepared_by")
            .prefetch_related(Prefetch("versions", queryset=ReportVersion.objects.order_by("number"))))


# --- deadlines -------------------------------------------------------------------------------------

def due_date(campaign: Campaign, month) -> dt.date:
    month = _month(month)
    return campaign.report_due_date(month.year, month.month)


def deadline_state(report: MonthlyReport | None, campaign: Campaign, month, today: dt.date) -> str:
    """on_time / late, judged by the FIRST submission's day: a later send-back and correction does not
    rewrite whether the branch reported in time; else missing (past the due date) or pending."""
    due = due_date(campaign, month)
    if report is not None and report.pk is not None:
        versions = list(report.versions.all())
        if versions:
            first = min(versions, key=lambda v: v.number)
            return "on_time" if timezone.localdate(first.submitted_at) <= due else "late"
    return "missing" if today > due else "pending"


@dataclass
class OverviewRow:
    agency: Agency
    report: MonthlyReport | None
    state: str
    label: str
    submitted_at: dt.datetime | None
    versions: int
    returned: bool


def city_overview(*, actor, campaign: Campaign, month, today: dt.date | None = None,
                  agency: Agency | None = None) -> list[OverviewRow]:
    """Every branch a city-level agency supervises (the actor's own, or — for the province — the one
    given), with its report's deadline state. Three queries."""
    access.check(actor, "reports.report.view")
    own = getattr(actor, "agency", None)
    if agency is None:
        agency = own
    elif own is None or (agency.pk != own.pk and own.kind != AgencyKind.PROVINCE):
        raise PermissionDenied("只能查看本单位所辖分局的月报报送情况")
    elif own.kind == AgencyKind.PROVINCE and not jurisdiction_of(actor).covers(_first_county(agency)):
        raise PermissionDenied("该单位不在您的辖区内")
    if agency is None or agency.kind in BRANCH_AGENCY_KINDS:
        raise PermissionDenied("只有市局（或省厅）人员可以查看各分局月报报送情况")
    month, today = _month(month), today or clock.today()
    kinds = [AgencyKind.COUNTY] if agency.kind == AgencyKind.CITY else list(BRANCH_AGENCY_KINDS)
    branches = list(Agency.objects.filter(
        supervisor=agency, kind__in=kinds,
        division_id__in=CampaignCounty.objects.filter(campaign=campaign).values("county_id"),
    ).order_by("division_id", "pk"))
    reports = {r.agency_id: r for r in _branch_reports(campaign, month, [b.pk for b in branches])}
    rows = []
    for branch in branches:
        report = reports.get(branch.pk)
        state = deadline_state(report, campaign, month, today)
        version = latest_version(report)
        rows.append(OverviewRow(
            agency=branch, report=report, state=state, label=DEADLINE_LABELS[state],
            submitted_at=version.submitted_at if version else None,
            versions=len(report.versions.all()) if report else 0,
            returned=report is not None and report.status == ReportStatus.RETURNED,
        ))
    return rows


def _first_county(agency: Agency) -> str:
    """A county the city-level agency answers for (its division for 定州-like agencies)."""
    sub = Agency.objects.filter(supervisor=agency).values_list("division_id", flat=True).first()
    return sub or agency.division_id


# --- reminders -------------------------------------------------------------------------------------

def send_reminders(*, today: dt.date) -> int:
    """In-app notifications, once each (keyed): branch staff and leaders whose report of the current
    month is not submitted and is due within campaign.reminder_days; and the supervising agency's
    staff when a branch's report of the current or previous month is past due and not submitted.
    Active campaigns only, months from the campaign's audit start. Returns the number created."""
    created = 0
    this_month = C.month_start(today)
    previous = C.month_start(this_month - dt.timedelta(days=1))
    for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE):
        counties = CampaignCounty.objects.filter(campaign=campaign).values("county_id")
        branches = list(Agency.objects.filter(kind__in=BRANCH_AGENCY_KINDS, division_id__in=counties)
                        .select_related("supervisor"))
        start = C.month_start(audit_start(campaign))
        for month in (previous, this_month):
            if month < start:
                continue
            due = due_date(campaign, month)
            submitted = set(MonthlyReport.objects.filter(
                kind=ReportKind.BRANCH, campaign=campaign, month=month, status__in=SUBMITTED_STATES,
            ).values_list("agency_id", flat=True))
            tag = f"{campaign.pk}:{month:%Y-%m}"
            when = f"{month.year}年{month.month}月进度报告"
            for branch in branches:
                if branch.pk in submitted:
                    continue
                if month == this_month and 0 <= (due - today).days <= campaign.reminder_days:
                    text = f"【{campaign.name}】{when}应于{due.month}月{due.day}日前报送，尚未报送"
                    created += _notify(User.objects.filter(agency=branch, role__in=sorted(BRANCH_ROLES)),
                                       f"reminder:{tag}:{branch.pk}", text, report_link(campaign, month, branch))
                if today > due and branch.supervisor_id:
                    text = f"【{campaign.name}】{branch}{when}已逾期（截止{due.month}月{due.day}日）未报送"
                    created += _notify(User.objects.filter(agency_id=branch.supervisor_id,
                                                           role__in=[Role.CITY_STAFF, Role.PROVINCE_STAFF]),
                                       f"late:{tag}:{branch.pk}", text, report_link(campaign, month, branch))
    return created


def report_link(campaign, month, agency) -> str:
    from django.urls import reverse

    return reverse("reports:branch_report", args=[campaign.slug, f"{month:%Y-%m}", agency.pk])


def _notify(users, key: str, text: str, link: str = "") -> int:
    count = 0
    for user in users.filter(is_active=True):
        _, made = Notification.objects.get_or_create(user=user, key=key, defaults={"text": text[:300], "link": link})
        count += made
    return count
