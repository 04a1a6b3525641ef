"""The printed forms and batch letters as files.

A form is printed from its latest submitted version (or ?version=N; the draft when never submitted)
for whoever may see the application; a batch letter for the government units whose jurisdiction
covers the sending unit. Outside the scope the answer is 404 (existence is not disclosed), a role
without the right gets 403.
"""

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme

from cpaudit.core.views import domain_view
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
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    return response


@domain_view
def form_download(request, pk, fmt):
    user = request.user
    access.check(user, "applications.application.view")
    application = access.get_in_scope(user, Application.objects.select_related(
        "enrolment__enterprise", "campaign", "evaluation"), pk=pk)
    number = request.GET.get("version")
    if number is not None and not number.isdigit():
        raise Http404("没有这个版本")
    try:
        doc = form_document(application, number)
    except ApplicationVersion.DoesNotExist as exc:
        raise Http404("没有这个版本") from exc
    from . import render  # the engines load fonts: only when a file is asked for

    what = f"第{doc['version']}版" if doc["version"] else "草稿"
    name = f"{doc['enterprise']}{doc['title']}（{what}）"
    return _file(request, getattr(render, f"form_{fmt}"), doc, fmt, name)


@domain_view
def batch_download(request, pk, fmt):
    user = request.user
    access.check(user, "applications.batch.view")
    batch = access.get_in_scope(user, Batch.objects.select_related("agency", "recipient"), pk=pk)
    from . import render

    doc = batch_document(batch)
    return _file(request, getattr(render, f"batch_{fmt}"), doc, fmt, doc["title"])
