"""Administrators' pages: agencies (with their answerable persons) and accounts. No business data.
The account actions are in views_accounts.py, passwords in views_password.py."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from cpaudit.core.errors import DomainError
from cpaudit.core.views import add_validation_errors, domain_view

from . import access, policy, selectors, services
from .forms import AgencyForm, UserFilterForm
from .models import Agency


def optional_url(name: str) -> str:
    """The address of a page another app may provide (the lockouts page), else ""."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@domain_view
def agency_list(request):
    access.check(request.user, "org.agency.view")
    agencies = access.scope(request.user, Agency.objects.select_related("division", "supervisor")).order_by(
        "division_id", "name")
    return render(request, "org/agency_list.html", {
        "agencies": agencies, "can_change": access.allowed(request.user, "org.agency.change")})


def _agency_form(request, agency=None):
    access.check(request.user, "org.agency.change")
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        try:
            if agency is None:
                saved = services.agency_create(actor=request.user, agency=form.save(commit=False))
            else:
                agency.refresh_from_db()
                saved = services.agency_update(actor=request.user, agency=agency, data=form.service_data())
        except (ValidationError, DomainError) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已保存：{saved.name}")
            return redirect("org:agency_list")
    return render(request, "org/agency_form.html", {"form": form, "agency": agency})


@domain_view
def agency_create(request):
    return _agency_form(request)


@domain_view
def agency_edit(request, pk):
    access.check(request.user, "org.agency.change")
    return _agency_form(request, access.get_in_scope(request.user, Agency.objects.all(), pk=pk))


@domain_view
def user_list(request):
    access.check(request.user, "org.user.view")
    form = UserFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    users = selectors.user_list(request.user, filters)
    page = Paginator(users, settings.CPAUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "org/user_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_create": access.allowed(request.user, "org.user.create"),
        "lockouts_url": optional_url("security:lockout_list") if access.allowed(request.user, "org.user.reset")
        else "",
        "policy_url": reverse("org:security_policy") if access.allowed(request.user, "org.security.view") else "",
    })


ACTIONS = [  # (name, label, check, URL name): what the detail page offers when the check passes
    ("edit", "修改信息", services.check_update, "org:user_edit"),
    ("role", "分配角色", services.check_role, "org:user_role"),
    ("reset", "重置密码", services.check_reset, "org:user_reset"),
    ("invite", "重新发激活码", services.check_invite, "org:user_invite"),
    ("handover", "转办待办事项", services.check_reassign, "org:user_handover"),
    ("disable", "停用账号", services.check_disable, "org:user_disable"),
    ("enable", "重新启用", services.check_enable, "org:user_enable"),
]


@domain_view
def user_detail(request, pk):
    access.check(request.user, "org.user.view")
    user = selectors.user_detail(request.user, pk)
    actions = []
    for name, label, check, url_name in ACTIONS:
        if (name == "disable" and not user.is_active) or (name == "enable" and user.is_active):
            continue
        try:
            check(request.user, user)
        except DomainError:
            continue
        actions.append({"label": label, "url": reverse(url_name, args=[user.pk])})
    pending = services.pending_work(user) if user.agency_id else []
    return render(request, "org/user_detail.html", {
        "u": user, "actions": actions, "pending": pending, "change_required": policy.change_required(user),
        "expires_on": policy.password_expires_on(user), "exempt": policy.exempt(user),
        "last_used_on": policy.last_used_on(user),
        "dormancy_applies": user.role in policy.DORMANCY_ROLES,
    })
