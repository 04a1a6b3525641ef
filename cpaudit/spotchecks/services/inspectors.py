"""The inspector roster (检查人员名录): any government staff member can be flagged as an inspector
(authority.md), by the people of its own agency (staff or leader), never on their own account; the
flag is withdrawn, not deleted. Each change is logged (spotchecks.inspector.flagged / .unflagged)."""

from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.org import access
from cpaudit.org.models import User
from cpaudit.org.roles import GOVERNMENT_ROLES

from ..models import Inspector


@transaction.atomic
def inspector_set(*, actor, user: User, active: bool, note: str = "") -> Inspector:
    """Flag (active) or unflag a colleague of the actor's own agency as an inspector."""
    access.check(actor, "spotchecks.inspector.change")
    user = User.objects.select_for_update(of=("self",)).select_related("agency").get(pk=user.pk)
    if is_system(actor):
        raise PermissionDenied("检查人员由所在单位的工作人员设置")
    if user.role not in GOVERNMENT_ROLES or user.agency_id is None:
        raise InvalidState("只有政府工作人员可以设为检查人员", code="not_government")
    if user.agency_id != actor.agency_id:
        raise PermissionDenied(f"{user}不是本单位人员，由其所在单位设置")
    if user.pk == actor.pk:
        raise PermissionDenied("不能设置自己的检查人员身份，请由本单位其他人员设置")
    inspector = Inspector.objects.select_for_update().filter(user=user).first()
    was = bool(inspector and inspector.active)
    if was == bool(active):
        raise InvalidState(f"{user}已是检查人员" if active else f"{user}不是检查人员", code="unchanged")
    if inspector is None:
        inspector = Inspector(user=user)
    inspector.active, inspector.note = bool(active), (note or "").strip()[:200]
    inspector.changed_by, inspector.changed_at = actor, clock.business_now()
    inspector.save()
    log_action(actor=actor, action="spotchecks.inspector.flagged" if active else "spotchecks.inspector.unflagged",
               obj=inspector, changes={"active": [was, bool(active)]}, data={"user": user.pk, "note": inspector.note})
    return inspector
