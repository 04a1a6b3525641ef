"""Password change before anything else: a one-time (initial or reset) or expired password lets its
holder reach only the change-password page (and log out) until they have chosen a new one.

It runs after AuthenticationMiddleware and decides in process_view, once the URL is resolved. Pages
that must stay reachable before the change (a second-factor step, say) are marked with
`@password_change_exempt`, as csrf_exempt marks views.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from . import policy

# URL names always reachable: where the change happens, and the way out.
ALLOWED = frozenset({"org:password_change", "logout", "login"})


def password_change_exempt(view):
    view.password_change_exempt = True
    return view


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or policy.change_required(user) is None:
            return None
        match = request.resolver_match
        if getattr(view_func, "password_change_exempt", False) or (match and match.view_name in ALLOWED):
            return None
        target = reverse("org:password_change")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
