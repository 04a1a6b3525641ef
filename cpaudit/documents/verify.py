"""Is this file an unchanged document issued by the platform? (the public page and verify-document)

A file is valid when, in order:
1. its SM3 is the SM3 of an issued document's file (one changed byte and nothing matches);
2. the seal key's record is the platform's own (keys.key_problem: made under this KEK, not edited);
3. the stored SM2 signature over that SM3 verifies with the key's public half;
4. the key was not revoked before the document was issued (after: valid, with the revocation date);
5. the issue's log entry is in the chain and says the same (document, file SM3, key), and the log head
   printed on the document is still the chain's entry at that seq — a database edit of the issue
   record, or a rewrite of the log behind it, does not pass.
The answer names the document, the sealing agency and the time of issue, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from cpaudit.core.models import ActionLog

from . import crypto, keys
from .models import IssuedDocument
from .services import FORMAT_LABELS


@dataclass
class Verdict:
    valid: bool
    reason: str = ""
    document: str = ""
    agency: str = ""
    issued_at: str = ""
    note: str = ""  # valid, but the key was revoked later

    def line(self) -> str:
        """The one line verify-document prints."""
        if not self.valid:
            return f"无效\t{self.reason}"
        agency = f"{self.agency}（{self.note}）" if self.note else self.agency
        return f"有效\t{self.document}\t{agency}\t{self.issued_at}"


def label(doc: IssuedDocument) -> str:
    return f"第{doc.pk}号 {doc.title}（{FORMAT_LABELS.get(doc.format, doc.format)}）"


def _log_problem(doc: IssuedDocument) -> str:
    entries = {e.seq: e for e in ActionLog.objects.filter(seq__in=[doc.log_seq or 0, doc.head_seq])}
    entry = entries.get(doc.log_seq or 0)
    data = entry.data if entry is not None else {}
    if (entry is None or entry.action != "documents.document.issued" or entry.object_id != str(doc.pk)
            or data.get("file_sm3") != doc.file_sm3 or data.get("key") != doc.key.fingerprint):
        return "签发记录与操作日志不符（记录或日志可能被改写）"
    head = entries.get(doc.head_seq)
    if doc.head_seq and (head is None or head.digest != doc.head_digest):
        return f"文书所载日志链头（第 {doc.head_seq} 条）与操作日志不符（日志可能被改写）"
    return ""


def verify_bytes(data: bytes) -> Verdict:
    return verify_digest(crypto.sm3(data)) if data else Verdict(False, "文件为空")


def verify_digest(digest: str) -> Verdict:
    """The verdict on a file known by its SM3 (the page hashes an upload as it arrives)."""
    doc = IssuedDocument.objects.select_related("key").filter(file_sm3=digest).order_by("pk").first()
    if doc is None:
        return Verdict(False, "文件与本平台签发的任何文书都不一致（未经本平台签发，或签发后被修改）")
    key = doc.key
    problem = keys.key_problem(key)
    if problem:
        return Verdict(False, problem)
    if not crypto.verify(key.public_key, bytes.fromhex(digest), doc.signature):
        return Verdict(False, "电子签章与文件不符（签名无效）")
    note = ""
    if key.revoked_at is not None:
        revoked = keys.clock_text(key.revoked_at)
        if doc.issued_at >= key.revoked_at:
            return Verdict(False, f"签章所用的印章密钥已于{revoked}撤销，此后签章的文书无效")
        note = f"该印章密钥已于{revoked}撤销，撤销前签发的文书仍有效"
    problem = _log_problem(doc)
    if problem:
        return Verdict(False, problem)
    return Verdict(True, document=label(doc), agency=doc.agency_name,
                   issued_at=timezone.localtime(doc.issued_at).strftime("%Y-%m-%d %H:%M:%S"), note=note)


def lookup_code(code: str) -> IssuedDocument | None:
    """The issued document a printed verification code names (typed by hand: case and dashes loose)."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(raw) != 12:
        return None
    return IssuedDocument.objects.filter(code=f"{raw[:4]}-{raw[4:8]}-{raw[8:]}").exclude(file_sm3="").first()
