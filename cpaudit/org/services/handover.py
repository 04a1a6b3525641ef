"""转办: when a person leaves or moves, their pending personal work goes to a colleague of the same role
and agency, by their leader or the security administrator, with a reason, logged.

What is personal and moves (most work is owned by an agency's desk — an application waits for "the
branch's staff", not for a person — and stays where it is):
- drafts they prepared: monthly reports they are the 经办人 of, still 编辑中 or 已退回 (the colleague
  becomes the 经办人 printed on the report; the leader's own approval rule still applies to them);
- 评估/验收 results summaries they drafted, still 编辑中 or 已退回, likewise;
- open follow-ups of the intervention register (干预登记) they are the 整改责任人 of, unless the
  colleague is the person the entry names (that one stays for the supervising leader to re-assign);
- their unread notifications (reminders, returns), which are about that work; one the colleague
  already holds under the same key stays behind.
The colleague is told in a notification.
What does not move: decisions and submissions already taken (history), declarations of interest
(personal by nature), background jobs (run in their creator's name), and expert accounts (a panel
seat is redrawn, never handed over). Another app adds a kind of personal work with `register`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action

from .. import access
from ..models import User
from ..roles import GOVERNMENT_ROLES, LEADER_ROLES, STAFF_ROLES, Role
from .common import clean_reason, lock, not_self


@dataclass(frozen=True)
class WorkKind:
    key: str
    label: str
    pending: Callable  # user → queryset of the pending items
    move: Callable  # (queryset, from user, to user) → ids moved


KINDS: dict[str, WorkKind] = {}


def register(kind: WorkKind) -> None:
    KINDS[kind.key] = kind


def _draft_reports(user):
    return apps.get_model("reports", "MonthlyReport").objects.filter(
        prepared_by=user, status__in=["draft", "returned"])


def _move_prepared(items, person, colleague) -> list:
    ids = list(items.select_for_update().values_list("pk", flat=True))
    items.model.objects.filter(pk__in=ids).update(prepared_by=colleague)
    return ids


def _unread(user):
    return apps.get_model("reports", "Notification").objects.filter(user=user, read_at__isnull=True)


def _move_notifications(items, person, colleague) -> list:
    held = set(items.model.objects.filter(user=colleague).exclude(key="").values_list("key", flat=True))
    ids = [pk for pk, key in items.select_for_update().values_list("pk", "key") if not key or key not in held]
    items.model.objects.filter(pk__in=ids).update(user=colleague)
    return ids


def _draft_results(user):
    return apps.get_model("reports", "ResultsSummary").objects.filter(
        prepared_by=user, status__in=["draft", "returned"])


def _open_follow_ups(user):
    return apps.get_model("integrity", "Intervention").objects.filter(owner=user, state="rectifying")


def _move_follow_ups(items, person, colleague) -> list:
    # The person an entry names never follows it up: such an entry stays for its leader to re-assign.
    ids = list(items.exclude(named_user=colleague).select_for_update().values_list("pk", flat=True))
    items.model.objects.filter(pk__in=ids).update(owner=colleague)
    return ids


register(WorkKind("reports.draft", "起草中的月度报告", _draft_reports, _move_prepared))
register(WorkKind("reports.results_draft", "起草中的评估/验收结果汇总", _draft_results, _move_prepared))
register(WorkKind("integrity.follow_up", "负责整改的干预登记", _open_follow_ups, _move_follow_ups))
register(WorkKind("reports.notification", "未读通知", _unread, _move_notifications))


def pending_work(user: User) -> list[tuple[str, str, int]]:
    """(key, label, count) of each kind of personal work the user holds, in registration order."""
    return [(kind.key, kind.label, kind.pending(user).count()) for kind in KINDS.values()]


def check_reassign(actor, person: User) -> None:
    access.check(actor, "org.user.reassign", person)
    not_self(actor, person, "转办")
    if person.role not in GOVERNMENT_ROLES:
        raise PermissionDenied("只有政府工作人员的待办事项可以转办")
    if getattr(actor, "role", None) in LEADER_ROLES and (actor.agency_id != person.agency_id
                                                         or person.role not in STAFF_ROLES):
        raise PermissionDenied("负责人只能转办本单位经办人员的待办事项；负责人的事项由安全管理员转办")


@transaction.atomic
def work_reassign(*, actor, person: User, colleague: User, reason: str) -> dict[str, list]:
    """Move `person`'s pending personal work to `colleague` (same role, same agency, active)."""
    check_reassign(actor, person)
    reason = clean_reason(reason)
    person, colleague = lock(person), lock(colleague)
    if colleague.pk == person.pk:
        raise ValidationError({"colleague": "请选择另一位同事"})
    if (colleague.role, colleague.agency_id) != (person.role, person.agency_id) or not colleague.is_active:
        raise ValidationError({"colleague": f"接手人须是{person.agency}在用的{Role(person.role).label}"})
    moved = {}
    for kind in KINDS.values():
        ids = kind.move(kind.pending(person), person, colleague)
        if ids:
            moved[kind.key] = sorted(ids)
    if not moved:
        raise InvalidState(f"{person.display_name}没有待转办的个人事项", code="nothing_pending")
    what = "、".join(f"{KINDS[key].label}{len(ids)}件" for key, ids in moved.items())
    apps.get_model("reports", "Notification").objects.create(
        user=colleague, text=f"{person.full_name or person.username}的待办事项已转办给您：{what}"[:300])
    log_action(actor=actor, action="org.user.work_reassigned", obj=person, data={
        "to": colleague.username, "to_id": colleague.pk, "reason": reason, "moved": moved})
    return moved


def colleagues(person: User):
    """Who may take over: active accounts of the same role and agency."""
    return (User.objects.filter(role=person.role, agency_id=person.agency_id, agency__isnull=False, is_active=True)
            .exclude(pk=person.pk).order_by("username"))
