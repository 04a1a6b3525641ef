"""The start-up check, session timeouts, and what goes into the security log on every request."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed

from cpaudit.core import clock

from . import events
from .checks import demo_accounts_problem

# Session keys: when the login happened and when the last request came (POSIX seconds).
STARTED, SEEN = "security_started", "security_seen"


class StartupCheckMiddleware:
    """Runs once, when the WSGI application loads its middleware (gunicorn, any server): a production
    process with demo accounts in its database refuses to serve. Then it removes itself."""

    def __init__(self, get_response):
        problem = demo_accounts_problem()
        if problem:
            raise ImproperlyConfigured(problem)
        raise MiddlewareNotUsed


# Searches of the logs: reads of sensitive data even though they download nothing.
LOG_SEARCHES = frozenset({"log_list", "log_export", "security:event_list"})


class SecurityLogMiddleware:
    """Records in the security log what a signed-in user was refused (403) or sent away from (404: an
    object outside their scope) and every read of sensitive data: any download (evidence, attachments,
    printed documents, exports — a response sent as an attachment) and every log search. One place,
    so a new download view is covered without remembering to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        status = response.status_code
        if status in (403, 404):
            events.record("access.denied" if status == 403 else "access.not_found", request=request, status=status)
        elif status == 200:
            match = getattr(request, "resolver_match", None)
            view = match.view_name if match else ""
            disposition = response.get("Content-Disposition", "")
            if disposition.startswith("attachment") or view in LOG_SEARCHES:
                events.sensitive_read(request, view, status=status)
        return response


class SessionTimeoutMiddleware:
    """A session ends CPAUDIT_SESSION_IDLE_MINUTES after its last request and CPAUDIT_SESSION_MAX_HOURS
    after the login, whatever happens in between (times from cpaudit.core.clock). The last-seen time
    is written at most once a minute, and the session row expires with it, so the worker purges
    idle sessions too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = session_expired(request)
            if expired:
                return _end_session(request, expired)
        return self.get_response(request)


def start_session(request) -> None:
    """Called at login: the absolute limit counts from here."""
    now = clock.server_now().timestamp()
    request.session[STARTED] = request.session[SEEN] = now
    request.session.set_expiry(settings.CPAUDIT_SESSION_IDLE_MINUTES * 60)


def session_expired(request) -> str:
    """"idle" or "max" when the session has run out, else "" (and the last-seen time moves on)."""
    session, now = request.session, clock.server_now().timestamp()
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:  # a session made without our login (tests' force_login)
        start_session(request)
        return ""
    if now - started > settings.CPAUDIT_SESSION_MAX_HOURS * 3600:
        return "max"
    if now - seen > settings.CPAUDIT_SESSION_IDLE_MINUTES * 60:
        return "idle"
    if now - seen >= 60:
        session[SEEN] = now
        session.set_expiry(settings.CPAUDIT_SESSION_IDLE_MINUTES * 60)
    return ""


def _end_session(request, reason: str):
    events.record("session.expired", request=request, detail={"reason": reason})
    logout(request)
    text = (f"{settings.CPAUDIT_SESSION_IDLE_MINUTES}分钟未操作，已自动退出" if reason == "idle"
            else f"登录已满{settings.CPAUDIT_SESSION_MAX_HOURS}小时，已自动退出")
    messages.info(request, f"{text}，请重新登录。")
    return redirect_to_login(request.get_full_path())
