"""Business actions on monthly progress reports (authority.md § Monthly report chain).

Branch staff draft (the free text: problems, remarks; the 文号) → the branch leader approves and submits (a
frozen ReportVersion with its SM3 digest; a later correction is version n+1 with a reason) → city
staff of the supervising agency accept or return (with a reason). The city's consolidation is
drafted by city staff and submitted by the city leader (to the province; nobody accepts it here).

States: 编辑中 (draft) → 已报送 (submitted) → 已接收 (accepted) | 已退回 (returned). A submitted report
nobody has accepted or returned may be withdrawn by its unit's leader (→ 编辑中; the version stays in the
history, marked 已撤回). A returned report is editable like a draft: the branch's next save sets it back to 编辑中, and it may be submitted again
(as a correction, with a reason). The city may return a submitted or an accepted report.

Each action locks the report row, checks the actor, then the state, saves and writes one log entry
in the same transaction. Log codes: reports.report.drafted (save_draft), .submitted (first version),
.corrected (version ≥ 2), .accepted, .returned, .withdrawn.

Reads never write: `report_for` returns the row when it exists, else an unsaved report of the same
identity (its page renders from the live content); the row is created by the first save of a draft.
Every action takes either, and finds the row by its identity (kind, campaign, agency, month).

Decisions are bound to what the page showed (seen.py): acceptance and return carry the version the
reviewer saw, the leader's submission the SM3 of the draft's content; a stale one is refused. Each of
those decisions needs the decider's current declaration of interest (integrity.requirements). A
submission issues the version it freezes, in PDF and Word sealed with the leader's agency's seal
(documents.report_documents): without a seal key the submission is refused.
"""

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.campaigns.models import Campaign, CampaignCounty
from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.chain import document_digest
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.core.logdisplay import register
from cpaudit.documents.report_documents import report_version_issue
from cpaudit.integrity.requirements import require_current_declaration
from cpaudit.org import access
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.org.models import Agency, User
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, BRANCH_ROLES, AgencyKind
from cpaudit.progress.services.derived import audit_start
from cpaudit.workbench import notify

from . import content as C
from .deadlines import (  # noqa: F401  (deadlines, overview and reminders are part of this API)
    DEADLINE_LABELS,
    RETURNED_LABEL,
    SUBMITTED_STATES,
    OverviewRow,
    branch_reports,
    city_overview,
    deadline_state,
    due_date,
    latest_version,
    report_link,
    send_reminders,
)
from .deadlines import month_of as _month
from .models import MonthlyReport, ReportKind, ReportStatus, ReportVersion
from .seen import require_content, require_version

register("reports.report.drafted", "编辑月度进度报告")
register("reports.report.submitted", "审批并报送月度进度报告")
register("reports.report.corrected", "更正并重新报送月度进度报告")
register("reports.report.accepted", "接收分局月度进度报告")
register("reports.report.returned", "退回分局月度进度报告")
register("reports.report.withdrawn", "撤回已报送的月度进度报告")

EDITABLE_STATES = (ReportStatus.DRAFT, ReportStatus.RETURNED)
TEXT_FIELDS = ["problems", "remarks", "document_number"]


# --- helpers ---------------------------------------------------------------------------------------

def _identity(report) -> dict:
    return {"kind": report.kind, "campaign_id": report.campaign_id, "agency_id": report.agency_id,
            "month": report.month}


def _lock(report, *, create: bool = False) -> MonthlyReport:
    """The report's row, locked. An unsaved report (report_for: nothing written yet) is found by its
    identity; `create` makes the row (the first save of a draft), else a missing row is refused."""
    rows = (MonthlyReport.objects.select_for_update(of=("self",))
            .select_related("agency", "agency__supervisor", "campaign", "prepared_by"))
    if report.pk is not None:
        return rows.get(pk=report.pk)
    if create:
        MonthlyReport.objects.get_or_create(**_identity(report))
    found = rows.filter(**_identity(report)).first()
    if found is None:
        raise InvalidState("报告尚未起草：请经办人先填写“存在的问题”并保存草稿", code="not_started")
    return found


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


# --- getting a report ------------------------------------------------------------------------------

def report_for(*, actor, campaign: Campaign, agency: Agency, month, kind: str) -> MonthlyReport:
    """The report of (kind, campaign, agency, month): its row, or an unsaved empty draft when nobody has
    saved one yet. Writes nothing (a page or a command that only reads never creates a row)."""
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
    found = (MonthlyReport.objects.select_related("agency", "agency__supervisor", "campaign", "prepared_by")
             .filter(kind=kind, campaign=campaign, agency=agency, month=month).first())
    return found or MonthlyReport(kind=kind, campaign=campaign, agency=agency, month=month)


# --- the chain -------------------------------------------------------------------------------------

