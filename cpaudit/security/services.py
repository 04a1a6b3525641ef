"""The security administrator's unlock, and the worker's daily clean-up."""

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.core.middleware import client_ip
from cpaudit.org import access

from . import events
from .models import Lockout, LoginFailure


def lockout_unlock(*, actor, lockout_id: int, reason: str, request=None) -> Lockout:
    """Lift a lockout before it runs out. Nobody lifts one on their own account or on the address they
    are working from."""
    access.check(actor, "security.lockout.unlock")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidState("请填写解锁原因", code="reason_required")
    now = clock.server_now()
    with transaction.atomic():
        lockout = Lockout.objects.select_for_update().filter(pk=lockout_id).first()
        if lockout is None:
            raise InvalidState("没有这条锁定记录", code="not_found")
        own_address = request is not None and client_ip(request) == lockout.key
        if (lockout.kind == Lockout.Kind.ACCOUNT and lockout.key == actor.username) or (
                lockout.kind == Lockout.Kind.ADDRESS and own_address):
            raise PermissionDenied("不能解除自己的锁定，请由另一位安全管理员办理")
        if lockout.unlocked_at is not None or lockout.until <= now:
            raise InvalidState("该锁定已解除或已到期", code="not_locked")
        lockout.unlocked_at, lockout.unlocked_by, lockout.unlock_reason = now, actor, reason[:200]
        lockout.save(update_fields=["unlocked_at", "unlocked_by", "unlock_reason"])
        # The failures that caused it no longer count: one more would lock again at once.
        field = "username" if lockout.kind == Lockout.Kind.ACCOUNT else "ip"
        LoginFailure.objects.filter(**{field: lockout.key}).delete()
        log_action(actor=actor, action="security.lockout.unlocked", obj=lockout,
                   object_repr=f"{lockout.get_kind_display()} {lockout.key}",
                   data={"kind": lockout.kind, "key": lockout.key, "reason": reason[:200]})
    events.record("login.unlocked", user=actor, request=request,
                  detail={"kind": lockout.kind, "key": lockout.key, "reason": reason[:200]})
    return lockout


def purge_expired(now: dt.datetime | None = None) -> dict:
    """Daily (worker): expired sessions, failures outside the window, lockouts that ended a day ago
    (each is in the security log; lifted account lockouts also in the action log)."""
    now = now or clock.server_now()
    window = dt.timedelta(minutes=settings.CPAUDIT_LOGIN_FAILURE_WINDOW_MINUTES)
    sessions = Session.objects.filter(expire_date__lt=now).delete()[0]
    failures = LoginFailure.objects.filter(time__lt=now - window).delete()[0]
    ended = Lockout.objects.filter(until__lt=now - dt.timedelta(days=1)).delete()[0]
    return {"sessions": sessions, "failures": failures, "lockouts": ended}
