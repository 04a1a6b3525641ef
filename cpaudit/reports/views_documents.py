"""A frozen version's page and the report as a file (Word, PDF, text): the submitted snapshot when
submitted (or version ?v=N), else the draft. A version issued by its submission (documents) is served
as its issued, sealed PDF and Word files, byte for byte."""

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from cpaudit.core.errors import DomainError, InvalidState
from cpaudit.core.params import query_int
from cpaudit.core.views import domain_view
from cpaudit.documents.report_documents import MONTHLY, issued_file
from cpaudit.documents.selectors import issued_bytes
from cpaudit.org import access
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, AgencyKind

from . import services
from .document import blocks_of
from .forms import month_value
from .models import ReportKind, ReportVersion
from .render_txt import render_txt
from .views import FORMATS, _agency, _campaign, _report, _versions


@domain_view
def version(request, pk):
    """A frozen submission, as it was submitted."""
    access.check(request.user, "reports.report.view")
    version = access.get_in_scope(request.user, ReportVersion.objects.select_related(
        "report", "report__agency", "report__campaign", "submitted_by"), pk=pk)
    report = version.report
    page = ("reports:city_overview" if report.kind == ReportKind.CITY else "reports:branch_report")
    args = [report.campaign.slug, month_value(report.month), report.agency_id]
    return render(request, "reports/version.html", {
        "version": version, "report": report, "content": version.content, "blocks": blocks_of(version.content),
        "report_url": reverse(page, args=args),
        "downloads": [(fmt, reverse("reports:download", args=[*args, fmt]) + f"?v={version.number}")
                      for fmt in FORMATS],
        "versions": _versions(report),
    })


@domain_view
def download(request, slug, month, agency_pk, fmt):
    """The report as a file: the submitted snapshot when submitted (or version ?v=N), else the draft."""
    user = request.user
    access.check(user, "reports.report.view")
    campaign = _campaign(user, slug)
    agency = _agency(agency_pk, [*BRANCH_AGENCY_KINDS, AgencyKind.CITY])
    kind = ReportKind.CITY if agency.kind == AgencyKind.CITY else ReportKind.BRANCH
    try:
        report = _report(user, campaign, agency, month, kind)
    except InvalidState as exc:
        raise Http404(exc.message) from exc
    number = query_int(request, "v", error=Http404("没有这个版本"))
    if number is not None:
        version = next((v for v in _versions(report) if v.number == number), None)
        if version is None:
            raise Http404("没有这个版本")
    else:
        version = services.latest_version(report) if report.status in services.SUBMITTED_STATES else None
    content = version.content if version is not None else services.content_for(report)
    back = request.path.rsplit("/", 2)[0] + "/"
    return file_response(request, content, fmt, issued_file(MONTHLY, version, fmt), back)


def file_response(request, content: dict, fmt: str, issued, back: str):
    """The file: the issued, sealed bytes once the version was issued in that format (the same bytes
    every time), else rendered now. A missing font or an issued file that cannot be read back
    unchanged is a message on the page (`back`), never another file."""
    try:
        body = issued_bytes(issued) if issued is not None else _render(content, fmt)
    except ImproperlyConfigured as exc:  # no CJK font on this server: say so instead of a 500
        messages.error(request, str(exc))
        return redirect(back)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    suffix = f"（第{content['version']}版）" if content.get("version") else "（草稿）"
    if issued is not None:
        suffix += "（签发）"
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{content['title']}{suffix}.{fmt}")
    return response


def _render(content: dict, fmt: str) -> bytes:
    if fmt == "txt":
        return render_txt(content).encode("utf-8")
    from .render import render_docx, render_pdf  # the engines load fonts: only when a file is asked for

    return render_docx(content) if fmt == "docx" else render_pdf(content)

