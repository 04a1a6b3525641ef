"""The enterprise's side: start a form (pre-filled), save the draft, submit (freeze a version).

Eligibility (domain README § 3): 评估 needs the audit completed through step 27; 验收 a passed 评估 of
the same enrolment and all 35 steps. A consulting agency prepares drafts for the enterprises that
engaged it; only the enterprise submits. Log codes: applications.application.started, .saved,
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
from cpaudit.org.roles import Role
from cpaudit.progress.models import StepRecord
from cpaudit.progress.services.derived import completed_through, eligible_for_evaluation
from cpaudit.progress.steps import EVALUATION_STEP, FINAL_STEP

from .. import formspec
from ..models import EDITABLE, Application, ApplicationVersion, Kind, Status
from .common import (
    after_commit_checkpoint,
    agency_users,
    lock,
    notify,
    organizer_for,
    require_state,
    route,
)

register("applications.application.started", "新建评估/验收申请表")
register("applications.application.saved", "保存评估/验收申请表")
register("applications.application.submitted", "提交评估/验收申请")
register("applications.application.resubmitted", "修改后重新提交评估/验收申请")


def passed_evaluation(enrolment) -> Application | None:
    return (Application.objects.filter(enrolment=enrolment, kind=Kind.EVALUATION, status=Status.PASSED)
            .order_by("-result_date", "-pk").first())


def eligibility(enrolment, kind: str) -> tuple[bool, str]:
    """(may apply, why not) — the reason is shown to the enterprise as is."""
    return eligibility_many([enrolment])[(enrolment.pk, kind)]


def eligibility_many(enrolments) -> dict[tuple[int, str], tuple[bool, str]]:
    """(enrolment id, kind) → (may apply, why not) for many enrolments in two queries."""
    ids = [e.pk for e in enrolments]
    records: dict[int, list] = {pk: [] for pk in ids}
    for record in StepRecord.objects.filter(enrolment_id__in=ids).only("enrolment_id", "step_id", "status"):
        records[record.enrolment_id].append(record)
    passed = set(Application.objects.filter(enrolment_id__in=ids, kind=Kind.EVALUATION, status=Status.PASSED)
                 .values_list("enrolment_id", flat=True))
    result = {}
    for pk in ids:
        rows = records[pk]
        if not eligible_for_evaluation(rows):
            result[(pk, Kind.EVALUATION)] = (False, "审核尚未完成第1至27步（清洁生产审核报告送评估稿），暂不能申请评估")
        else:
            result[(pk, Kind.EVALUATION)] = (True, "")
        if pk not in passed:
            result[(pk, Kind.ACCEPTANCE)] = (False, "尚未通过清洁生产审核评估，暂不能申请验收")
        elif not completed_through(rows, FINAL_STEP):
            result[(pk, Kind.ACCEPTANCE)] = (False, f"审核尚未完成全部{FINAL_STEP}个步骤，暂不能申请验收")
        else:
            result[(pk, Kind.ACCEPTANCE)] = (True, "")
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
    agencies = route(application)
    level, organizer = organizer_for(application, agencies)
    number = application.versions.count() + 1
    content = formspec.freeze(application.kind, application.form_data, registry)
    content["version"] = number
    version = ApplicationVersion.objects.create(
        application=application, number=number, content=content, digest=document_digest(content),
        submitted_by=actor, submitted_at=clock.business_now())
    before = {"status": application.status}
    application.status = Status.BRANCH_REVIEW
    application.organizer_level, application.organizer = level, organizer
    # A resubmission travels the chain again: the earlier round's batches are history (Batch.content).
    application.branch_batch = application.city_batch = None
    application.submitted_at = version.submitted_at
    application.return_reason, application.returned_level = "", ""
    application.save()
    log_action(actor=actor, action="applications.application.submitted" if number == 1
               else "applications.application.resubmitted", obj=application,
               changes={"status": [before["status"], application.status]},
               data={"version": number, "digest": version.digest, "organizer": organizer.name,
                     "organizer_level": level})
    notify(agency_users(agencies["branch"], [Role.BRANCH_STAFF]), application,
           f"{application.enrolment.enterprise}提交了{application.get_kind_display()}申请，请审核",
           f"app:{application.pk}:submitted:{number}")
    after_commit_checkpoint()
    return version
