"""The account policy as pure questions (no writes): who is exempt, when a password must be changed,
when an account counts as dormant, and one-time passwords and codes.

Dates are business dates (`clock.today()`), so tests and the demo move them with the clock.
"""

import datetime as dt
import secrets
import string

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from cpaudit.core import clock

from .roles import ADMIN_ROLES, GOVERNMENT_ROLES

# Enterprises and experts act a few times a year: only these accounts go dormant.
DORMANCY_ROLES = GOVERNMENT_ROLES | ADMIN_ROLES

ONE_TIME = "one_time"
EXPIRED = "expired"

# No look-alikes (0/O, 1/l/I) in what is read out over the phone or copied from paper.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "#%+-=@"
_CODE_ALPHABET = _UPPER + _DIGITS


def exempt(user) -> bool:
    """Demo accounts, in demo mode only, keep their shared password: no forced change, no expiry, no
    dormancy (the demo and the browser tests log in with it). Outside demo mode they cannot log in."""
    return bool(getattr(user, "is_demo", False)) and settings.CPAUDIT_DEMO_MODE


def password_expires_on(user) -> dt.date:
    changed = timezone.localdate(user.password_changed_at)
    return changed + dt.timedelta(days=settings.CPAUDIT_PASSWORD_MAX_AGE_DAYS)


def change_required(user, today: dt.date | None = None) -> str | None:
    """ONE_TIME (an initial or reset password), EXPIRED, or None."""
    if getattr(user, "is_system", False) or not getattr(user, "is_authenticated", False) or exempt(user):
        return None
    if user.must_change_password:
        return ONE_TIME
    if (today or clock.today()) >= password_expires_on(user):
        return EXPIRED
    return None


def last_used_on(user) -> dt.date:
    """The later of the last login and the account's (re-)enabling; its creation when neither."""
    moments = [m for m in (user.last_login, user.enabled_at, user.date_joined) if m is not None]
    return timezone.localdate(max(moments))


def dormancy_bound(today: dt.date) -> dt.datetime:
    """Accounts whose every use is before this moment are dormant on `today`."""
    first_kept_day = today - dt.timedelta(days=settings.CPAUDIT_DORMANT_DAYS - 1)
    return timezone.make_aware(dt.datetime.combine(first_kept_day, dt.time.min))


def generate_password(user) -> str:
    """A one-time password that passes every validator for `user`: 14 characters of all four classes."""
    for _ in range(20):
        length = max(14, settings.CPAUDIT_PASSWORD_MIN_LENGTH)
        chars = [secrets.choice(_UPPER), secrets.choice(_LOWER), secrets.choice(_DIGITS), secrets.choice(_SYMBOLS)]
        pool = _UPPER + _LOWER + _DIGITS + _SYMBOLS
        chars += [secrets.choice(pool) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password
    raise RuntimeError("could not generate a password that passes the validators")


def generate_code() -> str:
    """An activation code: 20 characters (about 100 bits), grouped by 5 for reading out."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(20))
    return "-".join(raw[i:i + 5] for i in range(0, 20, 5))


def normalize_code(code: str) -> str:
    return "".join(c for c in (code or "").upper() if c in string.ascii_uppercase + string.digits)


def policy_rows() -> list[tuple[str, str, object]]:
    """(setting, what it governs, value) of the account policy, for the security administrator."""
    return [(name, label, getattr(settings, name)) for name, label in (
        ("CPAUDIT_PASSWORD_MIN_LENGTH", "密码最短长度（字符）"),
        ("CPAUDIT_PASSWORD_MIN_CLASSES", "密码至少包含的字符类别数（大写、小写、数字、符号）"),
        ("CPAUDIT_PASSWORD_MAX_AGE_DAYS", "密码有效期（天）"),
        ("CPAUDIT_PASSWORD_HISTORY", "不得重复使用最近几次的密码"),
        ("CPAUDIT_DORMANT_DAYS", "政府工作人员和管理员账号连续未使用即停用（天）"),
        ("CPAUDIT_ACTIVATION_DAYS", "激活码有效期（天）"),
    )]
