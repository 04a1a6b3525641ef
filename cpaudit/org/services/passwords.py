"""Setting passwords: the holder's own change, the security administrator's reset.

`set_password` is the one way a password is stored: it runs every validator of
AUTH_PASSWORD_VALIDATORS (the platform's rules among them, password_validators.py), keeps the hash
being replaced in PasswordHistory (the newest CPAUDIT_PASSWORD_HISTORY − 1 of them, the current one
making up the rest), and restarts the password's age. A reset password is one-time: its holder must
change it before doing anything else (middleware.py). Log entries never carry a password.
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.log import log_action

from .. import access, policy
from ..models import PasswordHistory, User
from ..sessions import end_sessions
from .common import lock, not_self


def set_password(user: User, raw: str, *, one_time: bool, field: str = "password", encoded: str | None = None) -> None:
    """Validate `raw` for `user`, then store it (saved unless the user is new). ValidationError names
    `field`. `encoded` = make_password(raw) when the caller has it already (hashing is slow on purpose)."""
    try:
        validate_password(raw, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    now = clock.server_now()
    if user.pk is not None and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password, set_at=user.password_changed_at or now)
        keep = max(settings.CPAUDIT_PASSWORD_HISTORY - 1, 0)
        stale = PasswordHistory.objects.filter(user=user).order_by("-set_at", "-pk").values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    user.password = encoded or make_password(raw)
    user.password_changed_at = now
    user.must_change_password = one_time
    if user.pk is not None:
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])


@transaction.atomic
def password_change(*, actor, old_password: str, new_password: str) -> User:
    """The holder chooses a new password (the change page; the only way out of a one-time one)."""
    if getattr(actor, "pk", None) is None:
        raise ValueError("a password is changed by its holder")
    user = lock(actor)
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": "原密码不正确"})
    if new_password == old_password:
        raise ValidationError({"new_password1": "新密码不能与原密码相同"})
    was = policy.change_required(user) or "voluntary"
    set_password(user, new_password, one_time=False, field="new_password1")
    log_action(actor=user, action="org.user.password_changed", obj=user, data={"why": was})
    return user


def check_reset(actor, user: User) -> None:
    access.check(actor, "org.user.reset", user)
    not_self(actor, user, "重置")


@transaction.atomic
def password_reset(*, actor, user: User) -> str:
    """The security administrator gives the account a new one-time password (returned, shown once)
    and ends its sessions."""
    check_reset(actor, user)
    user = lock(user)
    password = policy.generate_password(user)
    set_password(user, password, one_time=True)
    ended = end_sessions([user.pk])
    log_action(actor=actor, action="org.user.password_reset", obj=user, data={"sessions_ended": ended})
    return password
