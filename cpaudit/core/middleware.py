"""Security headers and the per-request log context."""

from .log import reset_request_context, set_request_context

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """No inline script or style anywhere: the policy forbids them, so templates cannot drift."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_context(ip=(request.META.get("REMOTE_ADDR") or "")[:64])
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response