@transaction.atomic
def report_save_draft(*, actor, report: MonthlyReport, problems: str, remarks: str = "",
                      document_number: str | None = None) -> MonthlyReport:
    """Staff of the reporting agency edit the free text and the 文号 (None: unchanged). A returned
    report goes back to 编辑中. The first save creates the report's row."""
    access.check(actor, "reports.report.prepare")
    _require_own_agency(actor, report.agency, "起草本单位的月度进度报告")
    report = _lock(report, create=True)
    access.check(actor, "reports.report.prepare", report)
    if report.status not in EDITABLE_STATES:
        raise InvalidState(f"报告{report.get_status_display()}，不能修改；如需更正请由上级单位退回后再改",
                           code="not_editable")
    before = snapshot(report, TEXT_FIELDS + ["status"])
    report.problems, report.remarks = (problems or "").strip(), (remarks or "").strip()
    if document_number is not None:
        report.document_number = document_number.strip()
    report.status = ReportStatus.DRAFT
    if not is_system(actor):
        report.prepared_by = actor
    report.save()
    log_action(actor=actor, action="reports.report.drafted", obj=report,
               changes=diff(before, snapshot(report, TEXT_FIELDS + ["status"])))
    return report


@transaction.atomic
def report_submit(*, actor, report: MonthlyReport, reason: str = "", seen: str | None = None) -> ReportVersion:
    """The leader of the reporting agency approves and submits: freezes version n+1. `seen`: the SM3 of
    the draft's content the leader's page showed (seen.content_token); a changed draft is refused."""
    access.check(actor, "reports.report.submit")
    report = _lock(report)
    access.check(actor, "reports.report.submit", report)
    if is_system(actor):
        raise PermissionDenied("月度进度报告须由单位负责人本人审批报送")
    _require_own_agency(actor, report.agency, "审批报送本单位的月度进度报告")
    if report.status not in EDITABLE_STATES:
        raise InvalidState(f"报告{report.get_status_display()}，不能重复报送", code="not_editable")
    require_current_declaration(actor, "审批报送月度进度报告")  # 事前有防 (integrity)
    if report.prepared_by_id is not None and report.prepared_by_id == actor.pk:
        raise PermissionDenied("起草报告的经办人不能同时审批报送（职责分离）")
    missing = required_missing(report)
    if missing:
        raise ValidationError(missing)
    number = report.versions.count() + 1
    reason = (reason or "").strip()
    if number > 1 and not reason:
        raise InvalidState("更正后重新报送须填写更正原因", code="reason_required")
    today = clock.today()
    data = build_data(report, today)
    require_content(seen, C.finish(data), _what(report))
    content = C.finish(data, version=number, submitted_by=C._person(actor))
    version = ReportVersion.objects.create(
        report=report, number=number, content=content, digest=document_digest(content),
        reason=reason if number > 1 else "", submitted_by=actor, submitted_at=clock.business_now(),
    )
    report.status, report.return_reason, report.returned_by = ReportStatus.SUBMITTED, "", None
    report.save()
    log_action(actor=actor, action="reports.report.submitted" if number == 1 else "reports.report.corrected",
               obj=report, data={"version": number, "digest": version.digest, "reason": version.reason})
    # Issued by its submission: the version in PDF and Word, sealed with the leader's agency's seal
    # (documents.report_documents; it checkpoints the log once committed).
    report_version_issue(actor=actor, version=version)
    return version


@transaction.atomic
def report_accept(*, actor, report: MonthlyReport, seen: str | None = None) -> MonthlyReport:
    """City staff accept a submitted branch report. `seen`: the version the page showed
    (seen.version_token); a report corrected and resubmitted since is refused."""
    access.check(actor, "reports.report.review")
    report = _lock(report)
    access.check(actor, "reports.report.review", report)
    _check_reviewable(actor, report)
    if report.status != ReportStatus.SUBMITTED:
        raise InvalidState(f"报告{report.get_status_display()}，只能接收已报送的报告", code="not_submitted")
    require_current_declaration(actor, "接收月度进度报告")
    version = latest_version(report)
    require_version(seen, version, _what(report))
    report.status = ReportStatus.ACCEPTED
    report.save()
    log_action(actor=actor, action="reports.report.accepted", obj=report,
               data={"version": version.number if version else None})
    return report


@transaction.atomic
def report_return(*, actor, report: MonthlyReport, reason: str, seen: str | None = None) -> MonthlyReport:
    """Send a submitted (or accepted) report back with a reason; the branch's users are notified.
    `seen` as for report_accept."""
    access.check(actor, "reports.report.review")
    report = _lock(report)
    access.check(actor, "reports.report.review", report)
    _check_reviewable(actor, report)
    if report.status not in SUBMITTED_STATES:
        raise InvalidState(f"报告{report.get_status_display()}，只能退回已报送或已接收的报告", code="not_submitted")
    require_current_declaration(actor, "退回月度进度报告")
    require_version(seen, latest_version(report), _what(report))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidState("退回须填写原因", code="reason_required")
    report.status, report.return_reason = ReportStatus.RETURNED, reason
    report.returned_by = None if is_system(actor) else actor
    report.save()
    version = latest_version(report)
    number = version.number if version else 0
    # The branch's people are told; the message is read once one of them acts on the report.
    notify.tell(User.objects.filter(agency=report.agency, role__in=sorted(BRANCH_ROLES), is_active=True),
                f"{_what(report)}被退回：{reason}", link=report_link(report.campaign, report.month, report.agency),
                key=f"returned:{report.pk}:{number}", subject=notify.subject_of(report))
    log_action(actor=actor, action="reports.report.returned", obj=report,
               data={"version": number, "reason": reason})
    return report


