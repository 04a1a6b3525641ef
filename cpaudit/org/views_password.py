"""Every user's change-password page, the public activation page of invited accounts, and the
security administrator's view of the account policy."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from cpaudit.core.errors import DomainError
from cpaudit.core.views import add_validation_errors, domain_view

from . import access, policy, services
from .forms import ActivationForm, PasswordChangeForm
from .views import optional_url

WHY = {
    policy.ONE_TIME: "您正在使用初始密码或重置后的一次性密码，请先设置自己的密码。",
    policy.EXPIRED: "您的密码已到期，请设置新密码后继续。",
}


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if target and ok else ""


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@domain_view
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.password_change(actor=request.user, old_password=data["old_password"],
                                            new_password=data["new_password1"])
        except (ValidationError, DomainError) as exc:
            add_validation_errors(form, exc)
        else:
            update_session_auth_hash(request, user)  # this session stays; the others end (new hash)
            messages.success(request, "密码已修改")
            return redirect(_next(request) or "home")
    return render(request, "org/password_change.html", {
        "form": form, "why": WHY.get(policy.change_required(request.user), ""), "next": _next(request),
        "expires_on": policy.password_expires_on(request.user), "exempt": policy.exempt(request.user)})


@sensitive_post_parameters("code", "new_password1", "new_password2")
@csrf_protect
@never_cache
def activate(request):
    """Public: an invited person sets their first password with the activation code."""
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_activate(username=data["username"], code=data["code"], password=data["new_password1"])
        except (ValidationError, DomainError) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "账号已激活，请用新密码登录")
            return redirect("login")
    return render(request, "org/activate.html", {"form": form})


@domain_view
def security_policy(request):
    access.check(request.user, "org.security.view")
    return render(request, "org/security_policy.html", {
        "rows": policy.policy_rows(), "lockouts_url": optional_url("security:lockout_list")})
