"""撤回: the enterprise takes back a submission nobody has acted on yet (the detail page's button goes
through the confirmation page first: cpaudit.workbench.confirm)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cpaudit.core.errors import InvalidState
from cpaudit.core.views import domain_view
from cpaudit.org import access

from . import services
from .models import Application


@require_POST
@domain_view
def withdraw(request, pk):
    user = request.user
    access.check(user, "applications.application.view")
    application = access.get_in_scope(user, Application.objects.all(), pk=pk)
    try:
        services.application_withdraw(actor=user, application=application)
    except InvalidState as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "申请已撤回，修改后可重新提交")
    return redirect("applications:detail", pk=application.pk)
