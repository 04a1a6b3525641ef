"""Business actions on the 35 steps (authority.md § Progress chain): the enterprise or its engaged agency
records a step, branch staff confirm or return a completed one, a confirmed step is locked until branch
staff reopen it with a reason. Each action checks the actor, locks the enrolment and then the record
(always in that order), validates, saves and writes one log entry in the same transaction.

Deliverable steps (22 中期审核报告, 27 送评估稿, 35 终稿) produce a document: they are completed only
with a current evidence file on the record (the enterprise saves the step as 进行中, uploads the
report, then completes it). Evidence is never removed, and a replacement is a new current version
(services.evidence), so a completed deliverable keeps a file; the replaced version goes before the
branch again through review_version.

Reopen semantics: a reopened step goes back to 进行中 with no review state (its completion date is
cleared, the reason is kept in `review_reason` and in the log); the enterprise completes it again, which
sends it to the branch as 待核实 once more. A returned step is also set back to 进行中.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.org import access
from cpaudit.workbench.notify import step_handed_over

from ..models import Evidence, ReviewStatus, StageTarget, StepRecord, StepStatus
from ..steps import DELIVERABLE_STEPS, all_steps, step
from . import derived

RECORD_FIELDS = ["status", "start_date", "completion_date", "note", "review", "review_reason"]
LOCKED_MESSAGE = "该步骤已核实锁定，如需更正请联系分局重新打开"
CLOSED_MESSAGE = "审核批次已结束，审核进展不能再修改"


def _user(actor):
    """The user to store in recorded_by / reviewed_by (a system actor is recorded only in the log)."""
    return None if getattr(actor, "is_system", False) else actor


def _fmt(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _lock_enrolment(enrolment) -> Enrolment:
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if Campaign.objects.filter(pk=locked.campaign_id, status=Campaign.Status.CLOSED).exists():
        raise InvalidState(CLOSED_MESSAGE, code="campaign_closed")
    return locked


def _lock_record(record) -> StepRecord:
    """Lock the enrolment (as step_record does, so both kinds of action serialize), then the record."""
    _lock_enrolment(record.enrolment)
    return StepRecord.objects.select_for_update().select_related("enrolment").get(pk=record.pk)


def _validate(enrolment, number: int, status: str, start, completion, others, has_file: bool) -> None:
    """Raise ValidationError (by field) unless the status and dates are plausible (and a deliverable
    being completed has its file: `has_file`)."""
    errors: dict[str, list[str]] = {}

    def err(field, message):
        errors.setdefault(field, []).append(message)

    if status not in StepStatus.values:
        raise ValidationError({"status": "请选择步骤状态（未开始、进行中或已完成）"})
    for field, value in (("start_date", start), ("completion_date", completion)):
        if value is not None and not isinstance(value, dt.date):
            raise ValidationError({field: "日期格式不正确"})
    if status == StepStatus.IN_PROGRESS:
        if start is None:
            err("start_date", "进行中的步骤须填写开始日期")
        if completion is not None:
            err("completion_date", "进行中的步骤不应填写完成日期；已完成请将状态选为“已完成”")
    if status == StepStatus.COMPLETED:
        if start is None:
            err("start_date", "已完成的步骤须填写开始日期")
        if completion is None:
            err("completion_date", "已完成的步骤须填写完成日期")
    today = clock.today()
    for field, label, value in (("start_date", "开始日期", start), ("completion_date", "完成日期", completion)):
        if value is None:
            continue
        if value > today:
            err(field, f"{label}不能晚于今天（{_fmt(today)}）")
        earliest = enrolment.start_date or derived.audit_start(enrolment.campaign)
        if value < earliest:
            what = "本企业的开始审核时间" if enrolment.start_date else "审核批次的启动日期"
            err(field, f"{label}不能早于{what}（{_fmt(earliest)}）")
    if start and completion and completion < start:
        err("completion_date", "完成日期不能早于开始日期")
    if status == StepStatus.COMPLETED and number in DELIVERABLE_STEPS:
        missing = derived.missing_before(others, step(number).stage)
        if missing:
            err("status", f"第{number}步为阶段成果，须先完成前面各阶段的全部步骤；尚未完成：第"
                + "、".join(str(n) for n in missing) + "步")
        if not has_file:
            err("status", f"第{number}步的成果（{step(number).deliverable}）须作为佐证材料上传后才能填为“已完成”："
                          "请先将本步骤保存为“进行中”，上传文件后再填为“已完成”")
    if status != StepStatus.COMPLETED:
        _guard_deliverables(others, number, lambda message: err("status", message))
    if errors:
        raise ValidationError(errors)


def confirmed_steps(enrolment, numbers) -> list[int]:
    """Which of `numbers` are confirmed (locked) for the enrolment: data those steps vouch for is locked too."""
    return sorted(StepRecord.objects.filter(enrolment=enrolment, step_id__in=list(numbers),
                                            review=ReviewStatus.CONFIRMED).values_list("step_id", flat=True))


def refuse_if_confirmed(enrolment, numbers, what: str) -> None:
    locked = confirmed_steps(enrolment, numbers)
    if locked:
        listed = "、".join(f"第{n}步" for n in locked)
        raise InvalidState(f"{listed}已核实锁定，{what}随之锁定；如需更正请联系分局重新打开{listed}", code="locked")


def _guard_deliverables(others, number: int, refuse) -> None:
    """Undoing a step of stage s would break a completed deliverable of a later stage (22, 27, 35 need
    every earlier stage complete): that deliverable must be reopened first."""
    dependents = derived.completed_deliverables_after(others, step(number).stage)
    if dependents:
        listed = "、".join(f"第{n}步" for n in dependents)
        refuse(f"{listed}（阶段成果）已完成，须以第{step(number).stage}阶段全部完成为前提；"
               f"请先将{listed}改为进行中（已核实的须由分局重新打开）")


@transaction.atomic
def step_record(*, actor, enrolment, step_number: int, status: str, start_date=None, completion_date=None,
                note: str = "") -> StepRecord:
    """The enterprise (or its engaged agency) records the status, dates and note of one step."""
    access.check(actor, "progress.step.record", enrolment)
    if step_number not in {s.number for s in all_steps()}:
        raise ValidationError({"step": f"审核步骤应为第1至{len(all_steps())}步"})
    enrolment = _lock_enrolment(enrolment)
    record = (StepRecord.objects.select_for_update().filter(enrolment=enrolment, step_id=step_number).first()
              or StepRecord(enrolment=enrolment, step_id=step_number))  # saved below, under the enrolment's lock
    if record.locked:
        raise InvalidState(LOCKED_MESSAGE, code="locked")
    if status == StepStatus.NOT_STARTED:
        start_date = completion_date = None
    others = StepRecord.objects.filter(enrolment=enrolment).exclude(step_id=step_number).only("step_id", "status")
    has_file = bool(record.pk) and Evidence.objects.filter(record=record, is_current=True).exists()
    _validate(enrolment, step_number, status, start_date, completion_date, others, has_file)
    before = snapshot(record, RECORD_FIELDS) if record.pk else {}
    record.status, record.start_date, record.completion_date = status, start_date, completion_date
    record.note = (note or "").strip()
    # Completing (again) puts the step before the branch; anything else leaves nothing to review.
    record.review = ReviewStatus.PENDING if status == StepStatus.COMPLETED else ReviewStatus.NONE
    changes = diff(before, snapshot(record, RECORD_FIELDS))
    if (record.pk and not changes) or (not record.pk and status == StepStatus.NOT_STARTED and not record.note):
        return record  # nothing new (a missing row already means 未开始)
    record.recorded_by, record.recorded_at = _user(actor), clock.server_now()
    record.full_clean(exclude=["enrolment", "step"])
    record.save()
    log_action(actor=actor, action="progress.step.recorded", obj=record, changes=changes,
               data={"enrolment": enrolment.pk, "step": step_number})
    if record.review == ReviewStatus.PENDING:
        step_handed_over(record, "completed")  # the branch's turn (workbench.notify)
    return record


def review_version(record) -> str:
    """What the reviewer saw: the last recording and the newest evidence. A decision on a page older than
    this is refused, so the branch never confirms content it has not seen."""
    newest = record.evidence.order_by("-pk").values_list("pk", flat=True).first() if record.pk else None
    recorded = record.recorded_at.isoformat() if record.recorded_at else ""
    return f"{recorded}|{newest or 0}"


def _review(actor, record, *, action: str, right: str, expected: str, apply, reason: str = "",
            reason_required: bool = False, version: str | None = None):
    access.check(actor, right, record)
    record = _lock_record(record)
    if record.review != expected:
        labels = dict(ReviewStatus.choices)
        current = labels[record.review] if record.review != ReviewStatus.NONE else record.get_status_display()
        raise InvalidState(f"只有“{labels[expected]}”的步骤可以{action_label(action)}；该步骤当前为“{current}”",
                           code="invalid_review_state")
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise ValidationError({"reason": f"{action_label(action)}须填写原因"})
    if action in ("returned", "reopened"):  # both put the step back in progress
        others = StepRecord.objects.filter(enrolment_id=record.enrolment_id).exclude(pk=record.pk).only(
            "step_id", "status")

        def refuse(message):
            raise InvalidState(message, code="deliverable_depends")

        _guard_deliverables(others, record.step_id, refuse)
    if version is not None and version != review_version(record):
        raise InvalidState("该步骤的填报内容或佐证材料在您查看后已更新，请刷新页面后再核实", code="stale_review")
    before = snapshot(record, RECORD_FIELDS)
    apply(record, reason)
    record.reviewed_by, record.reviewed_at = _user(actor), clock.server_now()
    record.save()
    data = {"enrolment": record.enrolment_id, "step": record.step_id}
    if reason:
        data["reason"] = reason
    log_action(actor=actor, action=f"progress.step.{action}", obj=record,
               changes=diff(before, snapshot(record, RECORD_FIELDS)), data=data)
    step_handed_over(record, action, reason)  # the enterprise is told of a return or a stage passed
    return record


def action_label(action: str) -> str:
    return {"confirmed": "核实", "returned": "退回", "reopened": "重新打开"}[action]


@transaction.atomic
def step_confirm(*, actor, record, version: str | None = None) -> StepRecord:
    """Branch staff confirm (核实) a completed step awaiting review: it is locked from then on."""

    def apply(r, _reason):
        r.review, r.review_reason = ReviewStatus.CONFIRMED, ""

    return _review(actor, record, action="confirmed", right="progress.step.review",
                   expected=ReviewStatus.PENDING, apply=apply, version=version)


@transaction.atomic
def step_return(*, actor, record, reason: str, version: str | None = None) -> StepRecord:
    """Branch staff send a completed step back with a reason: it is in progress again until the
    enterprise completes it once more."""

    def apply(r, why):
        r.review, r.review_reason = ReviewStatus.RETURNED, why
        r.status, r.completion_date = StepStatus.IN_PROGRESS, None

    return _review(actor, record, action="returned", right="progress.step.review", expected=ReviewStatus.PENDING,
                   apply=apply, reason=reason, reason_required=True, version=version)


@transaction.atomic
def step_reopen(*, actor, record, reason: str) -> StepRecord:
    """Branch staff reopen a confirmed (locked) step so the enterprise can correct it."""

    def apply(r, why):
        r.review, r.review_reason = ReviewStatus.NONE, why
        r.status, r.completion_date = StepStatus.IN_PROGRESS, None

    return _review(actor, record, action="reopened", right="progress.step.reopen", expected=ReviewStatus.CONFIRMED,
                   apply=apply, reason=reason, reason_required=True)


@transaction.atomic
def stage_targets_save(*, actor, campaign, targets: dict[int, dt.date]) -> dict[int, dt.date]:
    """Set a campaign's time nodes. A date equal to the default is stored as no override, so the node
    keeps following the campaign's deadlines. Returns the effective targets."""
    access.check(actor, "campaigns.campaign.change", campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    unknown = sorted(set(targets) - set(range(1, derived.STAGE_COUNT + 1)))
    if unknown:
        raise ValidationError(f"阶段应为1至{derived.STAGE_COUNT}：{unknown}")
    for stage, day in targets.items():
        if not isinstance(day, dt.date):
            raise ValidationError({f"stage_{stage}": "请填写日期"})
    before = derived.stage_targets(campaign)
    after = {**before, **targets}
    for stage in range(2, derived.STAGE_COUNT + 1):
        if after[stage] < after[stage - 1]:
            raise ValidationError({f"stage_{stage}": f"第{stage}阶段的节点日期不能早于第{stage - 1}阶段"
                                                     f"（{_fmt(after[stage - 1])}）"})
    defaults = derived.default_stage_targets(campaign)
    for stage, day in targets.items():
        if day == defaults[stage]:
            StageTarget.objects.filter(campaign=campaign, stage=stage).delete()
        else:
            StageTarget.objects.update_or_create(campaign=campaign, stage=stage, defaults={"target_date": day})
    changes = diff({f"stage_{k}": v for k, v in before.items()}, {f"stage_{k}": v for k, v in after.items()})
    if changes:
        log_action(actor=actor, action="progress.targets.updated", obj=campaign, changes=changes)
    return after
