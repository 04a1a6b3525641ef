"""Issuing a document (签发): one action that renders the file once, keeps its exact bytes and seals them.

`document_issue` is called by the app that owns the document, after its own rights checks (who may
issue a batch letter, a result, a monthly report is that app's rule), with the frozen content dict and
the renderer. It allocates the row first, so the renderer can print the document's own identity — the
`seal` dict below — in a footer line: the document id, the SM3 of the frozen content, a verification
code, the log head and the sealing agency. None of these depends on the file's bytes, which is why
printing them inside the file is not circular. The file's SM3 is then signed (SM2) with the issuing
agency's active seal key, the bytes go to core.storedfiles, the issue is logged, and after commit the
log head is checkpointed (signed with the platform key).

Log code: documents.document.issued.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from cpaudit.core import clock, storedfiles
from cpaudit.core.actors import actor_fields, is_system
from cpaudit.core.aftercommit import checkpoint_after_commit
from cpaudit.core.chain import GENESIS, document_digest
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.core.models import LogHead
from cpaudit.org import access

from . import crypto, keys
from .models import IssuedDocument

register("documents.document.issued", "签发文书（电子签章）")

# kind → (the model of the object issued, what it is called). An app adds its kind here.
KINDS = {
    "application_form": ("applications.applicationversion", "评估/验收申请表"),
    "batch_letter": ("applications.batch", "评估/验收书面申请"),
    "monthly_report": ("reports.reportversion", "月度进度报告"),
    "results_summary": ("reports.resultsversion", "评估/验收结果汇总"),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FORMAT_LABELS = {"pdf": "PDF", "docx": "Word"}
# Verification codes: no 0/O, 1/I/L, so a code read off paper is typed back right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFY_PATH = "/verify/"


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def seal_of(doc: IssuedDocument) -> dict:
    """What the renderer prints (a footer on every page): known before the file exists."""
    issued = timezone.localtime(doc.issued_at).strftime("%Y-%m-%d %H:%M")
    head = f"#{doc.head_seq} {doc.head_digest[:16]}"
    return {
        "document": doc.pk,
        "code": doc.code,
        "content_sm3": doc.content_sm3[:16],
        "log_head": head,
        "agency": doc.agency_name,
        "issued_at": issued,
        "lines": [
            f"电子签章：{doc.agency_name}　签发：{issued}　文书编号：{doc.pk}　核验码：{doc.code}",
            f"内容SM3：{doc.content_sm3[:16]}　日志链头：{head}　核验：本平台{VERIFY_PATH}上传本文件",
        ],
    }


def _keep(data: bytes, digest: str) -> None:
    directory = storedfiles.store_dir()
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".issue-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        storedfiles.store(Path(tmp), digest)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _check_kind(kind: str, obj, fmt: str) -> None:
    if kind not in KINDS or obj._meta.label_lower != KINDS[kind][0]:
        raise ValueError(f"unknown document kind {kind!r} for {obj._meta.label_lower}")
    if fmt not in CONTENT_TYPES:
        raise InvalidState(f"不支持的格式“{fmt}”，应为 pdf 或 docx", code="wrong_format")


@transaction.atomic
def document_issue(*, actor, kind: str, obj, fmt: str, content: dict, render: Callable[[dict], bytes],
                   title: str = "", agency=None) -> IssuedDocument:
    """Issue `obj` as one file in format `fmt`, sealed by `agency` (default: the actor's own).

    `content` is the frozen content dict; `render(dict) -> bytes` gets it with a `seal` entry added
    (seal_of) and must print `seal["lines"]`. Refused when it was already issued in that format, when
    the agency has no active seal key, or for a system actor (a person issues)."""
    access.check(actor, "documents.document.issue")
    if is_system(actor):
        raise PermissionDenied("文书须由签发人本人签发")
    agency = agency or getattr(actor, "agency", None)
    if agency is None:
        raise PermissionDenied("签发文书须以所在单位的电子印章签章，您的账号不属于任何单位")
    _check_kind(kind, obj, fmt)
    key = keys.active_key(agency, lock=True)
    if key is None:
        raise InvalidState(f"{agency}尚无在用的电子印章密钥，请联系安全管理员生成后再签发", code="no_seal_key")
    label = f"{title or obj}（{FORMAT_LABELS[fmt]}）"
    if IssuedDocument.objects.filter(kind=kind, object_id=obj.pk, format=fmt).exists():
        raise InvalidState(f"{label}已签发，不能重复签发", code="already_issued")
    head = LogHead.objects.filter(pk=1).first()
    doc = IssuedDocument(
        kind=kind, object_id=obj.pk, format=fmt, title=(title or str(obj))[:300],
        content_sm3=document_digest(content), content=content, code=new_code(), agency=agency,
        agency_name=str(agency), issued_by=actor, issued_by_name=actor_fields(actor)["actor_name"],
        issued_at=clock.server_now(), head_seq=head.seq if head else 0,
        head_digest=head.digest if head else GENESIS, key=key)
    try:
        with transaction.atomic():
            doc.save(force_insert=True)
    except IntegrityError as exc:  # the same document issued by someone else at the same moment
        raise InvalidState(f"{label}已签发，不能重复签发", code="already_issued") from exc
    data = render({**content, "seal": seal_of(doc)})
    doc.file_sm3, doc.size = crypto.sm3(data), len(data)
    doc.signature = keys.sign_with(key, bytes.fromhex(doc.file_sm3))
    _keep(data, doc.file_sm3)
    entry = log_action(actor=actor, action="documents.document.issued", obj=doc, data={
        "kind": kind, "object_id": obj.pk, "format": fmt, "title": doc.title, "file_sm3": doc.file_sm3,
        "size": doc.size, "content_sm3": doc.content_sm3, "code": doc.code, "agency": agency.pk,
        "agency_name": doc.agency_name, "key": key.fingerprint, "head_seq": doc.head_seq,
        "head_digest": doc.head_digest})
    doc.log_seq = entry.seq
    doc.save(update_fields=["file_sm3", "size", "signature", "log_seq"])
    # The checkpoint vouches for the issue; it is written once the issue is committed, and a failure
    # to write it never undoes the issue (the document stays pending until the next checkpoint).
    checkpoint_after_commit(reason="document")
    return doc


def document_issue_formats(*, actor, kind: str, obj, content: dict, renders: dict[str, Callable[[dict], bytes]],
                           title: str = "", agency=None) -> list[IssuedDocument]:
    """Issue the same content in several formats (each its own sealed file), all or nothing.

    For the monthly reports: `report_submit` calls, inside its own transaction, after the version is
    created,
        document_issue_formats(actor=actor, kind="monthly_report", obj=version, content=version.content,
                               renders={"pdf": render_pdf, "docx": render_docx}, title=<the report's title>)
    where each render takes the content dict (with `seal` added) and prints `seal["lines"]` in its
    footer."""
    with transaction.atomic():
        return [document_issue(actor=actor, kind=kind, obj=obj, fmt=fmt, content=content, render=render,
                               title=title, agency=agency) for fmt, render in renders.items()]
