"""Issuing the application chain's documents (签发), in PDF and Word at once, each file sealed.

Who issues what (the seal is the issuer's agency's):
- a batch's covering letter (书面申请): the leader of the sending unit at the batch's level (分局负责人
  for a branch's letter to the city, 市局负责人 for a city's to the province), any time after it was
  sent — the letter is frozen at submission, so what is issued is what was sent;
- Table 1 / Table 2 with every opinion on it: the leader of the organizing unit (by the enterprise's
  management level: 省厅 / 市局 / 分局负责人), once the result is confirmed (通过/未通过): only then
  are all the opinions on the form final. The form issued is the version the result was reached on.
  A result an organizer replied on paper is not issued by the platform: its letter is the original.

Pages: the 签发 buttons on the batch page and on the application page (views in
applications/views_documents.py); every later download serves the issued files.
"""

from __future__ import annotations

from django.db import transaction

from cpaudit.applications import transitions
from cpaudit.applications.document import batch_document, form_document, form_label
from cpaudit.applications.models import FINAL, Application, Batch, Step
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.org import access

from .models import IssuedDocument
from .services import document_issue_formats

FORM = "application_form"
LETTER = "batch_letter"


def _leader_role(level: str):
    return transitions.ROLES.get((level, transitions.LEADER))


def form_issue_refusal(user, application: Application) -> str:
    """'' when `user` may issue the form now; else why not (also decides whether the page offers it)."""
    if not access.allowed(user, "documents.document.issue") or getattr(user, "is_system", False):
        return "签发申请表须由组织单位负责人本人办理"
    if application.status not in FINAL:
        return "评估/验收结论确认后，方可由组织单位负责人签发申请表"
    if (application.organizer_id is None or user.agency_id != application.organizer_id
            or user.role != _leader_role(application.organizer_level)):
        return f"申请表由组织单位（{application.organizer or '未确定'}）负责人签发"
    confirmation = application.decisions.filter(step=Step.RESULT_CONFIRMATION).order_by("-decided_at", "-pk").first()
    if confirmation is not None and confirmation.transcribed:
        return "组织单位以纸质方式作出结论，以其来文为准，本平台不签发申请表"
    return ""


def letter_issue_refusal(user, batch: Batch) -> str:
    if not access.allowed(user, "documents.document.issue") or getattr(user, "is_system", False):
        return "书面申请须由报送单位负责人本人签发"
    if user.agency_id != batch.agency_id or user.role != _leader_role(batch.level):
        return f"书面申请由报送单位（{batch.agency}）负责人签发"
    return ""


@transaction.atomic
def application_form_issue(*, actor, application: Application) -> list[IssuedDocument]:
    access.check(actor, "documents.document.issue", application)
    application = (Application.objects.select_for_update(of=("self",))
                   .select_related("enrolment__enterprise", "campaign", "evaluation", "organizer")
                   .get(pk=application.pk))
    refusal = form_issue_refusal(actor, application)
    if refusal:
        raise PermissionDenied(refusal)
    version = application.versions.order_by("-number").first()
    if version is None:
        raise InvalidState("申请尚未提交，没有可签发的申请表", code="no_version")
    doc = form_document(application, version)
    from cpaudit.applications import render  # the engines load fonts: only when a file is made

    return document_issue_formats(actor=actor, kind=FORM, obj=version, content=doc,
                                  renders={"pdf": render.form_pdf, "docx": render.form_docx},
                                  title=f"{doc['enterprise']} {form_label(doc)}")


@transaction.atomic
def batch_letter_issue(*, actor, batch: Batch) -> list[IssuedDocument]:
    access.check(actor, "documents.document.issue", batch)
    batch = Batch.objects.select_for_update(of=("self",)).select_related("agency", "recipient").get(pk=batch.pk)
    refusal = letter_issue_refusal(actor, batch)
    if refusal:
        raise PermissionDenied(refusal)
    doc = batch_document(batch)
    from cpaudit.applications import render

    return document_issue_formats(actor=actor, kind=LETTER, obj=batch, content=doc,
                                  renders={"pdf": render.batch_pdf, "docx": render.batch_docx},
                                  title=doc["title"])
