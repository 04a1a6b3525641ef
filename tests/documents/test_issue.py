"""Issuing: one action renders once, keeps the exact bytes under their SM3, seals them with the issuing
agency's key, logs it and checkpoints after commit — without ever turning success into an error."""

import json

import pytest

from cpaudit.core import storedfiles
from cpaudit.core.checkpoint import default_checkpoint_path, write_checkpoint
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog, LogHead
from cpaudit.documents import crypto
from cpaudit.documents.models import IssuedDocument
from cpaudit.documents.selectors import issued_bytes, issued_for, pending_checkpoints
from cpaudit.documents.services import document_issue
from cpaudit.org.roles import Role

from ..applications.docfixtures import make_batch
from .helpers import fake_render, issue_letter

pytestmark = pytest.mark.django_db


def test_an_issued_document_is_rendered_once_kept_and_sealed(world, seals, django_capture_on_commit_callbacks):
    seen = []

    def render(doc):
        seen.append(doc)
        return fake_render(doc)

    head = LogHead.objects.get(pk=1)
    with django_capture_on_commit_callbacks(execute=True):
        doc = issue_letter(world, render=render)
    assert len(seen) == 1
    seal = seen[0]["seal"]
    # The renderer printed the document's own identity, known before its bytes existed.
    assert (seal["document"], seal["code"], seal["agency"]) == (doc.pk, doc.code, "保定市生态环境局竞秀区分局")
    assert seal["content_sm3"] == doc.content_sm3[:16] and seal["log_head"] == f"#{head.seq} {head.digest[:16]}"
    assert all(part in "".join(seal["lines"]) for part in (doc.code, str(doc.pk), doc.content_sm3[:16]))
    data = storedfiles.stored_path(doc.file_sm3).read_bytes()
    assert data == fake_render(seen[0]) and crypto.sm3(data) == doc.file_sm3 and doc.size == len(data)
    assert crypto.verify(seals[world.branch_a].public_key, bytes.fromhex(doc.file_sm3), doc.signature)
    assert (doc.key, doc.agency, doc.issued_by) == (seals[world.branch_a], world.branch_a,
                                                    world.users[Role.BRANCH_LEADER])
    entry = ActionLog.objects.get(seq=doc.log_seq)
    assert entry.action == "documents.document.issued" and entry.data["file_sm3"] == doc.file_sm3
    assert entry.data["key"] == seals[world.branch_a].fingerprint and entry.object_id == str(doc.pk)
    # Checkpointed after commit, signed, and the document is covered.
    point = json.loads(default_checkpoint_path().read_text(encoding="utf-8").splitlines()[-1])
    assert (point["seq"], point["reason"]) == (entry.seq, "document") and point["signature"]
    doc.refresh_from_db()
    assert doc.checkpoint_seq == entry.seq
    assert issued_for("batch_letter", make_batch(world), "pdf") is None
    assert issued_bytes(issued_for("batch_letter", doc_batch(doc), "pdf")) == data


def doc_batch(doc):
    from cpaudit.applications.models import Batch

    return Batch.objects.get(pk=doc.object_id)


def test_the_same_document_is_issued_once_per_format(world, seals):
    batch = make_batch(world)
    first = issue_letter(world, batch=batch)
    with pytest.raises(InvalidState) as info:
        issue_letter(world, batch=batch)
    assert info.value.code == "already_issued" and "已签发" in info.value.message
    other = issue_letter(world, batch=batch, fmt="docx")
    assert other.file_sm3 != first.file_sm3 and other.code != first.code
    assert IssuedDocument.objects.filter(object_id=batch.pk).count() == 2


def test_no_active_key_no_issue(world, seals, system_actor):
    from cpaudit.documents.keys import seal_key_revoke

    seal_key_revoke(actor=system_actor, key=seals[world.branch_a], reason="遗失")
    before = ActionLog.objects.count()
    with pytest.raises(InvalidState) as info:
        issue_letter(world)
    assert info.value.code == "no_seal_key" and "安全管理员" in info.value.message
    assert ActionLog.objects.count() == before and not IssuedDocument.objects.exists()


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.ENTERPRISE, Role.SECURITY_ADMIN, Role.EXPERT])
def test_only_a_leader_issues(world, seals, role):
    with pytest.raises(PermissionDenied):
        issue_letter(world, actor=world.users[role])
    assert not IssuedDocument.objects.exists()


def test_a_system_actor_issues_nothing(world, seals, system_actor):
    with pytest.raises(PermissionDenied):
        issue_letter(world, actor=system_actor)


def test_a_failing_renderer_leaves_nothing(world, seals):
    def broken(doc):
        raise InvalidState("字体缺失", code="font")

    with pytest.raises(InvalidState):
        issue_letter(world, render=broken)
    assert not IssuedDocument.objects.exists()
    assert not ActionLog.objects.filter(action="documents.document.issued").exists()


def test_an_unwritable_checkpoint_leaves_the_document_issued_and_pending(world, seals, settings, tmp_path,
                                                                          django_capture_on_commit_callbacks,
                                                                          caplog):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the checkpoint directory should be")
    settings.CPAUDIT_CHECKPOINT_DIR = blocked
    with django_capture_on_commit_callbacks(execute=True):
        doc = issue_letter(world)  # no exception reaches the caller
    doc.refresh_from_db()
    assert doc.file_sm3 and doc.checkpoint_seq is None and list(pending_checkpoints()) == [doc]
    assert "after-commit task 'checkpoint' failed" in caplog.text
    # … recorded for the operator (the status page) and retried by the worker (cpaudit.core.aftercommit).
    from cpaudit.jobs.models import Incident

    assert Incident.objects.get(key="aftercommit:checkpoint").retry_at is not None
    # The next checkpoint (the daily one, a later document, checkpoint-log) covers it.
    settings.CPAUDIT_CHECKPOINT_DIR = tmp_path / "ok"
    point = write_checkpoint(reason="daily")
    doc.refresh_from_db()
    assert doc.checkpoint_seq == point["seq"] >= doc.log_seq and not pending_checkpoints().exists()


def test_unknown_kind_or_format_is_refused(world, seals):
    batch = make_batch(world)
    leader = world.users[Role.BRANCH_LEADER]
    with pytest.raises(ValueError):
        document_issue(actor=leader, kind="monthly_report", obj=batch, fmt="pdf", content={}, render=fake_render)
    with pytest.raises(InvalidState):
        document_issue(actor=leader, kind="batch_letter", obj=batch, fmt="odt", content={}, render=fake_render)
