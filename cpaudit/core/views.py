"""Home page and the error translation shared by all views."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseForbidden
from django.shortcuts import render
from django.template.loader import render_to_string

from cpaudit.campaigns.models import Enrolment
from cpaudit.org.access import scope
from cpaudit.org.roles import ADMIN_ROLES
from cpaudit.registry.models import Enterprise

from .errors import DomainError, PermissionDenied


def forbidden(request, message: str):
    return HttpResponseForbidden(render_to_string("core/forbidden.html", {"message": message}, request=request))


def domain_view(view):
    """Login required; a PermissionDenied from a service becomes a 403 page that says why."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, exc.message)

    return wrapper


def add_validation_errors(form, exc: ValidationError | DomainError) -> None:
    """Put a service's ValidationError next to the form's fields (or on top when no field matches); a
    domain error (a state or rule refusal) goes on top with its message."""
    if isinstance(exc, DomainError):
        form.add_error(None, exc.message)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = field.removesuffix("_id")
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@domain_view
def home(request):
    user = request.user
    from cpaudit.workbench.views import workbench_context

    # The landing page after login is the person's workbench (工作台): what to do now, and what was done.
    context = {"is_admin": user.role in ADMIN_ROLES, **workbench_context(user)}
    if not context["is_admin"]:
        enterprises = scope(user, Enterprise.objects.all())
        enrolments = scope(user, Enrolment.objects.all())
        context["enterprise_count"] = enterprises.count()
        context["by_campaign"] = list(_campaign_counts(enrolments))
    if not context["is_admin"]:
        # What awaits the user in the 评估/验收 chain (selectors.todo: within scope, by role and agency).
        from cpaudit.applications.selectors import todo

        context["application_todo"] = todo(user).count()
    if user.role == "enterprise" and user.enterprise_id:
        context["own"] = user.enterprise
    if user.role in ("enterprise", "consultant"):
        # Their daily work: the audits in progress they record.
        context["my_enrolments"] = scope(user, Enrolment.objects.filter(campaign__status="active")).select_related(
            "enterprise", "campaign").order_by("enterprise__name")
    return render(request, "core/home.html", context)


def _campaign_counts(enrolments):
    from django.db.models import Count

    return enrolments.values("campaign__slug", "campaign__name", "campaign__status").annotate(
        n=Count("pk")).order_by("-campaign__year", "campaign__slug")
