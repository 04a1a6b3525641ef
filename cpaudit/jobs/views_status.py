"""The platform's running state for the system and security administrators (issue 12: a failure of
the worker or of storage must be seen where an operator looks): the workers and their heartbeats, the
jobs, open incidents (closed here once dealt with) and live checks of the database and directories."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cpaudit.core.errors import DomainError
from cpaudit.core.views import domain_view
from cpaudit.org import access

from . import incidents, selectors
from .models import Incident


class ResolveForm(forms.Form):
    resolution = forms.CharField(label="处理说明", max_length=300, required=False)


@domain_view
def status(request):
    access.check(request.user, "jobs.status.view")
    return render(request, "jobs/status.html", {
        **selectors.status_overview(),
        "can_resolve": access.allowed(request.user, "jobs.incident.resolve"),
        "resolve_form": ResolveForm(),
    })


@require_POST
@domain_view
def incident_resolve(request, pk):
    access.check(request.user, "jobs.incident.resolve")
    incident = get_object_or_404(Incident, pk=pk)
    form = ResolveForm(request.POST)
    resolution = form.cleaned_data["resolution"] if form.is_valid() else ""
    try:
        incidents.incident_resolve(actor=request.user, incident=incident, resolution=resolution)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已标记为处理完毕：{incident.title}")
    return redirect("jobs:status")
