"""The account actions: open (or invite), edit, disable, re-enable, assign a role, reset the password,
re-issue an activation code, hand a person's work over (转办). Each page asks the action's check
before showing its form (403 otherwise) and calls the service on POST. A one-time password or an
activation code is shown once, in the response to the POST that made it (never stored, not cached).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from cpaudit.core.errors import DomainError, InvalidState, PermissionDenied
from cpaudit.core.views import add_validation_errors, domain_view

from . import access, selectors, services
from .forms import AccountEditForm, AccountForm, HandoverForm, ReasonForm, RoleForm


def _secret(request, user, secret: str, invited: bool):
    return render(request, "org/account_secret.html", {"u": user, "secret": secret, "invited": invited})


@never_cache
@domain_view
def user_create(request):
    access.check(request.user, "org.user.create")
    form = AccountForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        invite = form.cleaned_data["invite"]
        try:
            user, secret = services.account_create(actor=request.user, user=form.user(), invite=invite)
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
        except (ValidationError, DomainError) as exc:
            add_validation_errors(form, exc)
        else:
            return _secret(request, user, secret, invite)
    return render(request, "org/user_form.html", {"form": form, "title": "开设账号"})


def _target(request, pk, check):
    """The account (404 outside what the viewer sees) after the action's check (403)."""
    access.check(request.user, "org.user.view")
    user = selectors.user_detail(request.user, pk)
    check(request.user, user)
    return user


def _act(request, form, action, success: str, user):
    """Run the service; a refusal is shown on the form. The redirect, or None to re-render."""
    try:
        action()
    except (ValidationError, DomainError) as exc:
        add_validation_errors(form, exc)
        return None
    messages.success(request, success)
    return redirect("org:user_detail", user.pk)


@domain_view
def user_edit(request, pk):
    user = _target(request, pk, services.check_update)
    form = AccountEditForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        done = _act(request, form, lambda: services.account_update(actor=request.user, user=user,
                                                                   data=form.service_data()),
                    "已保存", user)
        if done:
            return done
    return render(request, "org/user_action.html", {"form": form, "u": user, "title": "修改账号信息"})


def _reason_action(request, pk, check, service, title: str, success: str):
    user = _target(request, pk, check)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _act(request, form, lambda: service(actor=request.user, user=user, reason=form.cleaned_data["reason"]),
                    success, user)
        if done:
            return done
    return render(request, "org/user_action.html", {"form": form, "u": user, "title": title})


@domain_view
def user_disable(request, pk):
    return _reason_action(request, pk, services.check_disable, services.account_disable, "停用账号",
                          "账号已停用，其会话已结束")


@domain_view
def user_enable(request, pk):
    return _reason_action(request, pk, services.check_enable, services.account_enable, "重新启用账号",
                          "账号已重新启用")


@domain_view
def user_role(request, pk):
    user = _target(request, pk, services.check_role)
    form = RoleForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        done = _act(request, form, lambda: services.role_set(actor=request.user, user=user,
                                                             role=form.cleaned_data["role"]),
                    "角色已更改", user)
        if done:
            return done
    return render(request, "org/user_action.html", {"form": form, "u": user, "title": "分配角色"})


@never_cache
@domain_view
def user_reset(request, pk):
    user = _target(request, pk, services.check_reset)
    if request.method == "POST":
        try:
            password = services.password_reset(actor=request.user, user=user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("org:user_detail", user.pk)
        return _secret(request, user, password, invited=False)
    return render(request, "org/user_confirm.html", {"u": user, "title": "重置密码", "button": "生成一次性密码",
                                                     "text": "将生成新的一次性密码并结束该账号的全部会话；"
                                                             "持有人首次登录后须立即修改。"})


@never_cache
@domain_view
def user_invite(request, pk):
    try:
        user = _target(request, pk, services.check_invite)
    except InvalidState as exc:  # it has a password already: nothing to activate
        messages.error(request, exc.message)
        return redirect("org:user_detail", pk)
    if request.method == "POST":
        try:
            code = services.invitation_issue(actor=request.user, user=user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("org:user_detail", user.pk)
        return _secret(request, user, code, invited=True)
    return render(request, "org/user_confirm.html", {"u": user, "title": "重新发激活码", "button": "生成激活码",
                                                     "text": "将生成新的激活码，此前发出的激活码随即作废。"})


@domain_view
def user_handover(request, pk):
    user = _target(request, pk, services.check_reassign)
    form = HandoverForm(request.POST or None, colleagues=services.colleagues(user))
    if request.method == "POST" and form.is_valid():
        colleague = form.cleaned_data["colleague"]
        done = _act(request, form, lambda: services.work_reassign(
            actor=request.user, person=user, colleague=colleague, reason=form.cleaned_data["reason"]),
            f"已将待办事项转给{colleague}", user)
        if done:
            return done
    return render(request, "org/user_action.html", {"form": form, "u": user, "title": "转办待办事项",
                                                    "pending": services.pending_work(user)})
