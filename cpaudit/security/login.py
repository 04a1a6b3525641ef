"""Login protection: the one function every login path calls (the login page, the REST API).

`authenticate_or_refuse(request, username, password)` checks the lockouts, then the password. Every
failed login, whatever its path, is announced with Django's `user_login_failed` (authenticate() sends
it; the API's token check sends it too) and counted by `_counted`: when the count reaches
CPAUDIT_LOGIN_MAX_FAILURES within the window, per account name and per client address, that name or
address is locked. `refusal(request)` tells a path with credentials of its own whether to refuse. The answer never tells whether the account exists: an unknown name is
counted and locked like a real one, and the messages are the same. `verify_second_factor` is the step
after the password for the accounts `second_factor_required` names; its failures count the same way.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.dispatch import receiver

from cpaudit.core import clock
from cpaudit.core.log import log_action
from cpaudit.core.middleware import client_ip
from cpaudit.org.roles import ADMIN_ROLES, GOVERNMENT_ROLES

from . import events
from .models import Lockout, LoginFailure

# Government staff and administrators prove a second factor (the rule; enterprises, their
# consultants and experts do not).
SECOND_FACTOR_ROLES = GOVERNMENT_ROLES | ADMIN_ROLES
WRONG = "用户名或密码不正确。"
WRONG_CODE = "动态口令不正确，请输入验证器当前显示的6位数字。"


def locked_message() -> str:
    return (f"登录失败次数过多，已暂时锁定（{settings.CPAUDIT_LOGIN_LOCKOUT_MINUTES}分钟）。"
            "请稍后再试，或联系安全管理员解锁。")


@dataclass(frozen=True)
class LoginOutcome:
    """`user` set: the credentials are right. `second_factor`: the login completes only after
    `verify_second_factor`. `message`: why it was refused (Chinese, the same for any username)."""

    user: object | None = None
    message: str = ""
    second_factor: bool = False

    @property
    def ok(self) -> bool:
        return self.user is not None


def _window_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(minutes=settings.CPAUDIT_LOGIN_FAILURE_WINDOW_MINUTES)


def active_lockouts(now: dt.datetime | None = None):
    return Lockout.objects.filter(unlocked_at__isnull=True, until__gt=now or clock.server_now())


def is_locked(username: str, ip: str, now: dt.datetime) -> bool:
    from django.db.models import Q

    keys = Q(kind=Lockout.Kind.ACCOUNT, key=username) | Q(kind=Lockout.Kind.ADDRESS, key=ip)
    return active_lockouts(now).filter(keys).exists()


def _name(username) -> str:
    return events.clean_text(username or "")[:150]


def authenticate_or_refuse(request, username: str, password: str) -> LoginOutcome:
    username, ip, now = _name(username), client_ip(request), clock.server_now()
    if is_locked(username, ip, now):
        events.record("login.refused", request=request, username=username)
        return LoginOutcome(message=locked_message())
    user = authenticate(request, username=username, password=password or "")
    if user is None:
        # Django announced the failure (user_login_failed) and _counted below counted it.
        return LoginOutcome(message=locked_message() if is_locked(username, ip, now) else WRONG)
    if second_factor_required(user):
        return LoginOutcome(user=user, second_factor=True)
    LoginFailure.objects.filter(username=username).delete()
    return LoginOutcome(user=user)


def second_factor_required(user) -> bool:
    """Anyone with a confirmed device proves it; government staff and administrators must have one when
    CPAUDIT_OTP_REQUIRED. Demo accounts (in demo mode) are exempt so the demo and browser tests work."""
    if getattr(user, "is_demo", False) and settings.CPAUDIT_DEMO_MODE:
        return False
    from .otp import has_device

    return has_device(user) or (settings.CPAUDIT_OTP_REQUIRED and user.role in SECOND_FACTOR_ROLES)


def verify_second_factor(request, user, code: str) -> LoginOutcome:
    """The step after the password. Wrong codes count towards the same lockouts as wrong passwords."""
    from .otp import verify_device_code

    username, ip, now = user.get_username(), client_ip(request), clock.server_now()
    if is_locked(username, ip, now):
        events.record("login.refused", request=request, username=username)
        return LoginOutcome(message=locked_message())
    if not verify_device_code(user, code):
        return _failure(request, username, ip, now, kind="otp.failed", message=WRONG_CODE)
    LoginFailure.objects.filter(username=username).delete()
    return LoginOutcome(user=user)


def refusal(request, username: str = "") -> str:
    """The refusal message when the client address (or the account name, if given) is locked, else "".
    For a login path that checks credentials of its own (API tokens) before it looks at them."""
    return locked_message() if is_locked(_name(username), client_ip(request), clock.server_now()) else ""


def count_failure(request, username: str, *, kind: str = "login.failed") -> None:
    """For a login path that judges the credentials itself (e.g. an enrolment code at login)."""
    _failure(request, _name(username), client_ip(request), clock.server_now(), kind=kind, message="")


@receiver(user_login_failed)
def _counted(sender, credentials, request=None, **kwargs):
    """Every login path announces its failures with Django's user_login_failed (authenticate() does;
    the API's token check does too): each is counted here, once."""
    username = _name(credentials.get("username", ""))
    _failure(request, username, client_ip(request), clock.server_now(), kind="login.failed", message="",
             via=sender if isinstance(sender, str) else "")


def _failure(request, username: str, ip: str, now: dt.datetime, *, kind: str, message: str,
             via: str = "") -> LoginOutcome:
    max_failures = settings.CPAUDIT_LOGIN_MAX_FAILURES
    locked = []
    with transaction.atomic():
        LoginFailure.objects.filter(time__lt=_window_start(now)).delete()  # keeps the table small
        LoginFailure.objects.create(time=now, username=username, ip=ip)
        recent = LoginFailure.objects.filter(time__gte=_window_start(now))
        account = get_user_model().objects.filter(username=username).first() if username else None
        if account is not None:
            # A real account's failures are part of its history; an unknown name's only go to the
            # bounded security log, so an anonymous client cannot grow the action log at will.
            log_action(actor=None, action="auth.login_failed", obj=account,
                       data={"username": username, "ip": ip, "step": kind, "via": via})
        for lock_kind, key, count in (
            (Lockout.Kind.ACCOUNT, username, recent.filter(username=username).count() if username else 0),
            (Lockout.Kind.ADDRESS, ip, recent.filter(ip=ip).count() if ip else 0),
        ):
            if count and count >= max_failures and not active_lockouts(now).filter(kind=lock_kind, key=key).exists():
                lockout = Lockout.objects.create(
                    kind=lock_kind, key=key, locked_at=now, failures=count,
                    until=now + dt.timedelta(minutes=settings.CPAUDIT_LOGIN_LOCKOUT_MINUTES))
                locked.append(lockout)
                if lock_kind == Lockout.Kind.ACCOUNT and account is not None:
                    log_action(actor=None, action="security.lockout.locked", obj=lockout,
                               object_repr=f"账号 {username}",
                               data={"kind": lock_kind, "key": key, "failures": count,
                                     "until": lockout.until, "ip": ip})
    events.record(kind, request=request, username=username, detail={"via": via} if via else None)
    for lockout in locked:
        events.record("login.locked", request=request, username=username,
                      detail={"kind": lockout.kind, "key": lockout.key, "failures": lockout.failures,
                              "until": lockout.until.isoformat()})
    return LoginOutcome(message=locked_message() if locked else message)
