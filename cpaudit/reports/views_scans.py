"""The sealed copy's scan on the report pages: uploaded by the reporting unit's own people onto the
submitted version, downloaded by whoever may see the report (404 outside the jurisdiction)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.uploads import limit_megabytes, upload_too_large
from cpaudit.core.views import domain_view
from cpaudit.org import access

from . import scans
from .deadlines import SUBMITTED_STATES
from .forms import ScanForm, month_value
from .models import MonthlyReport, ReportKind, ReportVersion


def report_url(report) -> str:
    page = "reports:city_overview" if report.kind == ReportKind.CITY else "reports:branch_report"
    return reverse(page, args=[report.campaign.slug, month_value(report.month), report.agency_id])


def scan_context(user, report, versions) -> dict:
    """The latest version (its scan shown as 已上传盖章扫描件) and, for the unit's own people once the
    report is submitted, the upload form."""
    latest = versions[-1] if versions else None
    can_upload = (latest is not None and report.status in SUBMITTED_STATES
                  and getattr(user, "agency_id", None) == report.agency_id
                  and access.allowed(user, "reports.scan.upload"))
    return {"latest_version": latest, "scan_form": ScanForm() if can_upload else None,
            "scan_upload_url": reverse("reports:scan_upload", args=[report.pk]) if can_upload else ""}


@domain_view
@require_POST
def scan_upload(request, pk):
    access.check(request.user, "reports.report.view")
    report = access.get_in_scope(request.user, MonthlyReport.objects.select_related("agency", "campaign"), pk=pk)
    access.check(request.user, "reports.scan.upload", report)
    if getattr(request.user, "agency_id", None) != report.agency_id:
        raise PermissionDenied(f"只有{report.agency}的人员可以上传本单位报告的盖章扫描件")
    back = redirect(report_url(report))
    form = ScanForm(request.POST, request.FILES)
    if upload_too_large(request):
        messages.error(request, f"文件过大：盖章扫描件不能超过 {limit_megabytes()} MB")
        return back
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return back
    try:
        version = scans.scan_upload(actor=request.user, report=report, uploaded_file=form.cleaned_data["file"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except InvalidState as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已上传第{version.number}版的盖章扫描件：{version.scan_name}")
    return back


@domain_view
def scan_download(request, pk):
    access.check(request.user, "reports.report.view")
    version = access.get_in_scope(request.user, ReportVersion.objects.select_related("report"), pk=pk)
    try:
        handle = scans.scan_open(actor=request.user, version=version)
    except InvalidState as exc:
        raise Http404(exc.message) from exc
    return FileResponse(handle, as_attachment=True, filename=version.scan_name,
                        content_type=version.scan_content_type)
