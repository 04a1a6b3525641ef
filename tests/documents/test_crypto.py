"""The 国密 primitives: SM4-wrapped private keys under the KEK, SM2 signatures that an independent
implementation (gmssl, pure Python) verifies, and a KEK that is missing, malformed or wrong."""

import secrets

import pytest
from gmssl import sm2

from cpaudit.core.errors import InvalidState
from cpaudit.documents import crypto


def test_a_wrapped_key_opens_with_its_kek_and_identity_only(settings):
    private, _ = crypto.new_key_pair()
    wrapped = crypto.wrap(private, b"agency 1 #1")
    assert private.hex() not in wrapped and wrapped.startswith("sm4-gcm:")
    assert crypto.unwrap(wrapped, b"agency 1 #1") == private
    with pytest.raises(InvalidState) as info:  # copied onto another key's row
        crypto.unwrap(wrapped, b"agency 2 #1")
    assert info.value.code == "kek_wrong"
    settings.CPAUDIT_KEY_ENCRYPTION_KEY = "f" * 32
    with pytest.raises(InvalidState) as info:
        crypto.unwrap(wrapped, b"agency 1 #1")
    assert "CPAUDIT_KEY_ENCRYPTION_KEY 与生成该密钥时所用的不一致" in info.value.message


@pytest.mark.parametrize("value,message", [
    (None, "未设置 CPAUDIT_KEY_ENCRYPTION_KEY"),
    ("", "未设置 CPAUDIT_KEY_ENCRYPTION_KEY"),
    ("not-hex-not-hex-not-hex-not-hex!", "应为32位十六进制数"),
    ("abc", "应为32位十六进制数"),
])
def test_a_missing_or_malformed_kek_is_named(settings, value, message):
    settings.CPAUDIT_KEY_ENCRYPTION_KEY = value
    with pytest.raises(InvalidState) as info:
        crypto.wrap(b"x", b"id")
    assert message in info.value.message


def test_the_kek_check_tells_keks_apart(settings):
    first = crypto.kek_check()
    settings.CPAUDIT_KEY_ENCRYPTION_KEY = "1" * 32
    assert crypto.kek_check() != first and len(first) == 16


def test_a_signature_verifies_and_a_changed_message_does_not():
    private, public = crypto.new_key_pair()
    digest = bytes.fromhex(crypto.sm3(b"document"))
    signature = crypto.sign(private, digest)
    assert crypto.verify(public, digest, signature)
    assert not crypto.verify(public, bytes.fromhex(crypto.sm3(b"documenT")), signature)
    assert not crypto.verify(public, digest, "00" + signature[2:])
    assert not crypto.verify(public, digest, "zz")  # not even hex: invalid, never an exception


def test_gmssl_verifies_a_tongsuopy_signature_and_the_other_way_round():
    """Two implementations agree: SM2 with SM3 and the default user id, DER-encoded."""
    private, public = crypto.new_key_pair()
    digest = bytes.fromhex(crypto.sm3(b"\x00\x01 a document's bytes"))
    signature = crypto.sign(private, digest)
    checker = sm2.CryptSM2(private_key="", public_key=crypto.public_point(public), asn1=True)
    assert checker.verify_with_sm3(signature, digest)
    assert not checker.verify_with_sm3(signature, digest[:-1] + b"\x00")

    # gmssl signs (its nonce from `secrets`, as measured.md warns), tongsuopy verifies.
    from tongsuopy.crypto import serialization

    scalar = serialization.load_der_private_key(private, None).private_numbers().private_value
    signer = sm2.CryptSM2(private_key=f"{scalar:064x}", public_key=crypto.public_point(public), asn1=True)
    theirs = signer.sign_with_sm3(digest, secrets.token_hex(32))
    assert crypto.verify(public, digest, theirs)


def test_the_fingerprint_is_the_sm3_of_the_public_key_and_stable():
    _, public = crypto.new_key_pair()
    assert crypto.fingerprint(public) == crypto.fingerprint(public) and len(crypto.fingerprint(public)) == 64
    _, other = crypto.new_key_pair()
    assert crypto.fingerprint(other) != crypto.fingerprint(public)