@transaction.atomic
def report_withdraw(*, actor, report: MonthlyReport) -> MonthlyReport:
    """The leader of the reporting unit takes back a submission nobody has acted on yet (已报送, neither
    accepted nor returned): the report is editable again, its version is marked withdrawn (its issued
    copies stay, as issued), and the next submission is a new version with a reason."""
    access.check(actor, "reports.report.submit")
    report = _lock(report)
    access.check(actor, "reports.report.submit", report)
    if is_system(actor):
        raise PermissionDenied("撤回须由单位负责人本人操作")
    _require_own_agency(actor, report.agency, "撤回本单位报送的月度进度报告")
    if report.status != ReportStatus.SUBMITTED:
        raise InvalidState(f"报告{report.get_status_display()}，只能撤回已报送且上级尚未接收或退回的报告",
                           code="not_withdrawable")
    version = latest_version(report)
    version.withdrawn_at = clock.business_now()
    version.save(update_fields=["withdrawn_at"])
    report.status = ReportStatus.DRAFT
    report.save()
    log_action(actor=actor, action="reports.report.withdrawn", obj=report,
               changes={"status": [ReportStatus.SUBMITTED, ReportStatus.DRAFT]},
               data={"version": version.number, "digest": version.digest})
    return report


def _what(report) -> str:
    """The report as a refusal names it: 保定市生态环境局竞秀区分局2020年5月进度报告."""
    return f"{report.agency}{report.month.year}年{report.month.month}月进度报告"


def _check_reviewable(actor, report) -> None:
    if report.kind != ReportKind.BRANCH:
        raise InvalidState("市局汇总报告报送省厅，不在本系统接收或退回", code="wrong_kind")
    _require_supervisor(actor, report)


# --- content ---------------------------------------------------------------------------------------

def required_missing(report: MonthlyReport) -> dict[str, str]:
    """What the report cannot be submitted without, by field (the page shows each next to its field)."""
    missing = {}
    if not report.problems.strip():
        missing["problems"] = "“存在的问题”未填写：须由经办人如实填写后才能报送（报告照录所填内容）"
    if report.kind == ReportKind.CITY and not report.document_number.strip():
        missing["document_number"] = "市局汇总报告须有文号：请经办人填写文号后再报送"
    return missing


def build_data(report: MonthlyReport, today: dt.date) -> dict:
    """The live (or, for a past month, reconstructed) figures and text of the report's draft."""
    if report.kind == ReportKind.CITY:
        # The standings of every supervised county, read once for the body and the branches' sections.
        branches = C.supervised_branches(report.agency, report.campaign)
        items = C.standings(report.campaign, [b.division_id for b in branches], _month(report.month), today)
        sections = city_sections(report.agency, report.campaign, report.month, today, items=items)
        return C.build_city(report, today, sections, items=items)
    return C.build_branch(report, today)


def build_content(report: MonthlyReport, today: dt.date) -> dict:
    """The draft's whole content, its wording (blocks) included."""
    return C.finish(build_data(report, today))


def content_for(report: MonthlyReport, *, today: dt.date | None = None) -> dict:
    """The latest version's content when submitted/accepted (the record), else the live draft."""
    if report.status in SUBMITTED_STATES:
        version = latest_version(report)
        if version is not None:
            return version.content
    return build_content(report, today or clock.today())


def city_sections(city: Agency, campaign: Campaign, month, today: dt.date, *, items=None) -> list[dict]:
    """One section per supervised branch: its submitted version, else its live draft (未报送 etc.).
    `items`: the standings of every supervised county when the caller has them (build_data)."""
    month = _month(month)
    branches = C.supervised_branches(city, campaign)
    reports = {r.agency_id: r for r in branch_reports(campaign, month, [b.pk for b in branches])}
    # Every branch's standings and application counts read at once: a fixed number of queries
    # whatever the number of branches (issue 15), split by county below.
    counties = [b.division_id for b in branches]
    by_county = defaultdict(list)
    for item in C.standings(campaign, counties, month, today) if items is None else items:
        by_county[item.county].append(item)
    applications = C.applications_by_county(campaign, counties, C.data_date(month, today))
    sections = []
    for branch in branches:
        report = reports.get(branch.pk)
        state = deadline_state(report, campaign, month, today)
        if report is not None and report.status in SUBMITTED_STATES and latest_version(report):
            sections.append(C.section_from(latest_version(report).content, DEADLINE_LABELS[state], True))
            continue
        draft = report or MonthlyReport(kind=ReportKind.BRANCH, campaign=campaign, agency=branch, month=month)
        label = RETURNED_LABEL if report is not None and report.status == ReportStatus.RETURNED \
            else DEADLINE_LABELS[state]
        live = C.build_branch(draft, today, items=by_county[branch.division_id],
                              applications=applications[branch.division_id])
        sections.append(C.section_from(live, label, False))
    return sections
