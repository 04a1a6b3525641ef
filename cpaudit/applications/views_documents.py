"""The printed forms and batch letters as files, and their issue (签发).

A form is printed from its latest submitted version (or ?version=N; the draft when never submitted)
for whoever may see the application; a batch letter for the government units whose jurisdiction
covers the sending unit. Outside the scope the answer is 404 (existence is not disclosed), a role
without the right gets 403. Once a version's form or a letter has been issued in a format
(cpaudit.documents), its download serves the issued, sealed file: the same bytes every time.
"""

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cpaudit.core.errors import DomainError
from cpaudit.core.params import query_int
from cpaudit.core.views import domain_view
from cpaudit.documents import application_documents as issuing
from cpaudit.documents.selectors import issued_bytes, issued_for
from cpaudit.documents.services import FORMAT_LABELS
from cpaudit.org import access

from .document import batch_document, form_document
from .models import Application, ApplicationVersion, Batch

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _file(request, body_of, doc: dict, fmt: str, filename: str):
    try:
        body = body_of(doc)
    except ImproperlyConfigured as exc:  # no CJK font on this server: say so instead of a 500
        messages.error(request, str(exc))
        back = request.META.get("HTTP_REFERER", "")
        safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
        return redirect(back if safe and back else "home")
    return _attachment(body, fmt, filename)


def _attachment(body: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    return response


def _issued(request, issued, fmt: str, filename: str):
    """The issued file, or a message when it cannot be read back unchanged (never another file)."""
    try:
        return _attachment(issued_bytes(issued), fmt, f"{filename}（签发）")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("home")


@domain_view
def form_download(request, pk, fmt):
    user = request.user
    access.check(user, "applications.application.view")
    application = access.get_in_scope(user, Application.objects.select_related(
        "enrolment__enterprise", "campaign", "evaluation"), pk=pk)
    number = query_int(request, "version", error=Http404("没有这个版本"))
    try:
        doc = form_document(application, number)
    except ApplicationVersion.DoesNotExist as exc:
        raise Http404("没有这个版本") from exc
    what = f"第{doc['version']}版" if doc["version"] else "草稿"
    name = f"{doc['enterprise']}{doc['title']}（{what}）"
    version = application.versions.filter(number=doc["version"]).first() if doc["version"] else None
    issued = issued_for(issuing.FORM, version, fmt)
    if issued is not None:
        return _issued(request, issued, fmt, name)
    from . import render  # the engines load fonts: only when a file is asked for

    return _file(request, getattr(render, f"form_{fmt}"), doc, fmt, name)


@domain_view
def batch_download(request, pk, fmt):
    user = request.user
    access.check(user, "applications.batch.view")
    batch = access.get_in_scope(user, Batch.objects.select_related("agency", "recipient"), pk=pk)
    from . import render

    doc = batch_document(batch)
    issued = issued_for(issuing.LETTER, batch, fmt)
    if issued is not None:
        return _issued(request, issued, fmt, doc["title"])
    return _file(request, getattr(render, f"batch_{fmt}"), doc, fmt, doc["title"])


def _issue(request, issue, back):
    """Run an issue service; its refusal or a missing font is a message on the page issued from."""
    try:
        issued = issue()
    except (DomainError, ImproperlyConfigured) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        numbers = "、".join(f"{FORMAT_LABELS[d.format]}第{d.pk}号（核验码 {d.code}）" for d in issued)
        messages.success(request, f"已签发并加盖电子印章：{numbers}")
    return back


@require_POST
@domain_view
def form_issue(request, pk):
    """The organizer's leader issues the form with every opinion on it, once the result is confirmed."""
    user = request.user
    access.check(user, "documents.document.issue")
    application = access.get_in_scope(user, Application.objects.all(), pk=pk)
    return _issue(request, lambda: issuing.application_form_issue(actor=user, application=application),
                  redirect("applications:detail", application.pk))


@require_POST
@domain_view
def batch_issue(request, pk):
    """The sending unit's leader issues the covering letter it sent."""
    user = request.user
    access.check(user, "documents.document.issue")
    batch = access.get_in_scope(user, Batch.objects.all(), pk=pk)
    return _issue(request, lambda: issuing.batch_letter_issue(actor=user, batch=batch),
                  redirect("applications:batch_detail", batch.pk))
