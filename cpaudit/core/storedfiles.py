"""Uploaded files the platform keeps (evidence of a step, an application's letter and report, a scan
of a sealed reply or report): checked by content (never by name or by the browser's content type),
size-limited, stored outside the web root under their SM3 digest (identical content stored once).

The owning app keeps the row (who, when, what for); this module only spools, types, stores and opens
the bytes. Call `spool` before the business transaction (no row is locked during file I/O), `store`
last inside it (a stored file is never removed: another row may share it), and unlink the spooled
file in a `finally`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.core.exceptions import ValidationError

from .errors import InvalidState

MB = 1024 * 1024
CHUNK = 64 * 1024
ALLOWED_TYPES = "PDF、图片（PNG、JPEG、GIF）、Word（.doc、.docx）或 Excel（.xls、.xlsx）"


class FileKind:
    """What a stored file is, by content (the values of progress.Evidence.Kind)."""

    PDF = "pdf"
    IMAGE = "image"
    WORD = "word"
    EXCEL = "excel"
    LABELS = {PDF: "PDF", IMAGE: "图片", WORD: "Word", EXCEL: "Excel"}


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
SIGNATURES = [  # (leading bytes, kind, content type)
    (b"%PDF-", FileKind.PDF, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", FileKind.IMAGE, "image/png"),
    (b"\xff\xd8\xff", FileKind.IMAGE, "image/jpeg"),
    (b"GIF87a", FileKind.IMAGE, "image/gif"),
    (b"GIF89a", FileKind.IMAGE, "image/gif"),
]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def store_dir() -> Path:
    return Path(getattr(settings, "CPAUDIT_EVIDENCE_DIR", Path(settings.DATA_DIR) / "evidence"))


def stored_path(digest: str) -> Path:
    return store_dir() / digest[:2] / digest


def max_bytes() -> int:
    return int(settings.CPAUDIT_UPLOAD_MAX_BYTES)


def limit_label() -> str:
    return f"{max_bytes() / MB:g} MB"


def _refuse_type(extra: str = "", field: str = "file") -> ValidationError:
    return ValidationError({field: f"文件内容不是允许的类型{extra}：只能上传{ALLOWED_TYPES}文件"})


def detect(path: Path, name: str, kinds=None, field: str = "file") -> tuple[str, str]:
    """(kind, content type) of the file at `path`, judged by its content; ValidationError otherwise.
    The name only tells the legacy Office formats apart (both are OLE2 containers), and then the
    container must also hold the matching stream (WordDocument, or Workbook/Book). `kinds` narrows
    what is accepted (e.g. a scan: PDF or image)."""
    kind, content_type = _detect(path, name, field)
    if kinds is not None and kind not in kinds:
        allowed = "、".join(FileKind.LABELS[k] for k in kinds)
        raise ValidationError({field: f"此处只能上传{allowed}文件（收到的是{FileKind.LABELS[kind]}文件）"})
    return kind, content_type


def _detect(path: Path, name: str, field: str) -> tuple[str, str]:
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
            raise _refuse_type("（压缩包已损坏）", field) from exc
        if "word/document.xml" in names:
            return FileKind.WORD, DOCX
        if "xl/workbook.xml" in names:
            return FileKind.EXCEL, XLSX
        raise _refuse_type(field=field)
    if head.startswith(OLE2):
        content = path.read_bytes()
        if suffix == ".doc" and "WordDocument".encode("utf-16-le") in content:
            return FileKind.WORD, "application/msword"
        if suffix == ".xls" and ("Workbook".encode("utf-16-le") in content
                                 or "Book".encode("utf-16-le") in content):
            return FileKind.EXCEL, "application/vnd.ms-excel"
        raise _refuse_type("（Office旧格式文件须为扩展名 .doc 的 Word 文档或 .xls 的 Excel 表格）", field)
    raise _refuse_type(field=field)


def clean_name(name: str) -> str:
    base = PurePath((name or "").replace("\\", "/")).name.strip()
    base = "".join(ch for ch in base if ch.isprintable())
    if len(base) > 255:
        stem, suffix = os.path.splitext(base)
        base = stem[: 255 - len(suffix)] + suffix
    return base or "未命名文件"


def spool(uploaded_file, field: str = "file") -> tuple[Path, str, int]:
    """Copy the upload into a temporary file in the store while computing its SM3 digest and size;
    refuse as soon as it exceeds the limit (the declared size is not trusted)."""
    limit = max_bytes()
    too_big = ValidationError({field: f"文件过大：单个文件不能超过 {limit_label()}"})
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise too_big
    directory = store_dir()
    directory.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.new("sm3"), 0
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            uploaded_file.seek(0)
            for chunk in uploaded_file.chunks(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_big
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationError({field: "文件为空"})
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp), digest.hexdigest(), size


def store(tmp: Path, digest: str) -> None:
    """Move the spooled file to its digest path; identical content already stored is kept as is."""
    target = stored_path(digest)
    if target.exists():
        tmp.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(tmp, 0o440)
    os.replace(tmp, target)


@dataclass
class Spooled:
    """An upload checked and spooled, ready to be recorded and stored."""

    path: Path
    digest: str
    size: int
    name: str
    kind: str
    content_type: str


def receive(uploaded_file, kinds=None, field: str = "file") -> Spooled:
    """Spool and type an upload (the caller unlinks `path` in a finally; `store` keeps it)."""
    name = clean_name(getattr(uploaded_file, "name", ""))
    tmp, digest, size = spool(uploaded_file, field)
    try:
        kind, content_type = detect(tmp, name, kinds, field)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Spooled(tmp, digest, size, name, kind, content_type)


def open_stored(digest: str, what: str = "文件"):
    """An open binary handle on a stored file (the caller closes it)."""
    path = stored_path(digest)
    if not path.is_file():
        raise InvalidState(f"{what}缺失，请联系系统管理员", code="file_missing")
    return path.open("rb")
