"""Evidence files of a step: checked by content (never by name or by the browser's content type),
size-limited, stored outside the web root under their SM3 digest (identical content stored once),
replaced by new versions that keep the old ones.

There is no removal: a file can only be replaced by a new current version. So a completed deliverable
step (22, 27, 35: completed only with a current file, services.steps) keeps a file whatever happens;
replacing it on a step awaiting review is allowed (the step stays 待核实, and a confirmation given on
a page that showed the older version is refused: steps.review_version), and a confirmed step is
locked, its files with it."""

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock, storedfiles
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action
from cpaudit.org import access

from ..models import Evidence
from .steps import LOCKED_MESSAGE, _lock_record

# The storage itself is shared with application attachments and report scans (core.storedfiles).
ALLOWED_TYPES = storedfiles.ALLOWED_TYPES
evidence_dir = storedfiles.store_dir
evidence_path = storedfiles.stored_path
max_bytes = storedfiles.max_bytes
limit_label = storedfiles.limit_label
detect = storedfiles.detect
_clean_name = storedfiles.clean_name
_spool = storedfiles.spool
_store = storedfiles.store


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
    from cpaudit.applications.services.basis import basis_changed  # applications imports progress

    basis_changed(actor=actor, enrolment_id=record.enrolment_id,
                  cause=f"第{record.step_id}步佐证材料" + ("更换" if old is not None else "新增"))
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
