"""The enterprise's side: start a form (pre-filled), save the draft, submit (freeze a version).

Eligibility (domain README § 3, progress.services.derived blockers): 评估 relies on steps 1–27, 验收 on
a passed 评估 of the same enrolment and steps 1–35 — each completed, confirmed by the branch, each
deliverable with its file — and, for 验收, every 中/高费 option implemented or abandoned with a reason.
Submission also needs the enterprise's written application and audit report (services.attachments).
A consulting agency prepares drafts for the enterprises that engaged it; only the enterprise submits. Log codes: applications.application.started, .saved,
.submitted (version 1), .resubmitted (version ≥ 2).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.chain import document_digest
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import diff, log_action
from cpaudit.core.logdisplay import register
from cpaudit.org import access
from cpaudit.progress.models import StepRecord
from cpaudit.progress.selectors.readiness import open_high_options, step_states
from cpaudit.progress.services.derived import acceptance_blockers, evaluation_blockers
from cpaudit.progress.steps import EVALUATION_STEP

from .. import formspec, transitions
from ..models import EDITABLE, Application, ApplicationVersion, Kind, Status
from . import attachments
from .common import (
    after_commit_checkpoint,
    announce,
    chain_route,
    lock,
    organizer_for,
    require_state,
    route,
)

register("applications.application.started", "新建评估/验收申请表")
register("applications.application.saved", "保存评估/验收申请表")
register("applications.application.submitted", "提交评估/验收申请")
register("applications.application.resubmitted", "修改后重新提交评估/验收申请")
register("applications.application.withdrawn", "撤回评估/验收申请")


def passed_evaluation(enrolment) -> Application | None:
    return (Application.objects.filter(enrolment=enrolment, kind=Kind.EVALUATION, status=Status.PASSED)
            .order_by("-result_date", "-pk").first())


def eligibility(enrolment, kind: str) -> tuple[bool, str]:
    """(may apply, why not) — the reason is shown to the enterprise as is."""
    return eligibility_many([enrolment])[(enrolment.pk, kind)]


def eligibility_many(enrolments) -> dict[tuple[int, str], tuple[bool, str]]:
    """(enrolment id, kind) → (may apply, why not) for many enrolments in three queries.

    评估 relies on steps 1–27, 验收 on steps 1–35 and a passed 评估: each step completed and confirmed
    by the branch, the deliverables (22, 27, 35) with their file; 验收 also needs every 中/高费 option
    implemented or abandoned with a reason (progress.services.derived.*_blockers)."""
    ids = [e.pk for e in enrolments]
    states = step_states(ids)
    open_options = open_high_options(ids)
    passed = set(Application.objects.filter(enrolment_id__in=ids, kind=Kind.EVALUATION, status=Status.PASSED)
                 .values_list("enrolment_id", flat=True))
    result = {}
    for pk in ids:
        state = states[pk]
        blockers = evaluation_blockers(state.records, state.with_file)
        result[(pk, Kind.EVALUATION)] = (False, blockers.message("评估")) if blockers else (True, "")
        if pk not in passed:
            result[(pk, Kind.ACCEPTANCE)] = (False, "尚未通过清洁生产审核评估，暂不能申请验收")
            continue
        blockers = acceptance_blockers(state.records, state.with_file, open_options.get(pk, ()))
        result[(pk, Kind.ACCEPTANCE)] = (False, blockers.message("验收")) if blockers else (True, "")
    return result


def _registry(application, today):
    """The registry-bound values now; the 验收 time limit is judged on `today`, the submission day
    (not on the typed 申请日期, which the enterprise could set back)."""
    return formspec.registry_values(application.enrolment, application.kind, application.evaluation,
                                    application.campaign, today)


def _require_active(application, what: str) -> None:
    if application.campaign.status != Campaign.Status.ACTIVE:
        raise InvalidState(f"审核批次「{application.campaign}」已结束，不能{what}", code="campaign_closed")


@transaction.atomic
def application_start(*, actor, enrolment: Enrolment, kind: str) -> Application:
    """A new draft, pre-filled from the registry and the enrolment. An open application of the same
    kind is returned as it is (one at a time)."""
    enrolment = (Enrolment.objects.select_for_update(of=("self",))
                 .select_related("enterprise", "enterprise__industry", "campaign", "consulting_agency")
                 .get(pk=enrolment.pk))
    access.check(actor, "applications.application.prepare", enrolment)
    if kind not in Kind.values:
        raise InvalidState(f"未知的申请类型“{kind}”", code="wrong_kind")
    existing = Application.objects.filter(enrolment=enrolment, kind=kind).exclude(status=Status.FAILED).first()
    if existing is not None:
        return existing
    if enrolment.campaign.status != Campaign.Status.ACTIVE:
        raise InvalidState(f"审核批次「{enrolment.campaign}」已结束，不能再提出申请", code="campaign_closed")
    ok, why = eligibility(enrolment, kind)
    if not ok:
        raise InvalidState(why, code="not_eligible")
    today = clock.today()
    evaluation = passed_evaluation(enrolment) if kind == Kind.ACCEPTANCE else None
    application = Application(campaign=enrolment.campaign, enrolment=enrolment, kind=kind, evaluation=evaluation,
                              prepared_by=None if is_system(actor) else actor)
    report = StepRecord.objects.filter(enrolment=enrolment, step_id=EVALUATION_STEP).first()
    application.form_data = formspec.prefill(enrolment, kind, today=today, evaluation=evaluation,
                                             audit_end=report.completion_date if report else None)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:  # another tab started it at the same moment
        raise InvalidState("该企业已有同类申请，请刷新页面", code="exists") from exc
    log_action(actor=actor, action="applications.application.started", obj=application,
               data={"kind": kind, "enrolment": enrolment.pk})
    return application


@transaction.atomic
def application_save(*, actor, application: Application, data: dict) -> Application:
    """Save the draft. Input errors raise ValidationError {field: message} and change nothing."""
    application = lock(application)
    access.check(actor, "applications.application.prepare", application)
    require_state(application, *EDITABLE, what="修改申请表")
    _require_active(application, "修改申请表")
    values, errors = formspec.clean(application.kind, data)
    if errors:
        raise ValidationError(errors)
    before = dict(application.form_data)
    # Registry-bound values follow the registry (a rename there shows up in the draft).
    after = {**before, **values, **_registry(application, clock.today())}
    changes = diff(before, after)
    if not changes:
        return application
    application.form_data = after
    if not is_system(actor):
        application.prepared_by = actor
    application.save(update_fields=["form_data", "prepared_by", "updated_at"])
    log_action(actor=actor, action="applications.application.saved", obj=application, changes=changes)
    return application


@transaction.atomic
def application_submit(*, actor, application: Application) -> ApplicationVersion:
    """The enterprise submits: checks eligibility and the form, freezes version n+1 (SM3 digest in the
    log), assigns the organizer by management level and sends the application to its branch."""
    application = lock(application)
    access.check(actor, "applications.application.submit", application)
    if is_system(actor):
        raise PermissionDenied("申请须由企业用户本人提交")
    require_state(application, *EDITABLE, what="提交")
    _require_active(application, "提交申请")
    ok, why = eligibility(application.enrolment, application.kind)
    if not ok:
        raise InvalidState(why, code="not_eligible")
    today = clock.today()
    registry = _registry(application, today)
    application.form_data = {**application.form_data, **registry}
    errors = formspec.validate(application.kind, application.form_data, registry=registry,
                               campaign=application.campaign, today=today)
    if errors:
        raise ValidationError(errors)
    missing = attachments.missing(application)
    if missing:
        raise InvalidState(f"请先上传{'、'.join(missing)}（随申请表一并提交）", code="attachments_missing")
    agencies = route(application)
    # Routed afresh at each submission: the management level decides who organizes this round.
    application.organizer_level, application.organizer = organizer_for(application, agencies)
    chain = chain_route(application, agencies)
    row = transitions.find(application.status, chain, "submit")
    transitions.require_owner(actor, application.status, chain, "提交申请")
    number = application.versions.count() + 1
    content = formspec.freeze(application.kind, application.form_data, registry)
    content["version"] = number
    content["attachments"] = attachments.freeze(application)
    version = ApplicationVersion.objects.create(
        application=application, number=number, content=content, digest=document_digest(content),
        submitted_by=actor, submitted_at=clock.business_now())
    before, after = transitions.apply(application, row)
    # A resubmission travels the chain again: the earlier round's batches are history (Batch.content).
    application.branch_batch = application.city_batch = None
    application.submitted_at = version.submitted_at
    application.return_reason, application.returned_level = "", ""
    application.save()
    log_action(actor=actor, action=row.log, obj=application, changes={"status": [before, after]},
               data={"version": number, "digest": version.digest, "organizer": chain.organizer.name,
                     "organizer_level": chain.organizer_level,
                     "attachments": [a["digest"] for a in content["attachments"]]})
    announce(application, row, chain)
    after_commit_checkpoint()
    return version


@transaction.atomic
def application_withdraw(*, actor, application: Application) -> Application:
    """撤回: the enterprise takes back its submission while nobody has acted on it (待分局审核, no decision
    on the submitted version): back to 草稿, the frozen version stays as history and the next submission
    is version n+1. The branch's notice of it is read (the item has left its desk)."""
    from cpaudit.reports.models import Notification

    application = lock(application)
    access.check(actor, "applications.application.submit", application)
    if is_system(actor):
        raise PermissionDenied("撤回须由企业用户本人办理")
    if getattr(actor, "enterprise_id", None) != application.enrolment.enterprise_id:
        raise PermissionDenied("只有本企业用户可以撤回申请")
    row = transitions.find(application.status, chain_route(application), "withdraw", what="撤回")
    version = application.versions.order_by("-number").first()
    if version is None or application.decisions.filter(version=version).exists():
        raise InvalidState("分局已开始办理该申请，不能撤回", code="acted_on")
    before, after = transitions.apply(application, row)
    application.submitted_at = None
    application.save()
    log_action(actor=actor, action=row.log, obj=application, changes={"status": [before, after]},
               data={"version": version.number})
    Notification.objects.filter(subject=f"applications.application:{application.pk}", read_at__isnull=True).update(
        read_at=clock.server_now())
    return application
