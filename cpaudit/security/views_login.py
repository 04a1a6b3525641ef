"""Login (password, then the second factor where required) and logout.

Between the two steps the session holds only the pending user's id, its backend and when the password
was accepted; the user is signed in (auth.login) only once every step has passed. Every step's failures
count towards the same lockouts (login.authenticate_or_refuse, login.verify_second_factor).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cpaudit.core import clock

from . import login as protection
from . import otp
from .forms import CodeForm, LoginForm
from .middleware import start_session

PENDING = "security_pending"
# The second step must follow the first within this many seconds (a code typed from a phone).
PENDING_SECONDS = 300
# What the browser must forget at logout (W3C Clear Site Data).
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


def _complete(request, user, next_url: str):
    request.session.pop(PENDING, None)
    request.session.pop(otp.SESSION_KEY, None)
    auth_login(request, user)  # a new session key; the login is logged (core.signals)
    start_session(request)
    return redirect(next_url or "home")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or "home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = protection.authenticate_or_refuse(request, data["username"], data["password"])
        if not outcome.ok:
            form.add_error(None, outcome.message)
        elif outcome.second_factor:
            request.session.cycle_key()
            request.session[PENDING] = {"user": outcome.user.pk, "backend": outcome.user.backend,
                                        "at": clock.server_now().timestamp(), "next": next_url}
            return redirect("security:login_verify" if otp.has_device(outcome.user) else "security:login_enrol")
        else:
            return _complete(request, outcome.user, next_url)
    return render(request, "registration/login.html", {"form": form, "next": next_url})


def _pending_user(request):
    """The user whose password was accepted in this session within PENDING_SECONDS, or None."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if clock.server_now().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def _restart(request, message: str = "请重新登录。"):
    request.session.pop(PENDING, None)
    messages.info(request, message)
    return redirect("login")


@csrf_protect
@never_cache
def login_verify(request):
    """Second step: the code of the user's authenticator."""
    if request.user.is_authenticated:
        return redirect("home")
    user = _pending_user(request)
    if user is None:
        return _restart(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = protection.verify_second_factor(request, user, form.cleaned_data["code"])
        if outcome.ok:
            return _complete(request, user, request.session[PENDING].get("next", ""))
        if outcome.message == protection.locked_message():
            return _restart(request, outcome.message)
        form.add_error("code", outcome.message)
    return render(request, "security/login_verify.html", {"form": form})


@csrf_protect
@never_cache
def login_enrol(request):
    """Second step for an account that must have a second factor and has none yet: bind one now."""
    if request.user.is_authenticated:
        return redirect("home")
    user = _pending_user(request)
    if user is None:
        return _restart(request)
    if otp.has_device(user):
        return redirect("security:login_verify")
    secret = otp.pending_secret(request.session)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if protection.is_locked(user.get_username(), protection.client_ip(request), clock.server_now()):
            return _restart(request, protection.locked_message())
        if otp.enrol(actor=user, user=user, secret_hex=secret, code=form.cleaned_data["code"]) is not None:
            return _complete(request, user, request.session[PENDING].get("next", ""))
        protection.count_failure(request, user.get_username(), kind="otp.failed")
        form.add_error("code", protection.WRONG_CODE)
    uri = otp.provisioning_uri(user, secret)
    return render(request, "security/login_enrol.html", {
        "form": form, "qr": otp.qr_svg(uri), "uri": uri, "secret": otp.secret_text(secret), "account": user})


@require_POST
def logout_view(request):
    """Ends the server session (its row is deleted) and asks the browser to forget this site's cache,
    cookies and storage."""
    auth_logout(request)
    response = redirect("login")
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
