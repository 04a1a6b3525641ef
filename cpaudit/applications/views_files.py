"""What the application page shows beside the form and what reviewers check it against: the letter and
the report attached to it (frozen with the version), the evidence of the deliverable steps, the option
flags, and the city's assistance; the POSTs that upload an attachment, request or record assistance,
and the download of an attachment.

"资料是否齐全" and the experts' scores are about these files: the page lists exactly the ones the
version froze (by digest), never what the enterprise uploaded since.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cpaudit.core.errors import InvalidState
from cpaudit.core.views import domain_view
from cpaudit.org import access
from cpaudit.progress.models import Evidence
from cpaudit.progress.steps import DELIVERABLE_STEPS

from . import services
from .forms import AssistanceRecordForm, AssistanceRequestForm, AttachmentForm, CorrectionReviewForm
from .models import EDITABLE, Application, Assistance, Attachment, Correction, Level, Status
from .services import attachments as files


def _frozen(application, latest) -> list[dict]:
    """The version's files, each with the row to download it by (one query)."""
    items = files.version_attachments(latest)
    rows = {a.pk: a for a in application.attachments.filter(pk__in=[i["id"] for i in items])}
    return [{**item, "row": rows.get(item["id"])} for item in items]


def _deliverables(application) -> list:
    """The current evidence files of the deliverable steps (中期审核报告, 审核报告, 验收材料)."""
    return list(Evidence.objects.filter(record__enrolment_id=application.enrolment_id, is_current=True,
                                        record__step_id__in=DELIVERABLE_STEPS)
                .select_related("record", "record__step").order_by("record__step_id", "-uploaded_at"))


def _flags(application) -> list:
    """The consistency checks on the enterprise's own figures, as the reviewer of this kind sees them
    (each with `code`, `severity`, `message` naming the numbers compared)."""
    from cpaudit.progress.selectors.consistency import consistency_flags

    return consistency_flags(application.enrolment, application.kind)


def context(user, application, latest, route) -> dict:
    editable = application.status in EDITABLE and access.allowed(user, "applications.attachment.upload")
    current = files.current(application) if application.status in EDITABLE else {}
    assistance = list(application.assistance.select_related("agency", "requested_by", "recorded_by"))
    for item in assistance:
        item.can_record = (item.state == Assistance.State.REQUESTED and access.allowed(user, "applications.assistance.record")
                           and getattr(user, "agency_id", None) == item.agency_id)
    can_request = (application.status in (Status.ORGANIZING, Status.RESULT_PENDING) and route is not None
                   and route.organizer_level == Level.BRANCH and not route.direct
                   and access.allowed(user, "applications.assistance.request")
                   and getattr(user, "agency_id", None) == getattr(route.organizer, "pk", None))
    corrections = list(application.corrections.select_related("reviewed_by"))
    for c in corrections:
        c.can_review = (c.state == Correction.State.OPEN and access.allowed(user, "applications.correction.review")
                        and getattr(user, "agency_id", None) == application.organizer_id)
    return {
        "corrections": corrections,
        "frozen_files": _frozen(application, latest) if latest else [],
        "draft_files": [{"purpose": p, "label": files.label(application.kind, p), "row": current.get(p)}
                        for p in files.REQUIRED] if application.status in EDITABLE else [],
        "upload_form": AttachmentForm() if editable else None,
        "deliverables": _deliverables(application),
        "option_flags": _flags(application),
        "assistance": assistance,
        "assistance_request_form": AssistanceRequestForm() if can_request else None,
        "assistance_record_form": AssistanceRecordForm() if any(i.can_record for i in assistance) else None,
    }


def _application(user, pk):
    access.check(user, "applications.application.view")
    return access.get_in_scope(user, Application.objects.select_related("enrolment__enterprise", "campaign"), pk=pk)


def _errors(request, exc) -> None:
    text = exc.message if isinstance(exc, InvalidState) else "；".join(exc.messages)
    messages.error(request, text)


@domain_view
@require_POST
def attachment_upload(request, pk):
    application = _application(request.user, pk)
    access.check(request.user, "applications.attachment.upload", application)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("applications:detail", pk)
    try:
        item = services.attachment_upload(actor=request.user, application=application,
                                          purpose=form.cleaned_data["purpose"], uploaded_file=form.cleaned_data["file"])
    except (InvalidState, ValidationError) as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已上传{files.label(application.kind, item.purpose)}：{item.original_name}")
    return redirect("applications:detail", pk)


@domain_view
def attachment_download(request, pk):
    access.check(request.user, "applications.attachment.download")
    item = access.get_in_scope(request.user, Attachment.objects.select_related("application"), pk=pk)
    try:
        opened = services.attachment_open(actor=request.user, attachment=item)
    except InvalidState as exc:
        raise Http404(exc.message) from exc
    return FileResponse(opened.handle, as_attachment=True, filename=opened.name, content_type=opened.content_type)


@domain_view
@require_POST
def assistance_request(request, pk):
    application = _application(request.user, pk)
    access.check(request.user, "applications.assistance.request", application)
    form = AssistanceRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("applications:detail", pk)
    try:
        services.assistance_request(actor=request.user, application=application, request=form.cleaned_data["request"])
    except (InvalidState, ValidationError) as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已请求市局协调")
    return redirect("applications:detail", pk)


@domain_view
@require_POST
def assistance_record(request, pk):
    access.check(request.user, "applications.application.view")
    item = access.get_in_scope(request.user, Assistance.objects.select_related("application"), pk=pk)
    access.check(request.user, "applications.assistance.record", item)
    form = AssistanceRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("applications:detail", item.application_id)
    data = form.cleaned_data
    try:
        services.assistance_record(actor=request.user, assistance=item, participants=data["participants"],
                                   work=data["work"], work_date=data["work_date"])
    except (InvalidState, ValidationError) as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已记录市局协助/协调工作")
    return redirect("applications:detail", item.application_id)


@domain_view
@require_POST
def correction_review(request, pk):
    access.check(request.user, "applications.application.view")
    item = access.get_in_scope(request.user, Correction.objects.select_related("application"), pk=pk)
    access.check(request.user, "applications.correction.review", item.application)
    form = CorrectionReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写核查意见（变更是否影响结论）")
        return redirect("applications:detail", item.application_id)
    try:
        services.correction_review(actor=request.user, correction=item, note=form.cleaned_data["note"])
    except (InvalidState, ValidationError) as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已提交核查意见")
    return redirect("applications:detail", item.application_id)
