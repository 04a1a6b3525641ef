"""Writing the security log (bounded, rotated): see models.SecurityEvent."""

from django.conf import settings

from cpaudit.core import clock
from cpaudit.core.middleware import client_ip

from .models import SecurityEvent

# code → Chinese label, shown on the audit administrator's search page.
KINDS = {
    "login.failed": "登录失败",
    "login.refused": "登录被拒绝（已锁定）",
    "login.locked": "登录锁定",
    "login.unlocked": "解除登录锁定",
    "otp.failed": "动态口令错误",
    "otp.enrolled": "绑定动态口令",
    "otp.reset": "重置动态口令",
    "session.expired": "会话超时",
    "access.denied": "越权访问（403）",
    "access.not_found": "访问不存在或范围外的对象（404）",
    "read.sensitive": "读取敏感数据",
}


def clean_text(value) -> str:
    """What a client sent, storable in any database: PostgreSQL refuses NUL in text and in JSON."""
    return str(value).replace("\x00", "\N{SYMBOL FOR NULL}")


def jsonable(value):
    if isinstance(value, dict):
        return {clean_text(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return clean_text(value)


def record(kind: str, *, request=None, user=None, username: str = "", status: int | None = None,
           detail: dict | None = None) -> SecurityEvent:
    """Append one event and drop what falls out of the cap (the ids only grow, so one indexed delete)."""
    assert kind in KINDS, kind
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if user is not None and not getattr(user, "pk", None):
        user = None  # a SystemActor
    event = SecurityEvent.objects.create(
        time=clock.server_now(), kind=kind,
        username=clean_text(username or (user.username if user is not None else ""))[:150],
        user=user, role=getattr(user, "role", "") or "",
        ip=client_ip(request) if request is not None else "",
        method=(request.method or "")[:10] if request is not None else "",
        path=request.get_full_path()[:300] if request is not None else "",
        status=status, detail=jsonable(detail or {}),
    )
    SecurityEvent.objects.filter(id__lte=event.id - settings.CPAUDIT_SECURITY_LOG_MAX_ROWS).delete()
    return event


def note_read(request, **detail) -> None:
    """What a sensitive read handed out (an export's row count and filters, whose record…): added to the
    read.sensitive event recorded for the response (SecurityLogMiddleware). An export is a read: it is
    recorded here, never in the action log, so a GET writes nothing else (issue 11)."""
    if request is not None:
        request.security_detail = {**getattr(request, "security_detail", {}), **detail}


def sensitive_read(request, what: str, *, status: int | None = None) -> SecurityEvent:
    """A read of sensitive data (an evidence or document download, a log search, a registry export):
    who, which page (URL name), from where, and what the view noted (note_read); the query string is
    part of the recorded address."""
    return record("read.sensitive", request=request, status=status,
                  detail={**getattr(request, "security_detail", {}), "view": what})
