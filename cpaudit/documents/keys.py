"""Seal keys: generation, rotation and revocation (audited actions of the security administrator, or of
a command acting as a SystemActor), and signing and checking with them.

An owner is an agency (its 电子印章) or the platform (`platform=True`: the key that signs the log's
checkpoints). Rotation retires the active key and makes a new one: documents it signed stay
verifiable, because a retired key keeps its public half. Revocation (an active or a retired key, with
a reason) means "do not trust what it signs from now on": a signature dated after `revoked_at` is
invalid, one dated before is reported valid with the revocation date (verify.py). An owner whose key
is revoked issues nothing until a new key is generated.

Log codes: documents.sealkey.generated, .rotated, .revoked (the public key's fingerprint in `data`;
key material never enters the log).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from cpaudit.core import clock
from cpaudit.core.actors import actor_fields, is_system
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.org import access
from cpaudit.org.models import Agency

from . import crypto
from .models import KeyState, SealKey

register("documents.sealkey.generated", "生成电子印章密钥")
register("documents.sealkey.rotated", "轮换电子印章密钥")
register("documents.sealkey.revoked", "撤销电子印章密钥")

RULE = "documents.sealkey.manage"


def _owner(agency, platform: bool) -> Agency | None:
    if platform == (agency is not None):
        raise ValueError("name exactly one owner: an agency, or platform=True")
    return agency


def owner_label(agency: Agency | None) -> str:
    return str(agency) if agency is not None else "平台"


def active_key(agency: Agency | None = None, *, platform: bool = False, lock: bool = False) -> SealKey | None:
    owner = _owner(agency, platform)
    qs = SealKey.objects.select_for_update() if lock else SealKey.objects.all()
    return qs.filter(agency=owner, state=KeyState.ACTIVE).first()


def _new_key(actor, owner: Agency | None) -> SealKey:
    last = SealKey.objects.filter(agency=owner).aggregate(n=Max("number"))["n"] or 0
    private_der, public_pem = crypto.new_key_pair()
    key = SealKey(agency=owner, number=last + 1, public_key=public_pem, fingerprint=crypto.fingerprint(public_pem),
                  created_at=clock.server_now(), created_by=None if is_system(actor) else actor,
                  created_by_name=actor_fields(actor)["actor_name"])
    identity = key.identity()
    key.wrapped_private_key = crypto.wrap(private_der, identity)
    key.kek_check, key.mac = crypto.kek_check(), crypto.mac(identity)
    try:
        with transaction.atomic():
            key.save(force_insert=True)
    except IntegrityError as exc:  # another session made one at the same moment
        raise InvalidState(f"{owner_label(owner)}的印章密钥刚被他人更改，请刷新后重试", code="key_race") from exc
    return key


def _data(key: SealKey) -> dict:
    return {"owner": key.owner_name, "number": key.number, "fingerprint": key.fingerprint}


@transaction.atomic
def seal_key_generate(*, actor, agency: Agency | None = None, platform: bool = False) -> SealKey:
    """The first key of an owner (or the next one after a revocation)."""
    owner = _owner(agency, platform)
    access.check(actor, RULE)
    current = active_key(owner, platform=platform, lock=True)
    if current is not None:
        raise InvalidState(f"{owner_label(owner)}已有在用的印章密钥 #{current.number}；更换请用“轮换”",
                           code="key_exists")
    key = _new_key(actor, owner)
    log_action(actor=actor, action="documents.sealkey.generated", obj=key, data=_data(key))
    return key


@transaction.atomic
def seal_key_rotate(*, actor, agency: Agency | None = None, platform: bool = False) -> SealKey:
    """Retire the active key and make its successor; what the old key signed stays verifiable."""
    owner = _owner(agency, platform)
    access.check(actor, RULE)
    old = active_key(owner, platform=platform, lock=True)
    if old is None:
        raise InvalidState(f"{owner_label(owner)}没有在用的印章密钥，请先生成", code="no_key")
    old.state, old.retired_at = KeyState.RETIRED, clock.server_now()
    old.save(update_fields=["state", "retired_at"])
    key = _new_key(actor, owner)
    log_action(actor=actor, action="documents.sealkey.rotated", obj=key,
               changes={"state": [KeyState.ACTIVE, KeyState.RETIRED]},
               data={**_data(key), "retired_number": old.number, "retired_fingerprint": old.fingerprint})
    return key


@transaction.atomic
def seal_key_revoke(*, actor, key: SealKey, reason: str) -> SealKey:
    access.check(actor, RULE)
    key = SealKey.objects.select_for_update(of=("self",)).select_related("agency").get(pk=key.pk)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidState("撤销印章密钥须填写原因", code="reason_required")
    if key.state == KeyState.REVOKED:
        raise InvalidState(f"{key}已于{clock_text(key.revoked_at)}撤销", code="already_revoked")
    before = key.state
    key.state, key.revoked_at, key.revoke_reason = KeyState.REVOKED, clock.server_now(), reason
    key.revoked_by_name = actor_fields(actor)["actor_name"]
    key.save(update_fields=["state", "revoked_at", "revoke_reason", "revoked_by_name"])
    log_action(actor=actor, action="documents.sealkey.revoked", obj=key,
               changes={"state": [before, KeyState.REVOKED]}, data={**_data(key), "reason": reason})
    return key


def clock_text(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


# --- using a key -------------------------------------------------------------------------------------

def key_problem(key: SealKey) -> str:
    """'' when the row is the one the platform made; else why it cannot be trusted."""
    if key.kek_check != crypto.kek_check():
        return f"{crypto.SETTING} 与生成{key}时所用的不一致，无法确认该密钥"
    try:
        same_key = crypto.fingerprint(key.public_key) == key.fingerprint
    except ValueError:  # not even a public key
        same_key = False
    if not same_key or not crypto.mac_ok(key.identity(), key.mac):
        return f"{key}的记录未通过完整性校验（可能被篡改）"
    return ""


def sign_with(key: SealKey, message: bytes) -> str:
    """Sign with an active, authentic key (the caller holds the row locked)."""
    if key.state != KeyState.ACTIVE:
        raise InvalidState(f"{key}已{key.get_state_display()}，不能再签名", code="key_inactive")
    problem = key_problem(key)
    if problem:
        raise InvalidState(problem, code="key_untrusted")
    return crypto.sign(crypto.unwrap(key.wrapped_private_key, key.identity()), message)


def platform_check(fingerprint: str, message: bytes, signature: str, at) -> str:
    """'' when a platform key signed `message`; else why not (for the checkpoints)."""
    key = SealKey.objects.filter(fingerprint=fingerprint, agency__isnull=True).first()
    if key is None:
        return "签名密钥不是平台密钥"
    problem = key_problem(key)
    if problem:
        return problem
    if not crypto.verify(key.public_key, message, signature):
        return "签名无效"
    if key.revoked_at is not None and (at is None or at >= key.revoked_at):
        return f"签名时平台密钥 #{key.number} 已撤销（{clock_text(key.revoked_at)}）"
    return ""


def demo_seal_keys(actor) -> int:
    """A key for the platform and for every agency that has none in use (load-demo; idempotent)."""
    made = 0
    if active_key(platform=True) is None:
        seal_key_generate(actor=actor, platform=True)
        made += 1
    with_key = SealKey.objects.filter(state=KeyState.ACTIVE, agency__isnull=False).values("agency_id")
    for agency in Agency.objects.exclude(pk__in=with_key).order_by("pk"):
        seal_key_generate(actor=actor, agency=agency)
        made += 1
    return made
