"""The enterprise's side: start an application for an enrolment (评估 or 验收), fill the form, save the
draft, submit. The consulting agency the enterprise engaged prepares drafts; only the enterprise
submits (services.forms). Field errors from formspec / the services are shown next to the fields."""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cpaudit.campaigns.models import Enrolment
from cpaudit.core import clock
from cpaudit.core.errors import InvalidState
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access

from . import formspec, services
from .forms import ApplicationForm, StartForm
from .models import EDITABLE, Application

REGISTRY_NOTE = "如需变更请联系分局在企业名录中修改"


@domain_view
@require_POST
def start(request, pk):
    """Start (or reopen the open) application of one kind for the enrolment, then edit it."""
    user = request.user
    access.check(user, "applications.application.view")
    enrolment = access.get_in_scope(user, Enrolment.objects.select_related("enterprise", "campaign"), pk=pk)
    access.check(user, "applications.application.prepare", enrolment)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("applications:index")
    try:
        application = services.application_start(actor=user, enrolment=enrolment, kind=form.cleaned_data["kind"])
    except InvalidState as exc:
        messages.error(request, exc.message)
        return redirect("applications:index")
    if application.status not in EDITABLE:
        return redirect("applications:detail", application.pk)
    return redirect("applications:edit", application.pk)


def _registry_rows(application) -> list[dict]:
    """The registry-bound fields as they stand now (what submission will print)."""
    # The 验收 time limit is judged on the day of submission: today, as the service will.
    values = formspec.registry_values(application.enrolment, application.kind, application.evaluation,
                                      application.campaign, clock.today())
    rows = {f.key: formspec.display(application.kind, f.key, values.get(f.key))
            for f in formspec.FIELDS[application.kind] if f.registry}
    if "consulting_agency" in rows and not rows["consulting_agency"]:
        rows["consulting_agency"] = "（自审，不填）"
    return rows


def _rows(form, registry) -> list[dict]:
    """Every field of FIELDS[kind] in order: a form field, or a read-only registry value."""
    rows = []
    for f in formspec.FIELDS[form.kind]:
        if f.registry:
            rows.append({"spec": f, "registry": registry.get(f.key) or "（名录中未登记）",
                         "errors": getattr(form, "registry_errors", {}).get(f.key, [])})
        else:
            rows.append({"spec": f, "field": form[f.key]})
    return rows


def _add_errors(form, exc: ValidationError) -> None:
    """Errors on registry-bound fields stay next to their read-only row; the rest go to the fields."""
    registry = {f.key for f in formspec.FIELDS[form.kind] if f.registry}
    if hasattr(exc, "error_dict"):
        form.registry_errors = {k: v for k, v in exc.message_dict.items() if k in registry}
        rest = {k: v for k, v in exc.error_dict.items() if k not in registry}
        if rest:
            add_validation_errors(form, ValidationError(rest))
    else:
        add_validation_errors(form, exc)


def _save(request, application, form) -> bool:
    try:
        services.application_save(actor=request.user, application=application, data=form.values())
    except ValidationError as exc:
        add_validation_errors(form, exc)
        return False
    except InvalidState as exc:
        messages.error(request, exc.message)
        return False
    return True


def _submit(request, application, form) -> bool:
    """Save what is on the page, then submit it. A refused submission keeps the saved draft."""
    if not _save(request, application, form):
        return False
    try:
        version = services.application_submit(actor=request.user, application=application)
    except ValidationError as exc:
        _add_errors(form, exc)
        messages.error(request, "草稿已保存；申请表尚有需要补正的内容，请按提示修改后再提交")
        return False
    except InvalidState as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, f"已提交第{version.number}版申请表，等待分局审核")
    return True


@domain_view
def edit(request, pk):
    user = request.user
    access.check(user, "applications.application.view")
    application = access.get_in_scope(user, Application.objects.select_related(
        "enrolment__enterprise__industry", "enrolment__consulting_agency", "campaign", "evaluation"), pk=pk)
    access.check(user, "applications.application.prepare", application)
    if application.status not in EDITABLE:
        messages.error(request, f"该申请当前为“{application.get_status_display()}”，不能修改申请表")
        return redirect("applications:detail", application.pk)
    can_submit = access.allowed(user, "applications.application.submit")
    form = ApplicationForm(kind=application.kind, data_initial=application.form_data)
    if request.method == "POST":
        action = request.POST.get("action")
        form = ApplicationForm(request.POST, kind=application.kind)
        if action not in ("save", "submit"):
            messages.error(request, "请选择要执行的操作")
        elif form.is_valid():
            if action == "submit":
                access.check(user, "applications.application.submit", application)
                if _submit(request, application, form):
                    return redirect("applications:detail", application.pk)
                application.refresh_from_db()
            elif _save(request, application, form):
                messages.success(request, "已保存草稿")
                return redirect("applications:edit", application.pk)
    return render(request, "applications/edit.html", {
        "application": application, "enterprise": application.enrolment.enterprise, "form": form,
        "rows": _rows(form, _registry_rows(application)), "registry_note": REGISTRY_NOTE,
        "can_submit": can_submit,
    })
