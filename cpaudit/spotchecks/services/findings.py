"""At the enterprise: the drawn inspectors record findings (options really implemented, figures real,
equipment present) with evidence files; a finding of a problem opens a rectification task with a
deadline, which the enterprise answers and the county branch closes (销号).

Inspectors act from the check date on, while the plan is drawn and its results not yet approved; each
must hold a current declaration of interest and have declared no tie with the enterprise.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock, storedfiles
from cpaudit.core.actors import is_system
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import diff, log_action
from cpaudit.integrity.conflicts import user_conflict
from cpaudit.integrity.requirements import require_current_declaration
from cpaudit.org import access

from ..models import (
    Aspect,
    Assignment,
    EvidenceFile,
    Finding,
    Item,
    ItemStatus,
    Outcome,
    PlanStatus,
    Rectification,
    RectificationStatus,
)


def _lock_item(item) -> Item:
    return (Item.objects.select_for_update(of=("self",))
            .select_related("plan", "enterprise", "enrolment").get(pk=item.pk))


def is_assigned(user, item) -> bool:
    return Assignment.objects.filter(item_id=item.pk, inspector_id=getattr(user, "pk", None)).exists()


def _require_inspector(actor, item: Item, what: str) -> None:
    if is_system(actor) or not is_assigned(actor, item):
        raise PermissionDenied(f"只有抽取到该企业的检查人员可以{what}")
    if item.plan.status != PlanStatus.DRAWN:
        raise InvalidState(f"抽查方案{item.plan.get_status_display()}，不能{what}", code="not_open")
    if clock.today() < item.plan.check_date:
        raise InvalidState(f"检查日期（{item.plan.check_date:%Y年%m月%d日}）未到，不能{what}", code="before_check_date")
    require_current_declaration(actor, what)
    recusal = user_conflict(actor, item.enterprise_id, item.enrolment.consulting_agency_id)
    if recusal:
        raise PermissionDenied(f"您申报了与该企业或其咨询机构的利益关系，应当回避：{recusal}")


@transaction.atomic
def findings_record(*, actor, item: Item, results: dict, summary: str = "") -> Item:
    """Record (or correct) the item's findings: `results` maps every aspect to (outcome, note); a
    problem found needs its note."""
    item = _lock_item(item)
    access.check(actor, "spotchecks.item.record", item)
    _require_inspector(actor, item, "录入检查结果")
    errors = {}
    clean = {}
    for aspect in Aspect.values:
        outcome, note = results.get(aspect, ("", ""))
        note = (note or "").strip()
        if outcome not in Outcome.values:
            errors[f"{aspect}_outcome"] = "请选择检查结果"
        elif outcome == Outcome.NONCONFORM and not note:
            errors[f"{aspect}_note"] = "发现问题的，请写明具体情况"
        clean[aspect] = (outcome, note)
    if errors:
        raise ValidationError(errors)
    existing = {f.aspect: f for f in Finding.objects.select_for_update().filter(item=item)}
    before = {a: [f.outcome, f.note] for a, f in existing.items()}
    for aspect, (outcome, note) in clean.items():
        finding = existing.get(aspect) or Finding(item=item, aspect=aspect)
        finding.outcome, finding.note = outcome, note
        finding.save()
    after = {a: list(v) for a, v in clean.items()}
    summary = (summary or "").strip()
    changes = diff({**before, "summary": item.summary, "status": item.status},
                   {**after, "summary": summary, "status": ItemStatus.RECORDED})
    if not changes:
        raise InvalidState("检查结果没有变化", code="unchanged")
    item.summary, item.status = summary, ItemStatus.RECORDED
    item.recorded_by, item.recorded_at = actor, clock.business_now()
    item.save(update_fields=["summary", "status", "recorded_by", "recorded_at"])
    log_action(actor=actor, action="spotchecks.item.recorded", obj=item, changes=changes,
               data={"plan": item.plan_id, "enterprise": item.enterprise_id})
    return item


def evidence_upload(*, actor, item: Item, uploaded_file) -> EvidenceFile:
    """Attach a file taken at the check; spooled and typed before the transaction (core.storedfiles)."""
    access.check(actor, "spotchecks.item.record", item)
    spooled = storedfiles.receive(uploaded_file)
    try:
        return _attach(actor, item, spooled)
    finally:
        spooled.path.unlink(missing_ok=True)


@transaction.atomic
def _attach(actor, item: Item, spooled) -> EvidenceFile:
    item = _lock_item(item)
    _require_inspector(actor, item, "上传检查佐证材料")
    row = EvidenceFile.objects.create(item=item, digest=spooled.digest, name=spooled.name, size=spooled.size,
                                      content_type=spooled.content_type, uploaded_by=actor,
                                      uploaded_at=clock.business_now())
    log_action(actor=actor, action="spotchecks.item.file_uploaded", obj=item, data={
        "file": row.pk, "digest": spooled.digest, "name": spooled.name, "size": spooled.size, "kind": spooled.kind})
    storedfiles.store(spooled.path, spooled.digest)  # last: a stored file is never removed
    return row


def evidence_open(*, actor, row: EvidenceFile):
    """An open handle on the file for someone who sees its item (the caller closes it)."""
    access.check(actor, "spotchecks.plan.view", row.item)
    return storedfiles.open_stored(row.digest, "检查佐证材料")


@transaction.atomic
def rectification_open(*, actor, item: Item, requirement: str, deadline) -> Rectification:
    """A problem found opens a rectification task for the enterprise: by a drawn inspector, or by the
    planning agency's staff; the deadline after today."""
    item = _lock_item(item)
    access.check(actor, "spotchecks.rectification.open", item)
    organizer = not is_system(actor) and actor.agency_id == item.plan.agency_id and actor.role.endswith("_staff")
    if not (organizer or is_assigned(actor, item)):
        raise PermissionDenied("整改任务由抽取到该企业的检查人员或组织单位经办人员下达")
    if item.plan.status not in (PlanStatus.DRAWN, PlanStatus.APPROVED):
        raise InvalidState(f"抽查方案{item.plan.get_status_display()}，不能下达整改任务", code="not_open")
    require_current_declaration(actor, "下达整改任务")
    if user_conflict(actor, item.enterprise_id, item.enrolment.consulting_agency_id):
        raise PermissionDenied("您申报了与该企业或其咨询机构的利益关系，应当回避")
    if not Finding.objects.filter(item=item, outcome=Outcome.NONCONFORM).exists():
        raise InvalidState("检查结果中没有发现问题，不能下达整改任务", code="no_problem")
    requirement = (requirement or "").strip()
    errors = {}
    if not requirement:
        errors["requirement"] = "请填写整改要求"
    if deadline is None:
        errors["deadline"] = "请填写整改期限"
    elif deadline <= clock.today():
        errors["deadline"] = "整改期限须晚于今天"
    if errors:
        raise ValidationError(errors)
    task = Rectification.objects.create(item=item, enterprise=item.enterprise, requirement=requirement,
                                        deadline=deadline, opened_by=actor, opened_at=clock.business_now())
    log_action(actor=actor, action="spotchecks.rectification.opened", obj=task, data={
        "item": item.pk, "enterprise": item.enterprise_id, "requirement": requirement, "deadline": deadline})
    return task


