"""Business actions of assessment and accountability (考核、通报、约谈), extensions and agencies.

Circulars: `circular_draft` (city/province staff, from the month's scorecards) → `circular_save`
(edits) → `circular_submit` → the same agency's leader `circular_issue` (approves and issues Word and
PDF with the 文号, sealed through documents.services) or `circular_return` (back to the draft with a
reason). Summons: `summons_decide` (a leader of the level above the unit summoned) → `summons_record`
(held: the record and the commitments with deadlines) → `commitment_done` each (closed when all are).
Extensions: `extension_request` (the enterprise) → `extension_branch_decide` (branch leader) →
`extension_city_decide` (the city-level leader): approved, the enterprise's date moves
(assessment.extensions). Agencies: `agency_suspend` / `agency_reinstate` (city or province leader).
Every leader's decision needs a current declaration of interest (integrity.requirements).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.core.logdisplay import register
from cpaudit.integrity.requirements import require_current_declaration
from cpaudit.org import access
from cpaudit.org.models import Agency
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, AgencyKind, Role
from cpaudit.progress.services import derived
from cpaudit.reports.standings import month_start

from . import document, scorecards
from .models import (
    Circular,
    CircularStatus,
    Commitment,
    CommitmentStatus,
    Extension,
    ExtensionStatus,
    Summons,
    SummonsStatus,
    Suspension,
    Target,
)

register("assessment.circular.drafted", "起草通报")
register("assessment.circular.updated", "修改通报")
register("assessment.circular.submitted", "提交通报待审批")
register("assessment.circular.returned", "退回通报")
register("assessment.circular.issued", "审批签发通报")
register("assessment.summons.decided", "决定约谈")
register("assessment.summons.recorded", "记录约谈情况及承诺事项")
register("assessment.commitment.done", "约谈承诺事项办结")
register("assessment.extension.requested", "申请延期")
register("assessment.extension.branch_decided", "分局审核延期申请")
register("assessment.extension.city_decided", "市局审批延期申请")
register("assessment.agency.suspended", "暂停咨询机构承接新业务")
register("assessment.agency.reinstated", "恢复咨询机构承接新业务")

CIRCULAR_FIELDS = ["title", "number", "addressee", "opening", "requirements", "for_public"]


def _text(value) -> str:
    return (value or "").strip()


def _agency(actor) -> Agency:
    agency = getattr(actor, "agency", None)
    if agency is None:
        raise PermissionDenied("您的账号不属于任何单位")
    return agency


# --- circulars ---------------------------------------------------------------------------------------

@transaction.atomic
def circular_draft(*, actor, campaign: Campaign, month: dt.date) -> Circular:
    access.check(actor, "assessment.circular.prepare")
    agency = _agency(actor)
    if agency.kind in (AgencyKind.COUNTY,):
        raise PermissionDenied("通报由市局或省厅起草")
    month = month_start(month)
    today = clock.today()
    if month > month_start(today):
        raise ValidationError({"month": "不能对尚未开始的月份起草通报"})
    cards = scorecards.scorecards(actor, campaign, month, today)
    if not cards.branches:
        raise ValidationError({"campaign": "该批次在您的辖区内没有考核对象"})
    figures = document.draft_figures(cards, scorecards.lagging_enterprises(actor, campaign, month, today))
    texts = document.default_texts(agency, campaign, month, figures)
    circular = Circular.objects.create(campaign=campaign, month=month, agency=agency, figures=figures,
                                       prepared_by=actor, prepared_at=clock.server_now(), **texts)
    log_action(actor=actor, action="assessment.circular.drafted", obj=circular, data={
        "campaign": campaign.slug, "month": figures["month"], "branches": len(figures["rows"]),
        "lagging": [x["name"] for x in figures["lagging"]]})
    return circular


def _own_circular(actor, circular: Circular, action: str) -> Circular:
    access.check(actor, action, circular)
    circular = Circular.objects.select_for_update(of=("self",)).select_related("agency", "campaign").get(pk=circular.pk)
    if circular.agency_id != getattr(actor, "agency_id", None):
        raise PermissionDenied(f"该通报由{circular.agency}办理")
    return circular


@transaction.atomic
def circular_save(*, actor, circular: Circular, data: dict) -> Circular:
    circular = _own_circular(actor, circular, "assessment.circular.prepare")
    if circular.status != CircularStatus.DRAFT:
        raise InvalidState(f"通报{circular.get_status_display()}，不能修改", code="not_draft")
    before = snapshot(circular, CIRCULAR_FIELDS)
    for name in CIRCULAR_FIELDS:
        if name in data:
            setattr(circular, name, data[name] if name == "for_public" else _text(data[name]))
    if not circular.title:
        raise ValidationError({"title": "请填写通报标题"})
    changes = diff(before, snapshot(circular, CIRCULAR_FIELDS))
    if changes:
        circular.save(update_fields=[*CIRCULAR_FIELDS])
        log_action(actor=actor, action="assessment.circular.updated", obj=circular, changes=changes)
    return circular


@transaction.atomic
def circular_submit(*, actor, circular: Circular) -> Circular:
    circular = _own_circular(actor, circular, "assessment.circular.prepare")
    if circular.status != CircularStatus.DRAFT:
        raise InvalidState(f"通报{circular.get_status_display()}，不能提交", code="not_draft")
    errors = {}
    if not circular.number:
        errors["number"] = "提交审批前请填写文号（如：保环办函〔2020〕75号）"
    elif Circular.objects.filter(agency=circular.agency, number=circular.number).exclude(pk=circular.pk).exists():
        errors["number"] = "本单位已有使用该文号的通报"
    if not circular.opening:
        errors["opening"] = "请填写通报情况"
    if errors:
        raise ValidationError(errors)
    circular.status, circular.return_reason = CircularStatus.SUBMITTED, ""
    circular.save(update_fields=["status", "return_reason"])
    log_action(actor=actor, action="assessment.circular.submitted", obj=circular, data={"number": circular.number})
    return circular


@transaction.atomic
def circular_return(*, actor, circular: Circular, reason: str) -> Circular:
    circular = _own_circular(actor, circular, "assessment.circular.approve")
    require_current_declaration(actor, "通报审批")
    if circular.status != CircularStatus.SUBMITTED:
        raise InvalidState(f"通报{circular.get_status_display()}，不能退回", code="not_submitted")
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": "请写明退回原因"})
    circular.status, circular.return_reason = CircularStatus.DRAFT, reason
    circular.save(update_fields=["status", "return_reason"])
    log_action(actor=actor, action="assessment.circular.returned", obj=circular, data={"reason": reason})
    return circular


@transaction.atomic
def circular_issue(*, actor, circular: Circular, seen: str = "") -> Circular:
    """The leader approves and issues: the content is frozen, rendered once as Word and PDF, each file
    sealed with the agency's key (documents.services). `seen` is the content SM3 the page showed:
    a draft edited since is refused."""
    from cpaudit.core.chain import document_digest
    from cpaudit.documents.services import document_issue_formats

    circular = _own_circular(actor, circular, "assessment.circular.approve")
    require_current_declaration(actor, "通报签发")
    if circular.status != CircularStatus.SUBMITTED:
        raise InvalidState(f"通报{circular.get_status_display()}，不能签发", code="not_submitted")
    if seen and seen != document_digest(document.content(circular)):
        raise InvalidState("通报内容已更新，请刷新后再审", code="stale")
    circular.status, circular.issued_by, circular.issued_at = CircularStatus.ISSUED, actor, clock.server_now()
    circular.content = document.content(circular)
    circular.save(update_fields=["status", "issued_by", "issued_at", "content"])
    log_action(actor=actor, action="assessment.circular.issued", obj=circular, data={
        "number": circular.number, "content_sm3": document_digest(circular.content), "for_public": circular.for_public})
    document_issue_formats(actor=actor, kind="circular", obj=circular, content=circular.content,
                           renders={"pdf": document.render_pdf, "docx": document.render_docx},
                           title=f"{circular.title}（{circular.number}）")
    return circular


# --- summons -----------------------------------------------------------------------------------------

@transaction.atomic
def summons_decide(*, actor, campaign: Campaign, summoned: Agency, attendees: str, scheduled_for: dt.date | None,
                   reason: str, place: str = "", circular: Circular | None = None) -> Summons:
    access.check(actor, "assessment.summons.decide")
    agency = _agency(actor)
    if summoned.supervisor_id != agency.pk:
        raise PermissionDenied(f"约谈由被约谈单位的上一级单位负责人决定，{summoned}的上一级单位是{summoned.supervisor or '（未设置）'}")
    require_current_declaration(actor, "约谈")
    errors = {}
    if not _text(attendees):
        errors["attendees"] = "请填写被约谈人（职务）"
    if scheduled_for is None:
        errors["scheduled_for"] = "请填写约谈日期"
    if not _text(reason):
        errors["reason"] = "请写明约谈事由（如：通报中排名靠后、进度滞后的情况）"
    if circular is not None and (circular.agency_id not in (agency.pk, agency.supervisor_id)
                                 or circular.status != CircularStatus.ISSUED):
        errors["circular"] = "只能依据本单位或上级已签发的通报"
    if errors:
        raise ValidationError(errors)
    summons = Summons.objects.create(
        campaign=campaign, agency=agency, summoned=summoned, circular=circular, attendees=_text(attendees),
        scheduled_for=scheduled_for, place=_text(place), reason=_text(reason), decided_by=actor,
        decided_at=clock.server_now())
    log_action(actor=actor, action="assessment.summons.decided", obj=summons, data={
        "summoned": summoned.pk, "summoned_name": summoned.name, "scheduled_for": scheduled_for,
        "attendees": summons.attendees, "reason": summons.reason, "circular": circular.pk if circular else None})
    return summons


def _own_summons(actor, summons: Summons) -> Summons:
    access.check(actor, "assessment.summons.follow_up", summons)
    summons = Summons.objects.select_for_update(of=("self",)).select_related("summoned", "agency").get(pk=summons.pk)
    if summons.agency_id != getattr(actor, "agency_id", None):
        raise PermissionDenied(f"约谈的落实情况由约谈单位（{summons.agency}）记录")
    return summons


@transaction.atomic
def summons_record(*, actor, summons: Summons, held_on: dt.date | None, record: str,
                   commitments: list[tuple[str, dt.date]]) -> Summons:
    """The summons was held: what was said and the commitments made, each with its deadline."""
    summons = _own_summons(actor, summons)
    if summons.status != SummonsStatus.PLANNED:
        raise InvalidState(f"约谈{summons.get_status_display()}，不能重复记录", code="not_planned")
    errors = {}
    if held_on is None:
        errors["held_on"] = "请填写约谈时间"
    elif held_on > clock.today():
        errors["held_on"] = "约谈时间不能晚于今天"
    if not _text(record):
        errors["record"] = "请填写约谈情况"
    items = [(_text(text), deadline) for text, deadline in commitments if _text(text)]
    if not items:
        errors["commitments"] = "请至少填写一项承诺事项及完成期限"
    elif any(deadline is None or (held_on and deadline < held_on) for _, deadline in items):
        errors["commitments"] = "每项承诺须有不早于约谈时间的完成期限"
    if errors:
        raise ValidationError(errors)
    summons.status, summons.held_on, summons.record, summons.recorded_by = (
        SummonsStatus.HELD, held_on, _text(record), actor)
    summons.save(update_fields=["status", "held_on", "record", "recorded_by"])
    Commitment.objects.bulk_create([Commitment(summons=summons, text=text[:300], deadline=deadline)
                                    for text, deadline in items])
    log_action(actor=actor, action="assessment.summons.recorded", obj=summons, data={
        "held_on": held_on, "commitments": [[t, d] for t, d in items]})
    return summons


@transaction.atomic
def commitment_done(*, actor, commitment: Commitment, outcome: str) -> Commitment:
    summons = _own_summons(actor, commitment.summons)
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if commitment.status != CommitmentStatus.OPEN:
        raise InvalidState("该承诺事项已办结", code="done")
    if not _text(outcome):
        raise ValidationError({"outcome": "请写明完成情况（如：已督促3家企业完成第4阶段，附核查记录）"})
    commitment.status, commitment.outcome = CommitmentStatus.DONE, _text(outcome)
    commitment.done_by, commitment.done_at = actor, clock.server_now()
    commitment.save(update_fields=["status", "outcome", "done_by", "done_at"])
    closed = not summons.commitments.filter(status=CommitmentStatus.OPEN).exists()
    if closed:
        summons.status, summons.closed_at = SummonsStatus.CLOSED, clock.server_now()
        summons.save(update_fields=["status", "closed_at"])
    log_action(actor=actor, action="assessment.commitment.done", obj=commitment, data={
        "summons": summons.pk, "outcome": commitment.outcome, "late": clock.today() > commitment.deadline,
        "summons_closed": closed})
    return commitment


# --- extensions --------------------------------------------------------------------------------------

def original_date(enrolment: Enrolment, target: str) -> dt.date:
    """The date in force for the enterprise (a previous approved extension included)."""
    from .extensions import extended_dates

    campaign = enrolment.campaign
    if target == Target.EVALUATION:
        base = campaign.evaluation_deadline
    elif target == Target.ACCEPTANCE:
        base = campaign.acceptance_deadline
    else:
        base = derived.stage_targets(campaign)[int(target.split("_")[1])]
    return extended_dates([enrolment.pk]).get((enrolment.pk, target), base)


@transaction.atomic
def extension_request(*, actor, enrolment: Enrolment, target: str, requested_date: dt.date | None,
                      reason: str) -> Extension:
    access.check(actor, "assessment.extension.request", enrolment)
    enrolment = Enrolment.objects.select_for_update(of=("self",)).select_related("campaign", "enterprise").get(pk=enrolment.pk)
    if enrolment.campaign.status != Campaign.Status.ACTIVE:
        raise InvalidState("该审核批次已结束，不能申请延期", code="closed")
    errors = {}
    if target not in Target.values:
        errors["target"] = "请选择延期事项"
    if requested_date is None:
        errors["requested_date"] = "请填写申请延至的日期"
    if len(_text(reason)) < 10:
        errors["reason"] = "请具体写明延期理由（不少于10个字）"
    if errors:
        raise ValidationError(errors)
    current = original_date(enrolment, target)
    if requested_date <= current:
        raise ValidationError({"requested_date": f"申请延至的日期应晚于现行期限（{current:%Y-%m-%d}）"})
    if Extension.objects.filter(enrolment=enrolment, target=target,
                                status__in=[ExtensionStatus.BRANCH_PENDING, ExtensionStatus.CITY_PENDING]).exists():
        raise InvalidState("该事项已有正在办理的延期申请", code="open")
    extension = Extension.objects.create(
        enrolment=enrolment, target=target, original_date=current, requested_date=requested_date,
        reason=_text(reason), requested_by=actor, requested_at=clock.server_now())
    log_action(actor=actor, action="assessment.extension.requested", obj=extension, data={
        "enterprise": enrolment.enterprise.uscc, "target": target, "original_date": current,
        "requested_date": requested_date, "reason": extension.reason})
    return extension


def _locked_extension(actor, extension: Extension, action: str) -> Extension:
    access.check(actor, action, extension)
    return (Extension.objects.select_for_update(of=("self",)).select_related("enrolment__enterprise", "enrolment__campaign")
            .get(pk=extension.pk))


@transaction.atomic
def extension_branch_decide(*, actor, extension: Extension, agree: bool, opinion: str) -> Extension:
    extension = _locked_extension(actor, extension, "assessment.extension.branch_decide")
    if actor.agency is None or actor.agency.kind not in BRANCH_AGENCY_KINDS:
        raise PermissionDenied("延期申请由企业所在分局负责人审核")
    require_current_declaration(actor, "延期申请审核")
    if extension.status != ExtensionStatus.BRANCH_PENDING:
        raise InvalidState(f"该延期申请{extension.get_status_display()}，不在分局审核环节", code="not_branch")
    opinion = _text(opinion)
    if not opinion:
        raise ValidationError({"opinion": "请填写审核意见"})
    extension.status = ExtensionStatus.CITY_PENDING if agree else ExtensionStatus.REJECTED
    extension.branch_decided_by, extension.branch_decided_at, extension.branch_opinion = (
        actor, clock.server_now(), opinion)
    extension.save(update_fields=["status", "branch_decided_by", "branch_decided_at", "branch_opinion"])
    log_action(actor=actor, action="assessment.extension.branch_decided", obj=extension, data={
        "agree": agree, "opinion": opinion, "target": extension.target, "requested_date": extension.requested_date})
    return extension


@transaction.atomic
def extension_city_decide(*, actor, extension: Extension, approve: bool, opinion: str) -> Extension:
    extension = _locked_extension(actor, extension, "assessment.extension.city_decide")
    if actor.role != Role.CITY_LEADER:
        raise PermissionDenied("延期申请由市局（省管县）负责人审批")
    require_current_declaration(actor, "延期申请审批")
    if extension.status != ExtensionStatus.CITY_PENDING:
        raise InvalidState(f"该延期申请{extension.get_status_display()}，不在市局审批环节", code="not_city")
    opinion = _text(opinion)
    if not opinion:
        raise ValidationError({"opinion": "请填写审批意见"})
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    extension.city_decided_by, extension.city_decided_at, extension.city_opinion = (
        actor, clock.server_now(), opinion)
    extension.save(update_fields=["status", "city_decided_by", "city_decided_at", "city_opinion"])
    log_action(actor=actor, action="assessment.extension.city_decided", obj=extension, data={
        "approve": approve, "opinion": opinion, "target": extension.target,
        "original_date": extension.original_date, "requested_date": extension.requested_date})
    return extension


# --- consulting agencies -----------------------------------------------------------------------------

@transaction.atomic
def agency_suspend(*, actor, consulting_agency, reason: str) -> Suspension:
    access.check(actor, "assessment.agency.suspend", consulting_agency)
    require_current_declaration(actor, "暂停咨询机构承接业务")
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": "请写明暂停原因（如：抽查发现其服务企业数据失实）"})
    type(consulting_agency).objects.select_for_update().get(pk=consulting_agency.pk)
    if Suspension.objects.filter(consulting_agency=consulting_agency, lifted_at__isnull=True).exists():
        raise InvalidState(f"{consulting_agency}已处于暂停承接状态", code="suspended")
    suspension = Suspension.objects.create(consulting_agency=consulting_agency, reason=reason, started_by=actor,
                                           started_at=clock.server_now())
    log_action(actor=actor, action="assessment.agency.suspended", obj=suspension,
               data={"consulting_agency": consulting_agency.pk, "name": consulting_agency.name, "reason": reason})
    return suspension


@transaction.atomic
def agency_reinstate(*, actor, consulting_agency, reason: str) -> Suspension:
    access.check(actor, "assessment.agency.suspend", consulting_agency)
    require_current_declaration(actor, "恢复咨询机构承接业务")
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": "请写明恢复理由（如：整改已完成并经核查）"})
    suspension = (Suspension.objects.select_for_update()
                  .filter(consulting_agency=consulting_agency, lifted_at__isnull=True).first())
    if suspension is None:
        raise InvalidState(f"{consulting_agency}未被暂停承接", code="not_suspended")
    suspension.lifted_by, suspension.lifted_at, suspension.lift_reason = actor, clock.server_now(), reason
    suspension.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    log_action(actor=actor, action="assessment.agency.reinstated", obj=suspension,
               data={"consulting_agency": consulting_agency.pk, "name": consulting_agency.name, "reason": reason})
    return suspension
