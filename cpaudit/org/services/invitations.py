"""Invitations: an account opened without a password gets a one-time activation code; its holder
enters the code on the public activation page and chooses their own password (through the same
validators as every other path). Only the code's SM3 digest is stored; a code is valid
CPAUDIT_ACTIVATION_DAYS and a new invitation replaces the open one. A failed activation writes
nothing (an anonymous client must not be able to grow the log); the code's ~100 bits make guessing
pointless.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action

from .. import policy
from ..models import ActivationCode, User
from .common import lock, not_self
from .passwords import set_password

INVALID = "用户名或激活码无效，或激活码已过期、已使用"


def digest(code: str) -> str:
    return hashlib.new("sm3", policy.normalize_code(code).encode("ascii")).hexdigest()


def check_invite(actor, user: User) -> None:
    """Whoever may open the account, as long as it has no password yet."""
    from .accounts import check_may_open

    check_may_open(actor, user)
    not_self(actor, user, "邀请")
    if user.has_usable_password():
        raise InvalidState(f"账号“{user.username}”已设置密码，无需激活；忘记密码请联系安全管理员重置",
                           code="already_active")


@transaction.atomic
def invitation_issue(*, actor, user: User) -> str:
    """A new activation code for an account that has no password yet (returned, shown once)."""
    user = lock(user)
    check_invite(actor, user)
    if not user.is_active:
        raise InvalidState(f"账号“{user.username}”已停用", code="disabled")
    now = clock.server_now()
    ActivationCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    code = policy.generate_code()
    expires = now + dt.timedelta(days=settings.CPAUDIT_ACTIVATION_DAYS)
    ActivationCode.objects.create(user=user, digest=digest(code), created_at=now, expires_at=expires,
                                  created_by=None if is_system(actor) else actor)
    log_action(actor=actor, action="org.user.invited", obj=user, data={"expires_at": expires})
    return code


@transaction.atomic
def account_activate(*, username: str, code: str, password: str) -> User:
    """The invited person sets their first password with the code (no login: the public page)."""
    now = clock.server_now()
    found = (ActivationCode.objects.select_for_update().select_related("user")
             .filter(digest=digest(code), user__username=username or "", used_at__isnull=True,
                     expires_at__gt=now, user__is_active=True).first())
    if found is None:
        raise InvalidState(INVALID, code="invalid_code")
    user = lock(found.user)
    set_password(user, password, one_time=False, field="new_password1")
    if not user.has_usable_password():
        raise ValidationError({"new_password1": "请设置密码"})
    found.used_at = now
    found.save(update_fields=["used_at"])
    log_action(actor=user, action="org.user.activated", obj=user)
    return user