def _lock_task(task) -> Rectification:
    return Rectification.objects.select_for_update(of=("self",)).select_related("enterprise", "item").get(pk=task.pk)


@transaction.atomic
def rectification_report(*, actor, task: Rectification, report: str) -> Rectification:
    """The enterprise reports what it did (it may report again while the task is open or reported)."""
    task = _lock_task(task)
    access.check(actor, "spotchecks.rectification.report", task)
    if is_system(actor) or actor.enterprise_id != task.enterprise_id:
        raise PermissionDenied("整改情况由被检查企业报告")
    if task.status == RectificationStatus.CLOSED:
        raise InvalidState("整改任务已销号", code="closed")
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": "请填写整改情况"})
    before = [task.status, task.report]
    task.status, task.report = RectificationStatus.REPORTED, report
    task.reported_by, task.reported_at = actor, clock.business_now()
    task.save(update_fields=["status", "report", "reported_by", "reported_at"])
    log_action(actor=actor, action="spotchecks.rectification.reported", obj=task,
               changes={"status": [before[0], task.status], "report": [before[1], report]})
    return task


@transaction.atomic
def rectification_close(*, actor, task: Rectification, note: str) -> Rectification:
    """The enterprise's county branch closes the task (销号) once it has verified the rectification."""
    task = _lock_task(task)
    access.check(actor, "spotchecks.rectification.close", task)
    if is_system(actor) or actor.agency is None or actor.agency.division_id != task.enterprise.county_id:
        raise PermissionDenied("整改任务由企业所在县（市、区）分局销号")
    if task.status == RectificationStatus.CLOSED:
        raise InvalidState("整改任务已销号", code="closed")
    require_current_declaration(actor, "整改销号")
    if user_conflict(actor, task.enterprise_id, None):
        raise PermissionDenied("您申报了与该企业的利益关系，应当回避")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写核查销号意见"})
    before = task.status
    task.status, task.closing_note = RectificationStatus.CLOSED, note
    task.closed_by, task.closed_at = actor, clock.business_now()
    task.save(update_fields=["status", "closing_note", "closed_by", "closed_at"])
    log_action(actor=actor, action="spotchecks.rectification.closed", obj=task,
               changes={"status": [before, task.status]}, data={"note": note})
    return task
