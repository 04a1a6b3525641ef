"""Business actions on the results summaries of 评估/验收 (seed § 二: "最终的评估、验收汇总结果由各分局按照
《方案》的要求上报市局，市局汇总后上报省厅"; authority.md § The application chain, step 6).

Per campaign and phase, like a monthly report: branch staff draft the branch's summary (its free text
and 文号; the list and counts come from the applications) → the branch leader approves and submits it
to the city (a frozen ResultsVersion with its SM3; a correction is version n+1 with a reason) → city
staff accept or return it (with a reason). The city's consolidation (its counties in one table, the
list, the accepted branch summaries as annexes) is drafted by city staff and submitted by the city
leader to the province, whose staff accept or return it. A 省直管县 summarizes its own enterprises
and reports straight to the province. The reviewer is always staff of the agency above
(`Agency.supervisor`).

States (ReportStatus): 编辑中 → 已报送 → 已接收 | 已退回; a returned summary is edited (编辑中 again) and
submitted as a correction. Decisions are bound to what the page showed (seen.py) and need the decider's
current declaration of interest (integrity.requirements); a submission issues the frozen version in PDF
and Word, sealed with the submitting unit's seal (documents.report_documents). Reads never write:
`results_for` returns the row or an unsaved summary; the first saved draft creates the row.

Log codes: reports.results.drafted, .submitted, .corrected, .accepted, .returned.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.applications.models import Kind
from cpaudit.campaigns.models import CampaignCounty
from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.chain import document_digest
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.core.logdisplay import register
from cpaudit.documents.report_documents import results_version_issue
from cpaudit.integrity.requirements import require_current_declaration
from cpaudit.org import access
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.org.models import User
from cpaudit.org.roles import LEADER_ROLES, STAFF_ROLES, AgencyKind

from . import results_content as R
from .content import _person
from .deadlines import SUBMITTED_STATES
from .models import Notification, ReportStatus, ResultsLevel, ResultsSummary, ResultsVersion
from .seen import require_content, require_version

register("reports.results.drafted", "编辑评估/验收结果汇总")
register("reports.results.submitted", "审批并报送评估/验收结果汇总")
register("reports.results.corrected", "更正并重新报送评估/验收结果汇总")
register("reports.results.accepted", "接收评估/验收结果汇总")
register("reports.results.returned", "退回评估/验收结果汇总")

EDITABLE_STATES = (ReportStatus.DRAFT, ReportStatus.RETURNED)
TEXT_FIELDS = ["remarks", "document_number"]
REPORTING_KINDS = (AgencyKind.COUNTY, AgencyKind.DIRECT_COUNTY, AgencyKind.CITY)


# --- getting a summary -----------------------------------------------------------------------------

def results_for(*, actor, campaign, kind: str, agency) -> ResultsSummary:
    """The summary of `agency` for (campaign, phase): its row, or an unsaved empty draft when nobody
    has saved one. Writes nothing."""
    access.check(actor, "reports.results.view")
    if kind not in Kind.values:
        raise InvalidState(f"未知的阶段“{kind}”", code="wrong_kind")
    if agency.kind not in REPORTING_KINDS:
        raise InvalidState(f"{agency}不报送评估/验收结果汇总（由分局、市局报送）", code="wrong_kind")
    if not is_system(actor) and agency.pk != getattr(actor, "agency_id", None) and not _covers(actor, agency):
        raise PermissionDenied(f"{agency}不在您的管理范围内，无权查看其结果汇总")
    level = R.level_of(agency)
    if level == ResultsLevel.BRANCH and not CampaignCounty.objects.filter(
            campaign=campaign, county_id=agency.division_id).exists():
        raise InvalidState(f"{agency}所在县（市、区）不在审核批次「{campaign}」范围内", code="not_in_campaign")
    found = (ResultsSummary.objects.select_related("agency", "agency__supervisor", "campaign", "prepared_by",
                                                   "returned_by")
             .filter(level=level, campaign=campaign, kind=kind, agency=agency).first())
    return found or ResultsSummary(level=level, campaign=campaign, kind=kind, agency=agency)


def _covers(actor, agency) -> bool:
    """Whether the actor's jurisdiction holds every county the agency answers for (a branch never sees
    its city's consolidation, the province sees every unit's)."""
    jurisdiction = jurisdiction_of(actor)
    return all(jurisdiction.covers(code) for code in R.counties_of(agency) or [agency.division_id])


def summary_link(summary) -> str:
    from django.urls import reverse

    return reverse("reports:results_document", args=[summary.campaign.slug, summary.kind, summary.agency_id])


def _identity(summary) -> dict:
    return {"level": summary.level, "campaign_id": summary.campaign_id, "kind": summary.kind,
            "agency_id": summary.agency_id}


def _lock(summary, *, create: bool = False) -> ResultsSummary:
    rows = (ResultsSummary.objects.select_for_update(of=("self",))
            .select_related("agency", "agency__supervisor", "campaign", "prepared_by"))
    if summary.pk is not None:
        return rows.get(pk=summary.pk)
    if create:
        ResultsSummary.objects.get_or_create(**_identity(summary))
    found = rows.filter(**_identity(summary)).first()
    if found is None:
        raise InvalidState("结果汇总尚未起草：请经办人先保存草稿", code="not_started")
    return found


def _require_own(actor, agency, what: str) -> None:
    if not is_system(actor) and getattr(actor, "agency_id", None) != agency.pk:
        raise PermissionDenied(f"只有{agency}的人员可以{what}")


def _require_reviewer(actor, summary) -> None:
    above = summary.agency.supervisor
    if is_system(actor):
        return
    if above is None or getattr(actor, "agency_id", None) != above.pk:
        raise PermissionDenied(f"只有{above or '上级单位'}的经办人员可以接收或退回{summary.agency}的结果汇总")


def _what(summary) -> str:
    return f"{summary.agency}{summary.get_kind_display()}结果汇总"


def latest_version(summary) -> ResultsVersion | None:
    if summary is None or summary.pk is None:
        return None
    versions = list(summary.versions.all())
    return max(versions, key=lambda v: v.number) if versions else None


# --- content ---------------------------------------------------------------------------------------

def city_sections(summary: ResultsSummary) -> list[dict]:
    """Each supervised branch's summary as the city's document reports it: its state, and when accepted
    its latest version's wording (an annex). Two queries."""
    from .content import supervised_branches

    branches = supervised_branches(summary.agency, summary.campaign)
    found = {s.agency_id: s for s in ResultsSummary.objects.filter(
        level=ResultsLevel.BRANCH, campaign=summary.campaign, kind=summary.kind,
        agency__in=branches).prefetch_related("versions")}
    sections = []
    for branch in branches:
        item = found.get(branch.pk)
        version = latest_version(item)
        status = item.status if item is not None else ReportStatus.DRAFT
        if version is None or status not in (*SUBMITTED_STATES, ReportStatus.RETURNED):
            state = "未报送"
        elif status == ReportStatus.ACCEPTED:
            state = f"已接收（第{version.number}版）"
        elif status == ReportStatus.SUBMITTED:
            state = f"已报送第{version.number}版，待接收"
        else:
            state = f"第{version.number}版已退回，待更正"
        accepted = status == ReportStatus.ACCEPTED
        section = {"unit": branch.name, "state": state, "accepted": accepted}
        if accepted:
            section.update(title=version.content["title"], blocks=version.content["blocks"])
        sections.append(section)
    return sections


