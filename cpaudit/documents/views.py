"""The public verification page (文书核验): no login. Upload a file, or type the verification code
printed on a paper copy; the answer says whether the platform issued it, by which agency and when —
and nothing else (no download, no content, no other document).

Served under the same Content Security Policy as every page (the middleware applies it to all).
"""

import hashlib

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cpaudit.core.errors import InvalidState
from cpaudit.core.uploads import limit_megabytes, upload_too_large

from .forms import VerifyCodeForm, VerifyFileForm
from .verify import Verdict, label, lookup_code, verify_digest

CHUNK = 64 * 1024


def _digest(upload) -> str:
    h = hashlib.new("sm3")
    for chunk in upload.chunks(CHUNK):
        h.update(chunk)
    return h.hexdigest()


def _by_code(form) -> dict:
    doc = lookup_code(form.cleaned_data["code"])
    if doc is None:
        return {"code_found": False}
    return {"code_found": True, "code_document": label(doc), "code_agency": doc.agency_name,
            "code_issued_at": timezone.localtime(doc.issued_at).strftime("%Y-%m-%d %H:%M:%S"),
            "code_content": doc.content_sm3[:16]}


@require_http_methods(["GET", "POST"])
def verify(request):
    file_form, code_form = VerifyFileForm(), VerifyCodeForm()
    context: dict = {}
    if request.method == "POST" and "code" in request.POST:
        code_form = VerifyCodeForm(request.POST)
        if code_form.is_valid():
            context.update(_by_code(code_form))
    elif request.method == "POST":
        file_form = VerifyFileForm(request.POST, request.FILES)
        if upload_too_large(request):
            file_form.add_error(None, f"文件过大：不能超过 {limit_megabytes()} MB")
        elif file_form.is_valid():
            try:
                verdict = verify_digest(_digest(file_form.cleaned_data["file"]))
            except InvalidState:  # the server cannot check now (its key-encryption key): no detail
                verdict = Verdict(False, "本平台暂时无法核验，请稍后再试或联系签发单位")
            context["verdict"] = verdict
    context.update(file_form=file_form, code_form=code_form, max_mb=limit_megabytes())
    return render(request, "documents/verify.html", context)
