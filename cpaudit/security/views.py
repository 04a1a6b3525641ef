"""The security administrator's lockouts page (unlock, reset a second factor), the audit
administrator's security log, and every user's own second-factor page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cpaudit.core import clock
from cpaudit.core.errors import DomainError
from cpaudit.core.views import domain_view
from cpaudit.org import access

from . import otp, services
from .events import KINDS
from .forms import CodeForm, EventFilterForm, OtpResetForm, ReasonForm
from .login import active_lockouts
from .models import SecurityEvent


@domain_view
def lockout_list(request):
    access.check(request.user, "security.lockout.unlock")
    lockouts = active_lockouts(clock.server_now()).order_by("-locked_at")
    return render(request, "security/lockout_list.html", {
        "lockouts": lockouts, "reason_form": ReasonForm(), "reset_form": OtpResetForm(),
        "lockout_minutes": settings.CPAUDIT_LOGIN_LOCKOUT_MINUTES})


@require_POST
@domain_view
def lockout_unlock(request, pk):
    access.check(request.user, "security.lockout.unlock")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写解锁原因")
        return redirect("security:lockout_list")
    try:
        lockout = services.lockout_unlock(actor=request.user, lockout_id=pk, reason=form.cleaned_data["reason"],
                                          request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已解除对{lockout.get_kind_display()} {lockout.key} 的锁定")
    return redirect("security:lockout_list")


@require_POST
@domain_view
def otp_reset(request):
    access.check(request.user, "security.otp.reset")
    form = OtpResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写用户名和原因")
        return redirect("security:lockout_list")
    user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
    if user is None:
        messages.error(request, f"没有用户名为“{form.cleaned_data['username']}”的账号")
        return redirect("security:lockout_list")
    try:
        removed = otp.reset(actor=request.user, user=user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重置 {user.username} 的动态口令（删除 {removed} 个验证器），其下次登录时重新绑定")
    return redirect("security:lockout_list")


@domain_view
def event_list(request):
    access.check(request.user, "security.event.view")
    form = EventFilterForm(request.GET or None)
    qs = SecurityEvent.objects.all()
    if form.is_bound:
        qs = form.filter(qs) if form.is_valid() else qs.none()
    page = Paginator(qs.order_by("-id"), settings.CPAUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, KINDS.get(event.kind, event.kind)) for event in page.object_list]
    return render(request, "security/event_list.html", {"form": form, "page_obj": page, "rows": rows})


@domain_view
def otp_setup(request):
    """The user's own second factor: bind an authenticator, or replace the one bound."""
    user = request.user
    secret = otp.pending_secret(request.session)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.enrol(actor=user, user=user, secret_hex=secret, code=form.cleaned_data["code"]) is not None:
            request.session.pop(otp.SESSION_KEY, None)
            messages.success(request, "动态口令已绑定：今后登录时在密码之后输入验证器显示的6位数字")
            return redirect("home")
        form.add_error("code", "动态口令不正确，请输入验证器当前显示的6位数字。")
    uri = otp.provisioning_uri(user, secret)
    return render(request, "security/otp_setup.html", {
        "form": form, "qr": otp.qr_svg(uri), "uri": uri, "secret": otp.secret_text(secret),
        "bound": otp.has_device(user)})