def build_data(summary: ResultsSummary, today: dt.date) -> dict:
    sections = city_sections(summary) if summary.level == ResultsLevel.CITY else None
    return R.build(summary, today, sections)


def build_content(summary: ResultsSummary, today: dt.date) -> dict:
    return R.finish(build_data(summary, today))


def content_for(summary: ResultsSummary, *, today: dt.date | None = None) -> dict:
    """The latest version's content once submitted or accepted (the record), else the live draft."""
    if summary.status in SUBMITTED_STATES:
        version = latest_version(summary)
        if version is not None:
            return version.content
    return build_content(summary, today or clock.today())


def required_missing(summary: ResultsSummary) -> dict[str, str]:
    if summary.level == ResultsLevel.CITY and not summary.document_number.strip():
        return {"document_number": "市局汇总须有文号：请经办人填写文号后再报送"}
    return {}


# --- notifications ---------------------------------------------------------------------------------

def _notify(agency, roles, key: str, text: str, summary) -> None:
    link = summary_link(summary)
    for user in User.objects.filter(agency=agency, role__in=sorted(roles), is_active=True):
        # The subject lets the workbench mark it read once someone at the same desk acts on the summary.
        Notification.objects.get_or_create(user=user, key=key[:120], defaults={
            "text": text[:300], "link": link, "subject": f"{summary._meta.label_lower}:{summary.pk}"})


def _tag(summary) -> str:
    return f"【{summary.campaign.name}】{summary.agency}{summary.get_kind_display()}结果汇总"


# --- the chain -------------------------------------------------------------------------------------

@transaction.atomic
def results_save_draft(*, actor, summary: ResultsSummary, remarks: str = "",
                       document_number: str | None = None) -> ResultsSummary:
    """Staff of the reporting agency write the 情况说明 and the 文号 (None: unchanged); the first save
    creates the row; a returned summary goes back to 编辑中. The unit's leaders are told it awaits them."""
    access.check(actor, "reports.results.prepare")
    _require_own(actor, summary.agency, "起草本单位的结果汇总")
    summary = _lock(summary, create=True)
    access.check(actor, "reports.results.prepare", summary)
    if summary.status not in EDITABLE_STATES:
        raise InvalidState(f"结果汇总{summary.get_status_display()}，不能修改；如需更正请由上级单位退回后再改",
                           code="not_editable")
    before = snapshot(summary, TEXT_FIELDS + ["status"])
    summary.remarks = (remarks or "").strip()
    if document_number is not None:
        summary.document_number = document_number.strip()
    summary.status = ReportStatus.DRAFT
    if not is_system(actor):
        summary.prepared_by = actor
    summary.save()
    log_action(actor=actor, action="reports.results.drafted", obj=summary,
               changes=diff(before, snapshot(summary, TEXT_FIELDS + ["status"])))
    round_no = summary.versions.count() + 1
    _notify(summary.agency, LEADER_ROLES, f"results:{summary.pk}:draft:{round_no}",
            f"{_tag(summary)}草稿已编辑，待负责人审批报送", summary)
    return summary


