"""Seal keys: generation, rotation and revocation are the security administrator's audited actions;
private keys are stored wrapped (SM4) and never logged; a tampered key row is not trusted."""

import pytest

from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.documents import crypto, keys
from cpaudit.documents.models import KeyState, SealKey
from cpaudit.org.roles import Role

pytestmark = pytest.mark.django_db


def test_the_security_administrator_generates_a_key_and_the_log_says_so(world):
    admin = world.users[Role.SECURITY_ADMIN]
    key = keys.seal_key_generate(actor=admin, agency=world.baoding)
    assert (key.agency, key.number, key.state, key.created_by) == (world.baoding, 1, KeyState.ACTIVE, admin)
    assert key.public_key.startswith("-----BEGIN PUBLIC KEY-----")
    assert key.wrapped_private_key.startswith("sm4-gcm:") and "PRIVATE" not in key.wrapped_private_key
    assert keys.key_problem(key) == ""
    entry = ActionLog.objects.get(action="documents.sealkey.generated")
    assert (entry.actor_name, entry.data) == ("secadmin", {"owner": "保定市生态环境局", "number": 1,
                                                           "fingerprint": key.fingerprint})
    assert key.wrapped_private_key.split(":")[2] not in str(entry.data)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SECURITY_ADMIN])
def test_nobody_else_manages_keys(world, role):
    with pytest.raises(PermissionDenied):
        keys.seal_key_generate(actor=world.users[role], agency=world.baoding)
    assert not SealKey.objects.exists()


def test_a_second_generate_is_refused_rotate_is_the_way(world, system_actor):
    keys.seal_key_generate(actor=system_actor, agency=world.baoding)
    with pytest.raises(InvalidState) as info:
        keys.seal_key_generate(actor=system_actor, agency=world.baoding)
    assert info.value.code == "key_exists" and "轮换" in info.value.message
    with pytest.raises(InvalidState) as info:
        keys.seal_key_rotate(actor=system_actor, agency=world.sjz)
    assert info.value.code == "no_key"


def test_rotation_retires_the_old_key_and_makes_a_new_one(world, system_actor):
    old = keys.seal_key_generate(actor=system_actor, agency=world.baoding)
    new = keys.seal_key_rotate(actor=system_actor, agency=world.baoding)
    old.refresh_from_db()
    assert (old.state, new.state, new.number) == (KeyState.RETIRED, KeyState.ACTIVE, 2)
    assert old.retired_at is not None and new.fingerprint != old.fingerprint
    assert keys.active_key(world.baoding) == new
    entry = ActionLog.objects.get(action="documents.sealkey.rotated")
    assert entry.data["retired_fingerprint"] == old.fingerprint and entry.changes == {"state": ["active", "retired"]}


def test_revocation_needs_a_reason_and_happens_once(world, system_actor):
    key = keys.seal_key_generate(actor=system_actor, agency=world.baoding)
    with pytest.raises(InvalidState):
        keys.seal_key_revoke(actor=system_actor, key=key, reason=" ")
    key = keys.seal_key_revoke(actor=system_actor, key=key, reason="U盾遗失")
    assert (key.state, key.revoke_reason) == (KeyState.REVOKED, "U盾遗失") and key.revoked_at is not None
    with pytest.raises(InvalidState) as info:
        keys.seal_key_revoke(actor=system_actor, key=key, reason="再次")
    assert info.value.code == "already_revoked"
    assert keys.active_key(world.baoding) is None
    # The owner gets a new key by generating (nothing active to rotate).
    assert keys.seal_key_generate(actor=system_actor, agency=world.baoding).number == 2


def test_the_platform_key_is_its_own_owner(world, system_actor):
    platform = keys.seal_key_generate(actor=system_actor, platform=True)
    agency = keys.seal_key_generate(actor=system_actor, agency=world.province)
    assert platform.agency is None and platform.owner_name == "平台"
    assert keys.active_key(platform=True) == platform and keys.active_key(world.province) == agency
    fingerprint, signature = platform.fingerprint, keys.sign_with(keys.active_key(platform=True), b"checkpoint")
    assert keys.platform_check(fingerprint, b"checkpoint", signature, None) == ""
    assert keys.platform_check(agency.fingerprint, b"checkpoint", signature, None) == "签名密钥不是平台密钥"
    with pytest.raises(ValueError):
        keys.active_key(world.province, platform=True)


def test_a_row_edited_behind_the_platforms_back_is_not_trusted(world, system_actor, settings):
    key = keys.seal_key_generate(actor=system_actor, agency=world.baoding)
    _, other_public = crypto.new_key_pair()
    SealKey.objects.filter(pk=key.pk).update(public_key=other_public)  # someone slips in their own key
    key.refresh_from_db()
    assert "未通过完整性校验" in keys.key_problem(key)
    with pytest.raises(InvalidState) as info:
        keys.sign_with(key, b"x")
    assert info.value.code == "key_untrusted"
    settings.CPAUDIT_KEY_ENCRYPTION_KEY = "9" * 32
    assert "CPAUDIT_KEY_ENCRYPTION_KEY 与生成" in keys.key_problem(key)


def test_a_retired_or_revoked_key_signs_nothing(world, system_actor):
    old = keys.seal_key_generate(actor=system_actor, agency=world.baoding)
    keys.seal_key_rotate(actor=system_actor, agency=world.baoding)
    old.refresh_from_db()
    with pytest.raises(InvalidState) as info:
        keys.sign_with(old, b"x")
    assert info.value.code == "key_inactive"


def test_demo_keys_are_made_once(world, system_actor):
    made = keys.demo_seal_keys(system_actor)
    assert made == 1 + 7  # the platform and the world's seven agencies
    assert keys.demo_seal_keys(system_actor) == 0
