"""The files of an application: the enterprise's written application (书面申请) and its audit report are
part of the application (seed § 二: 写出书面评估、验收申请，并附申请表). They are uploaded with the form by
the enterprise or its engaged agency, checked like evidence (core.storedfiles), required at
submission, and frozen with the version: its content lists their digests, so a replaced file never
changes what a reviewer or an expert saw.

Log codes: applications.attachment.uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock, storedfiles
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.org import access

from ..models import EDITABLE, Attachment, Kind
from .common import lock

register("applications.attachment.uploaded", "上传评估/验收申请附件")

Purpose = Attachment.Purpose
# What the enterprise must attach, and what each file is called for each kind of application.
REQUIRED = (Purpose.LETTER, Purpose.REPORT)
LABELS = {
    Kind.EVALUATION: {Purpose.LETTER: "企业书面评估申请", Purpose.REPORT: "清洁生产审核报告（送评估稿）"},
    Kind.ACCEPTANCE: {Purpose.LETTER: "企业书面验收申请", Purpose.REPORT: "清洁生产审核验收报告及实施材料"},
}


def label(kind: str, purpose: str) -> str:
    return LABELS.get(kind, {}).get(purpose) or Purpose(purpose).label


def current(application) -> dict[str, Attachment]:
    """The current letter and report, by purpose."""
    found = {}
    for item in application.attachments.filter(purpose__in=REQUIRED, is_current=True).select_related("uploaded_by"):
        found[item.purpose] = item
    return found


def missing(application) -> list[str]:
    have = current(application)
    return [label(application.kind, p) for p in REQUIRED if p not in have]


def freeze(application) -> list[dict]:
    """What a submitted version lists (in REQUIRED order); the caller has checked nothing is missing."""
    have = current(application)
    return [{"id": have[p].pk, "purpose": p, "label": label(application.kind, p), "name": have[p].original_name,
             "digest": have[p].digest, "size": have[p].size} for p in REQUIRED if p in have]


def version_attachments(version) -> list[dict]:
    return list((version.content or {}).get("attachments") or []) if version is not None else []


def attachment_upload(*, actor, application, purpose: str, uploaded_file) -> Attachment:
    """Attach the letter or the report to a draft (a new file replaces the current one of that purpose)."""
    access.check(actor, "applications.attachment.upload", application)
    if purpose not in REQUIRED:
        raise ValidationError({"purpose": "请选择附件类型（书面申请或审核报告）"})
    if getattr(actor, "pk", None) is None:
        raise InvalidState("申请附件须由企业或咨询机构的用户上传", code="no_uploader")
    spooled = storedfiles.receive(uploaded_file)
    try:
        return _attach(actor, application, purpose, spooled)
    finally:
        spooled.path.unlink(missing_ok=True)


@transaction.atomic
def _attach(actor, application, purpose, spooled) -> Attachment:
    application = lock(application)
    access.check(actor, "applications.application.prepare", application)
    if application.status not in EDITABLE:
        raise InvalidState("申请已提交，附件随申请表冻结，不能更换（退回后可修改）", code="frozen")
    old = application.attachments.select_for_update().filter(purpose=purpose, is_current=True).first()
    if old is not None and old.digest == spooled.digest:
        raise ValidationError({"file": f"已上传内容相同的文件「{old.original_name}」，无需重复上传"})
    if old is not None:
        old.is_current = False
        old.save(update_fields=["is_current"])
    item = Attachment.objects.create(
        application=application, purpose=purpose, digest=spooled.digest, original_name=spooled.name,
        file_kind=spooled.kind, content_type=spooled.content_type, size=spooled.size, uploaded_by=actor,
        uploaded_at=clock.server_now())
    log_action(actor=actor, action="applications.attachment.uploaded", obj=application,
               data={"purpose": purpose, "label": label(application.kind, purpose), "name": spooled.name,
                     "digest": spooled.digest, "size": spooled.size, "replaces": old.pk if old else None})
    storedfiles.store(spooled.path, spooled.digest)
    return item


@dataclass
class OpenFile:
    handle: object
    name: str
    content_type: str
    size: int


def attachment_open(*, actor, attachment) -> OpenFile:
    """An open handle on an attachment for a user who may see its application (the caller closes it)."""
    access.check(actor, "applications.attachment.download", attachment)
    handle = storedfiles.open_stored(attachment.digest, "附件文件")
    return OpenFile(handle, attachment.original_name, attachment.content_type, attachment.size)
