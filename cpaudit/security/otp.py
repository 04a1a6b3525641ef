"""The second factor: TOTP (RFC 6238) devices of django-otp, enrolled in the platform.

Enrolment keeps the new secret in the server-side session until the user proves, with a code from
their authenticator, that they have it; only then is the device saved (a page that is only looked at
changes no row). The QR code is an inline SVG drawn here (segno): no external service, no script.
"""

import base64
import re
from binascii import unhexlify
from urllib.parse import quote, urlencode

import segno
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from cpaudit.core.errors import PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.org import access

ISSUER = "清洁生产审核管理平台"
CODE = re.compile(r"^[0-9]{6}$")
SESSION_KEY = "security_otp_secret"


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_secret(session) -> str:
    """The secret being enrolled in this session (made on first use; the session is not a table row)."""
    secret = session.get(SESSION_KEY)
    if not secret:
        secret = session[SESSION_KEY] = random_hex(20)
    return secret


def provisioning_uri(user, secret_hex: str) -> str:
    secret = base64.b32encode(unhexlify(secret_hex)).decode("ascii").rstrip("=")
    label = quote(f"{ISSUER}:{user.get_username()}")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": ISSUER, "digits": 6, "period": 30})


def secret_text(secret_hex: str) -> str:
    """The base32 secret in groups of four, for typing into an authenticator by hand."""
    secret = base64.b32encode(unhexlify(secret_hex)).decode("ascii").rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4, light="#fff")


def _code(code) -> str | None:
    code = str(code or "").strip().replace(" ", "")
    return code if CODE.match(code) else None


def code_matches(secret_hex: str, code) -> bool:
    code = _code(code)
    return code is not None and TOTP(unhexlify(secret_hex)).verify(int(code), tolerance=1)


def verify_device_code(user, code) -> bool:
    code = _code(code)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    # verify_token throttles repeated failures and refuses a code already used (replay).
    return code is not None and device is not None and device.verify_token(code)


def enrol(*, actor, user, secret_hex: str, code) -> TOTPDevice | None:
    """Bind the authenticator holding `secret_hex` to `user` once `code` proves it; None if the code is
    wrong. Replaces any earlier device. `actor` is the user (at login or on their own page)."""
    if actor.pk != user.pk:
        raise PermissionDenied("只能为自己的账号绑定动态口令")
    if not code_matches(secret_hex, code):
        return None
    from . import events

    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user).delete()[0]
        device = TOTPDevice.objects.create(user=user, name="验证器", key=secret_hex, confirmed=True)
        log_action(actor=actor, action="security.otp.enrolled", obj=user, data={"replaced": bool(replaced)})
    events.record("otp.enrolled", user=user)
    return device


def reset(*, actor, user, reason: str) -> int:
    """The security administrator removes a user's devices (lost phone); the user enrols again at the
    next login. Nobody resets their own."""
    access.check(actor, "security.otp.reset")
    if actor.pk == user.pk:
        raise PermissionDenied("不能重置自己的动态口令，请由另一位安全管理员办理")
    from . import events

    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        log_action(actor=actor, action="security.otp.reset", obj=user, data={"reason": reason, "devices": removed})
    events.record("otp.reset", user=actor, detail={"account": user.username, "reason": reason})
    return removed
