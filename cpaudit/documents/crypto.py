"""The 国密 primitives of the seals, and the only module that touches key material.

- SM2 signatures (tongsuopy, the Python SDK of the native Tongsuo library): DER-encoded, SM3 with the
  default user id, so any SM2 implementation verifies them (tests cross-check with gmssl).
- Private keys at rest: PKCS#8 DER sealed with SM4-GCM under the key-encryption key (KEK), the key's
  identity as associated data, so a wrapped key copied onto another key's row does not open.
- The KEK is `settings.CPAUDIT_KEY_ENCRYPTION_KEY`: 32 hexadecimal digits (a 128-bit SM4 key) from the
  environment. It is never written to the database or the data directory, so a backup holds no usable
  private key; a restore needs the same KEK.
- Each key row carries an HMAC-SM3 under the KEK of its identity (owner, number, public key): someone
  with database access but without the KEK cannot slip in a public key of their own and re-sign.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from tongsuopy.crypto import hashes, serialization
from tongsuopy.crypto.asymciphers import ec
from tongsuopy.crypto.ciphers.aead import SM4GCM
from tongsuopy.crypto.exceptions import InternalError, InvalidSignature, InvalidTag

from cpaudit.core.errors import InvalidState

SETTING = "CPAUDIT_KEY_ENCRYPTION_KEY"
_HEX_KEY = re.compile(r"[0-9a-fA-F]{32}")
_CHECK_LABEL = b"cpaudit seal kek check v1"


def kek_problem(value) -> str:
    """Why a KEK value is unusable ('' when it is fine): for the settings' start-up check too."""
    if not value:
        return f"未设置 {SETTING}（电子印章私钥的密钥加密密钥），无法使用电子印章"
    if not _HEX_KEY.fullmatch(str(value).strip()):
        return f"{SETTING} 应为32位十六进制数（128位 SM4 密钥）"
    return ""


def kek() -> bytes:
    value = getattr(settings, SETTING, None)
    problem = kek_problem(value)
    if problem:
        raise InvalidState(problem, code="kek_missing")
    return bytes.fromhex(value.strip())


def kek_check() -> str:
    """A short value telling which KEK wrapped a key (a wrong KEK is then named as such, not as tampering)."""
    return hmac.new(kek(), _CHECK_LABEL, "sm3").hexdigest()[:16]


def mac(identity: bytes) -> str:
    return hmac.new(kek(), identity, "sm3").hexdigest()


def mac_ok(identity: bytes, value: str) -> bool:
    return hmac.compare_digest(mac(identity), value or "")


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def new_key_pair() -> tuple[bytes, str]:
    """(private key as PKCS#8 DER, public key as PEM text)."""
    private = ec.generate_private_key(ec.SM2())
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return der, pem.decode("ascii")


def fingerprint(public_pem: str) -> str:
    """SM3 of the public key's SubjectPublicKeyInfo DER: how documents and checkpoints name a key."""
    key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    return sm3(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def wrap(private_der: bytes, aad: bytes) -> str:
    nonce = secrets.token_bytes(12)
    return f"sm4-gcm:{nonce.hex()}:{SM4GCM(kek()).encrypt(nonce, private_der, aad).hex()}"


def unwrap(wrapped: str, aad: bytes) -> bytes:
    try:
        scheme, nonce, body = wrapped.split(":")
        if scheme != "sm4-gcm":
            raise ValueError(scheme)
        return SM4GCM(kek()).decrypt(bytes.fromhex(nonce), bytes.fromhex(body), aad)
    except (InvalidTag, ValueError) as exc:
        raise InvalidState(f"无法解密印章私钥：{SETTING} 与生成该密钥时所用的不一致，或密钥记录已损坏",
                           code="kek_wrong") from exc


def sign(private_der: bytes, message: bytes) -> str:
    """SM2 signature (DER, hex) of `message`."""
    private = serialization.load_der_private_key(private_der, None)
    return private.sign(message, ec.ECDSA(hashes.SM3())).hex()


def verify(public_pem: str, message: bytes, signature_hex: str) -> bool:
    try:
        key = serialization.load_pem_public_key(public_pem.encode("ascii"))
        key.verify(bytes.fromhex(signature_hex or ""), message, ec.ECDSA(hashes.SM3()))
    except (InvalidSignature, InternalError, ValueError):  # a malformed DER surfaces as an InternalError
        return False
    return True


def public_point(public_pem: str) -> str:
    """The public key as gmssl takes it (x‖y, hex): for the independent cross-check."""
    numbers = serialization.load_pem_public_key(public_pem.encode("ascii")).public_numbers()
    return f"{numbers.x:064x}{numbers.y:064x}"
