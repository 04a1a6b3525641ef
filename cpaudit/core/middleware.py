"""Security headers, the client's address and the per-request log context."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest

from .log import reset_request_context, set_request_context

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind CPAUDIT_PROXY_HOPS reverse proxies of ours the entry
    of X-Forwarded-For they added (entries further left are whatever the client claimed)."""
    if request is None:
        return ""
    hops = settings.CPAUDIT_PROXY_HOPS
    address = request.META.get("REMOTE_ADDR") or ""
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            address = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    return address.replace("\x00", "")[:64]


class ContentSecurityPolicyMiddleware:
    """No inline script or style anywhere: the policy forbids them, so templates cannot drift. Nothing a
    signed-in user sees (pages, downloads) is kept by the browser or a proxy: no-store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Anonymous until AuthenticationMiddleware says otherwise: an error raised before it (a bad Host
        # header) still renders its Chinese page, whose navigation looks at the user.
        request.user = AnonymousUser()
        token = set_request_context(ip=client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response.headers.setdefault("Content-Security-Policy", CSP)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        else:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class RejectNulMiddleware:
    """A NUL character in the address or the query string is refused (400) before any view runs:
    PostgreSQL refuses NUL in text, so a filter reading it straight from the query would fail with a 500
    there (SQLite would quietly accept it). Form fields refuse NUL in posted text already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                          for key, values in request.GET.lists()):
            raise BadRequest("请求中含有不允许的空字符（NUL）")
        return self.get_response(request)
