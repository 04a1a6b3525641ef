"""Reading issued documents: which objects were issued in which format, and the issued bytes.

Access is the owning app's: it opens its object within the user's scope first, then asks here.
"""

from __future__ import annotations

from cpaudit.core import storedfiles
from cpaudit.core.errors import InvalidState

from . import crypto
from .models import IssuedDocument


def issued_for(kind: str, obj, fmt: str) -> IssuedDocument | None:
    """The issued file of `obj` in `fmt`, or None."""
    if obj is None or obj.pk is None:
        return None
    return IssuedDocument.objects.filter(kind=kind, object_id=obj.pk, format=fmt).exclude(file_sm3="").first()


def issued_formats(kind: str, obj) -> dict[str, IssuedDocument]:
    """format → issued document of `obj` (one query)."""
    if obj is None or obj.pk is None:
        return {}
    return {d.format: d for d in IssuedDocument.objects.filter(kind=kind, object_id=obj.pk).exclude(file_sm3="")}


def issued_bytes(doc: IssuedDocument) -> bytes:
    """The stored file, checked against the SM3 it was issued with (never serve something else)."""
    with storedfiles.open_stored(doc.file_sm3, "签发文书文件") as fh:
        data = fh.read()
    if crypto.sm3(data) != doc.file_sm3:
        raise InvalidState("签发文书文件已损坏（与签发时的SM3摘要不符），请联系系统管理员", code="file_corrupt")
    return data


def pending_checkpoints():
    """Issued documents no checkpoint has covered yet (the checkpoint file could not be written)."""
    return IssuedDocument.objects.filter(checkpoint_seq__isnull=True).exclude(file_sm3="").order_by("pk")