@transaction.atomic
def results_submit(*, actor, summary: ResultsSummary, reason: str = "", seen: str | None = None) -> ResultsVersion:
    """The reporting agency's leader approves and submits: freezes version n+1 as of today. `seen`: the
    SM3 of the draft's content the leader's page showed."""
    access.check(actor, "reports.results.submit")
    summary = _lock(summary)
    access.check(actor, "reports.results.submit", summary)
    if is_system(actor):
        raise PermissionDenied("结果汇总须由单位负责人本人审批报送")
    _require_own(actor, summary.agency, "审批报送本单位的结果汇总")
    if summary.status not in EDITABLE_STATES:
        raise InvalidState(f"结果汇总{summary.get_status_display()}，不能重复报送", code="not_editable")
    require_current_declaration(actor, "审批报送结果汇总")  # 事前有防 (integrity)
    if summary.prepared_by_id is not None and summary.prepared_by_id == actor.pk:
        raise PermissionDenied("起草结果汇总的经办人不能同时审批报送（职责分离）")
    missing = required_missing(summary)
    if missing:
        raise ValidationError(missing)
    number = summary.versions.count() + 1
    reason = (reason or "").strip()
    if number > 1 and not reason:
        raise InvalidState("更正后重新报送须填写更正原因", code="reason_required")
    data = build_data(summary, clock.today())
    require_content(seen, R.finish(data), _what(summary))
    content = R.finish(data, version=number, submitted_by=_person(actor))
    version = ResultsVersion.objects.create(
        summary=summary, number=number, content=content, digest=document_digest(content),
        reason=reason if number > 1 else "", submitted_by=actor, submitted_at=clock.business_now())
    summary.status, summary.return_reason, summary.returned_by = ReportStatus.SUBMITTED, "", None
    summary.save()
    log_action(actor=actor, action="reports.results.submitted" if number == 1 else "reports.results.corrected",
               obj=summary, data={"version": number, "digest": version.digest, "reason": version.reason,
                                  "counts": content["counts"]})
    if summary.agency.supervisor is not None:
        _notify(summary.agency.supervisor, STAFF_ROLES, f"results:{summary.pk}:submitted:{number}",
                f"{_tag(summary)}已报送第{number}版，请接收或退回", summary)
    results_version_issue(actor=actor, version=version)  # issued and sealed by its submission (documents)
    return version


def _reviewable(actor, summary, states, what: str, decision: str) -> ResultsSummary:
    access.check(actor, "reports.results.review")
    summary = _lock(summary)
    access.check(actor, "reports.results.review", summary)
    _require_reviewer(actor, summary)
    if summary.status not in states:
        raise InvalidState(f"结果汇总{summary.get_status_display()}，{what}", code="not_submitted")
    require_current_declaration(actor, decision)
    return summary


@transaction.atomic
def results_accept(*, actor, summary: ResultsSummary, seen: str | None = None) -> ResultsSummary:
    """Staff of the agency above accept the submitted version the page showed (`seen`)."""
    summary = _reviewable(actor, summary, (ReportStatus.SUBMITTED,), "只能接收已报送的结果汇总", "接收结果汇总")
    version = latest_version(summary)
    require_version(seen, version, _what(summary))
    summary.status = ReportStatus.ACCEPTED
    summary.save()
    log_action(actor=actor, action="reports.results.accepted", obj=summary,
               data={"version": version.number, "digest": version.digest})
    _notify(summary.agency, STAFF_ROLES | LEADER_ROLES, f"results:{summary.pk}:accepted:{version.number}",
            f"{_tag(summary)}第{version.number}版已被{summary.agency.supervisor}接收", summary)
    return summary


@transaction.atomic
def results_return(*, actor, summary: ResultsSummary, reason: str, seen: str | None = None) -> ResultsSummary:
    """Staff of the agency above send a submitted (or accepted) summary back with a reason."""
    summary = _reviewable(actor, summary, SUBMITTED_STATES, "只能退回已报送或已接收的结果汇总", "退回结果汇总")
    version = latest_version(summary)
    require_version(seen, version, _what(summary))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "退回须填写原因"})
    before = summary.status
    summary.status, summary.return_reason = ReportStatus.RETURNED, reason
    summary.returned_by = None if is_system(actor) else actor
    summary.save()
    log_action(actor=actor, action="reports.results.returned", obj=summary,
               changes={"status": [before, ReportStatus.RETURNED]},
               data={"version": version.number, "digest": version.digest, "reason": reason})
    _notify(summary.agency, STAFF_ROLES | LEADER_ROLES, f"results:{summary.pk}:returned:{version.number}",
            f"{_tag(summary)}第{version.number}版被退回：{reason}", summary)
    return summary
