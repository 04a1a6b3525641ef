"""Evidence files of a step: checked by content (never by name or by the browser's content type),
size-limited, stored outside the web root under their SM3 digest (identical content stored once),
replaced by new versions that keep the old ones."""

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action
from cpaudit.org import access

from ..models import Evidence
from .steps import LOCKED_MESSAGE, _lock_record

MB = 1024 * 1024
CHUNK = 64 * 1024
ALLOWED_TYPES = "PDF、图片（PNG、JPEG、GIF）、Word（.doc、.docx）或 Excel（.xls、.xlsx）"

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
SIGNATURES = [  # (leading bytes, kind, content type)
    (b"%PDF-", Evidence.Kind.PDF, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", Evidence.Kind.IMAGE, "image/png"),
    (b"\xff\xd8\xff", Evidence.Kind.IMAGE, "image/jpeg"),
    (b"GIF87a", Evidence.Kind.IMAGE, "image/gif"),
    (b"GIF89a", Evidence.Kind.IMAGE, "image/gif"),
]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def evidence_dir() -> Path:
    return Path(getattr(settings, "CPAUDIT_EVIDENCE_DIR", Path(settings.DATA_DIR) / "evidence"))


def evidence_path(digest: str) -> Path:
    return evidence_dir() / digest[:2] / digest


def max_bytes() -> int:
    return int(settings.CPAUDIT_UPLOAD_MAX_BYTES)


def limit_label() -> str:
    return f"{max_bytes() / MB:g} MB"


def _refuse_type(extra: str = "") -> ValidationError:
    return ValidationError({"file": f"文件内容不是允许的类型{extra}：只能上传{ALLOWED_TYPES}文件"})


def detect(path: Path, name: str) -> tuple[str, str]:
    """(kind, content type) of the file at `path`, judged by its content; ValidationError otherwise.
    The name only tells the legacy Office formats apart (both are OLE2 containers), and then the
    container must also hold the matching stream (WordDocument, or Workbook/Book)."""
    with path.open("rb") as fh:
        head = fh.read(16)
    for signature, kind, content_type in SIGNATURES:
        if head.startswith(signature):
            return kind, content_type
    suffix = PurePath(name).suffix.lower()
    if head.startswith(ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise _refuse_type("（压缩包已损坏）") from exc
        if "word/document.xml" in names:
            return Evidence.Kind.WORD, DOCX
        if "xl/workbook.xml" in names:
            return Evidence.Kind.EXCEL, XLSX
        raise _refuse_type()
    if head.startswith(OLE2):
        content = path.read_bytes()
        if suffix == ".doc" and "WordDocument".encode("utf-16-le") in content:
            return Evidence.Kind.WORD, "application/msword"
        if suffix == ".xls" and ("Workbook".encode("utf-16-le") in content
                                 or "Book".encode("utf-16-le") in content):
            return Evidence.Kind.EXCEL, "application/vnd.ms-excel"
        raise _refuse_type("（Office旧格式文件须为扩展名 .doc 的 Word 文档或 .xls 的 Excel 表格）")
    raise _refuse_type()


def _clean_name(name: str) -> str:
    base = PurePath((name or "").replace("\\", "/")).name.strip()
    base = "".join(ch for ch in base if ch.isprintable())
    if len(base) > 255:
        stem, suffix = os.path.splitext(base)
        base = stem[: 255 - len(suffix)] + suffix
    return base or "未命名文件"


def _spool(uploaded_file) -> tuple[Path, str, int]:
    """Copy the upload into a temporary file in the evidence directory while computing its SM3 digest
    and size; refuse as soon as it exceeds the limit (the declared size is not trusted)."""
    limit = max_bytes()
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise ValidationError({"file": f"文件过大：单个文件不能超过 {limit_label()}"})
    directory = evidence_dir()
    directory.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.new("sm3"), 0
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            uploaded_file.seek(0)
            for chunk in uploaded_file.chunks(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ValidationError({"file": f"文件过大：单个文件不能超过 {limit_label()}"})
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationError({"file": "文件为空"})
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp), digest.hexdigest(), size


def _store(tmp: Path, digest: str) -> None:
    """Move the spooled file to its digest path; identical content already stored is kept as is."""
    target = evidence_path(digest)
    if target.exists():
        tmp.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(tmp, 0o440)
    os.replace(tmp, target)


def evidence_upload(*, actor, record, uploaded_file, replaces=None) -> Evidence:
    """Attach a file to a step, or a new version of one of its current files (`replaces`).

    The file is copied, hashed and typed before the transaction, so no row is locked during file I/O;
    then, in one transaction, the record (and the replaced file) are locked, checked, and the new
    version saved and logged."""
    access.check(actor, "progress.evidence.upload", record)
    if getattr(actor, "pk", None) is None:
        raise InvalidState("佐证材料须由企业或咨询机构的用户上传", code="no_uploader")
    name = _clean_name(getattr(uploaded_file, "name", ""))
    tmp, digest, size = _spool(uploaded_file)
    try:
        kind, content_type = detect(tmp, name)
        return _attach(actor, record, tmp, digest, size, name, kind, content_type, replaces)
    finally:
        tmp.unlink(missing_ok=True)  # moved into the store on success; dropped on any refusal


@transaction.atomic
def _attach(actor, record, tmp: Path, digest: str, size: int, name: str, kind: str, content_type: str,
            replaces) -> Evidence:
    record = _lock_record(record)
    if record.locked:
        raise InvalidState(LOCKED_MESSAGE, code="locked")
    old = None
    if replaces is not None:
        old = Evidence.objects.select_for_update().filter(
            pk=getattr(replaces, "pk", replaces), record=record, is_current=True).first()
        if old is None:
            raise ValidationError({"replaces": "只能替换本步骤当前版本的佐证材料"})
    same = Evidence.objects.filter(record=record, is_current=True, digest=digest).first()
    if same is not None:
        raise ValidationError({"file": f"本步骤已有内容相同的材料「{same.original_name}」，无需重复上传"})
    if old is not None:
        old.is_current = False
        old.save(update_fields=["is_current"])
    evidence = Evidence.objects.create(
        record=record, digest=digest, original_name=name, kind=kind, content_type=content_type, size=size,
        uploaded_by=actor, uploaded_at=clock.server_now(), replaces=old, is_current=True,
    )
    log_action(actor=actor, action="progress.evidence.uploaded", obj=evidence, data={
        "digest": digest, "name": name, "size": size, "kind": kind, "replaces": old.pk if old else None,
        "enrolment": record.enrolment_id, "step": record.step_id,
    })
    # Last: a file in the store is never removed (another row may share it), so store only what is kept.
    _store(tmp, digest)
    return evidence


@dataclass
class EvidenceFile:
    handle: object
    name: str
    content_type: str
    size: int
    evidence: Evidence


def evidence_open(*, actor, evidence) -> EvidenceFile:
    """An open handle on the stored file, for a user allowed to download it (the caller closes it)."""
    access.check(actor, "progress.evidence.download", evidence)
    path = evidence_path(evidence.digest)
    if not path.is_file():
        raise InvalidState("佐证材料文件缺失，请联系系统管理员", code="file_missing")
    return EvidenceFile(path.open("rb"), evidence.original_name, evidence.content_type, evidence.size, evidence)


def versions(evidence_list) -> list[dict]:
    """Group evidence (already loaded) into current files, each with its older versions, newest first:
    [{"current": Evidence, "older": [Evidence, ...]}]. No query."""
    items = sorted(evidence_list, key=lambda e: (e.uploaded_at, e.pk), reverse=True)
    by_pk = {e.pk: e for e in items}
    groups, seen = [], set()
    for e in items:
        if not e.is_current:
            continue
        older, link = [], e.replaces_id
        while link in by_pk and link not in seen:
            seen.add(link)
            older.append(by_pk[link])
            link = by_pk[link].replaces_id
        groups.append({"current": e, "older": older})
    return groups
