"""Verifying a file: a good one, one changed byte, rotation keeping old documents valid, revocation
(before: valid with the date; after: invalid), rows or the log edited behind the platform's back, and
the key-encryption key wrong or missing."""

import datetime as dt

import pytest

from cpaudit.core import storedfiles
from cpaudit.core.errors import InvalidState
from cpaudit.core.logreset import allow_log_reset
from cpaudit.core.models import ActionLog
from cpaudit.documents import keys
from cpaudit.documents.models import IssuedDocument, SealKey
from cpaudit.documents.verify import lookup_code, verify_bytes

from .helpers import issue_letter

pytestmark = pytest.mark.django_db


def file_of(doc) -> bytes:
    return storedfiles.stored_path(doc.file_sm3).read_bytes()


def test_a_good_file_is_valid_and_named(world, seals):
    doc = issue_letter(world)
    verdict = verify_bytes(file_of(doc))
    assert verdict.valid, verdict.reason
    when = verdict.issued_at
    assert verdict.line() == (f"有效\t第{doc.pk}号 {doc.title}（PDF）\t保定市生态环境局竞秀区分局\t{when}")
    assert dt.datetime.strptime(when, "%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize("where", [0, 9, -1])
def test_one_changed_byte_is_invalid(world, seals, where):
    data = bytearray(file_of(issue_letter(world)))
    data[where] ^= 0x01
    verdict = verify_bytes(bytes(data))
    assert not verdict.valid
    assert verdict.line() == "无效\t文件与本平台签发的任何文书都不一致（未经本平台签发，或签发后被修改）"
    assert not verify_bytes(b"").valid


def test_rotation_keeps_old_documents_verifiable(world, seals, system_actor):
    old = issue_letter(world)
    keys.seal_key_rotate(actor=system_actor, agency=world.branch_a)
    new = issue_letter(world)
    assert new.key != old.key
    assert verify_bytes(file_of(old)).valid and verify_bytes(file_of(new)).valid
    assert verify_bytes(file_of(old)).note == ""


def test_revocation_after_issue_is_noted_and_a_signature_after_it_is_invalid(world, seals, system_actor):
    doc = issue_letter(world)
    key = keys.seal_key_revoke(actor=system_actor, key=seals[world.branch_a], reason="U盾遗失")
    verdict = verify_bytes(file_of(doc))
    revoked = keys.clock_text(key.revoked_at)
    assert verdict.valid and verdict.note == f"该印章密钥已于{revoked}撤销，撤销前签发的文书仍有效"
    assert verdict.line().split("\t")[2] == f"保定市生态环境局竞秀区分局（{verdict.note}）"
    # What the revoked key signed afterwards (a stolen key used later) does not pass.
    SealKey.objects.filter(pk=key.pk).update(revoked_at=doc.issued_at - dt.timedelta(seconds=1))
    verdict = verify_bytes(file_of(doc))
    assert not verdict.valid and "已于" in verdict.reason and "此后签章的文书无效" in verdict.reason


def test_a_signature_that_does_not_match_is_invalid(world, seals):
    doc = issue_letter(world)
    other = issue_letter(world, fmt="docx")
    IssuedDocument.objects.filter(pk=doc.pk).update(signature=other.signature)
    assert verify_bytes(file_of(doc)).line() == "无效\t电子签章与文件不符（签名无效）"


def test_a_forged_issue_record_is_caught_by_the_log(world, seals):
    """Someone with database access points an issued record at a file of their own: the signature
    would fail, so say they also had the key — the chain still tells the issue apart."""
    doc = issue_letter(world)
    IssuedDocument.objects.filter(pk=doc.pk).update(log_seq=doc.log_seq - 1)
    assert "签发记录与操作日志不符" in verify_bytes(file_of(doc)).reason


def test_a_rewritten_log_behind_the_printed_head_is_caught(world, seals):
    doc = issue_letter(world)
    with allow_log_reset():
        ActionLog.objects.filter(seq=doc.head_seq).update(digest="f" * 64)
    assert "文书所载日志链头" in verify_bytes(file_of(doc)).reason


def test_a_wrong_kek_is_named_and_a_missing_one_refuses(world, seals, settings):
    doc = issue_letter(world)
    settings.CPAUDIT_KEY_ENCRYPTION_KEY = "e" * 32
    verdict = verify_bytes(file_of(doc))
    assert not verdict.valid and "CPAUDIT_KEY_ENCRYPTION_KEY 与生成" in verdict.reason
    settings.CPAUDIT_KEY_ENCRYPTION_KEY = None
    with pytest.raises(InvalidState) as info:
        verify_bytes(file_of(doc))
    assert "未设置 CPAUDIT_KEY_ENCRYPTION_KEY" in info.value.message


def test_a_verification_code_typed_loosely_finds_its_document(world, seals):
    doc = issue_letter(world)
    assert lookup_code(doc.code) == doc
    assert lookup_code(doc.code.lower().replace("-", " ")) == doc
    assert lookup_code("2222-2222-2222") is None and lookup_code("") is None and lookup_code("短") is None


def test_gmssl_verifies_an_issued_documents_seal_on_its_own(world, seals):
    """Anyone holding the file, the stored signature and the agency's public key can check the seal
    with another SM2 implementation: the signature is over the file's SM3, nothing platform-specific."""
    from gmssl import sm2

    from cpaudit.documents import crypto

    doc = issue_letter(world)
    checker = sm2.CryptSM2(private_key="", public_key=crypto.public_point(doc.key.public_key), asn1=True)
    assert checker.verify_with_sm3(doc.signature, bytes.fromhex(crypto.sm3(file_of(doc))))
