"""The audit administrator's search of the action log (placeholder until the log page lands)."""

from django.shortcuts import render

from cpaudit.org import access

from .models import ActionLog
from .views import domain_view


@domain_view
def log_list(request):
    access.check(request.user, "core.log.view")
    entries = access.scope(request.user, ActionLog.objects.all()).order_by("-seq")[:100]
    return render(request, "core/log_list.html", {"entries": entries})
