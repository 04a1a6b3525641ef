"""Checkpoints of the log head, kept outside the database, signed with the platform's key."""

import io
import json

import pytest
from django.core.management import call_command

from cpaudit.core.logreset import allow_log_reset
from cpaudit.core.models import ActionLog, LogHead

from ..factories import make_platform_key_unlogged

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def platform_key(db):
    return make_platform_key_unlogged()


def run(command: str, *args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_checkpoint_log_appends_the_head(add_entries, tmp_path):
    add_entries(3)
    path = tmp_path / "cp.jsonl"
    code, output = run("checkpoint-log", "-o", str(path), "--reason", "daily")
    head = LogHead.objects.get(pk=1)
    assert code == 0
    assert [(p["seq"], p["digest"], p["reason"]) for p in lines(path)] == [(3, head.digest, "daily")]
    assert output.strip() == f"3\t{head.digest}"


def test_checkpoint_log_appends_rather_than_overwrites(add_entries, tmp_path):
    path = tmp_path / "cp.jsonl"
    add_entries(2)
    run("checkpoint-log", "-o", str(path))
    add_entries(1)
    run("checkpoint-log", "-o", str(path))
    assert [p["seq"] for p in lines(path)] == [2, 3]


def test_verify_log_passes_intact_log_against_its_checkpoints(add_entries, tmp_path):
    path = tmp_path / "cp.jsonl"
    add_entries(2)
    run("checkpoint-log", "-o", str(path))
    add_entries(2)
    run("checkpoint-log", "-o", str(path))
    add_entries(1)
    code, output = run("verify-log", "--checkpoint", str(path))
    assert code == 0
    assert output.startswith("OK")
    assert "5 条" in output


def test_verify_log_sees_a_checkpointed_entry_rewritten_with_a_valid_chain(add_entries, tmp_path):
    """A forger who rewrites the whole tail consistently (entries and head) still differs from the
    digest kept in the checkpoint file."""
    from cpaudit.core.chain import entry_digest

    path = tmp_path / "cp.jsonl"
    add_entries(3)
    run("checkpoint-log", "-o", str(path))
    third = ActionLog.objects.get(seq=3)
    third.object_repr = "改写后的对象"
    third.digest = entry_digest(third)
    with allow_log_reset():
        ActionLog.objects.filter(seq=3).update(object_repr=third.object_repr, digest=third.digest)
    LogHead.objects.filter(pk=1).update(seq=3, digest=third.digest)
    code, output = run("verify-log", "--checkpoint", str(path))
    assert code == 1
    assert "第 3 条日志摘要不符" in output


def test_verify_log_with_a_missing_checkpoint_file_fails(tmp_path):
    code, output = run("verify-log", "--checkpoint", str(tmp_path / "absent.jsonl"))
    assert code == 2
    assert "检查点文件不存在" in output


def test_verify_log_with_an_unreadable_checkpoint_line_fails(add_entries, tmp_path):
    path = tmp_path / "cp.jsonl"
    path.write_text("{not json}\n", encoding="utf-8")
    add_entries(1)
    code, output = run("verify-log", "--checkpoint", str(path))
    assert code == 2
    assert "第 1 行" in output


def test_verify_log_fails_when_head_is_reset_to_zero_with_entries_present(add_entries):
    add_entries(2)
    LogHead.objects.filter(pk=1).update(seq=0, digest="0" * 64)
    code, output = run("verify-log")
    assert code == 1
    assert output.startswith("FAIL")


# --- signatures (issue 10: the chain cannot be quietly rewritten) ---------------------------------------

def rewrite_from(seq: int, repr_: str = "改写后的对象") -> str:
    """What someone with database access can do: change entry `seq`, recompute every later digest and
    the head, so that the chain alone verifies. Returns the new head digest."""
    from cpaudit.core.chain import entry_digest

    prev = ActionLog.objects.get(seq=seq - 1).digest if seq > 1 else "0" * 64
    with allow_log_reset():
        for entry in ActionLog.objects.filter(seq__gte=seq).order_by("seq"):
            if entry.seq == seq:
                entry.object_repr = repr_
            entry.prev_digest = prev
            entry.digest = prev = entry_digest(entry)
            ActionLog.objects.filter(seq=entry.seq).update(object_repr=entry.object_repr,
                                                           prev_digest=entry.prev_digest, digest=entry.digest)
    last = ActionLog.objects.order_by("-seq").first()
    LogHead.objects.filter(pk=1).update(seq=last.seq, digest=last.digest)
    return last.digest


def write_lines(path, points) -> None:
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in points), encoding="utf-8")


def test_each_line_is_signed_with_the_platform_key(add_entries, tmp_path, platform_key):
    from cpaudit.core.checkpoint import signed_part
    from cpaudit.documents import crypto

    path = tmp_path / "cp.jsonl"
    add_entries(2)
    run("checkpoint-log", "-o", str(path))
    point = lines(path)[0]
    assert point["key"] == platform_key.fingerprint
    assert crypto.verify(platform_key.public_key, signed_part(point), point["signature"])


def test_a_rewrite_with_the_checkpoint_file_rewritten_too_is_caught(add_entries, tmp_path):
    """The attack of issue 10: entries, digests, head and checkpoint file all made consistent."""
    path = tmp_path / "cp.jsonl"
    add_entries(4)
    run("checkpoint-log", "-o", str(path))
    new_head = rewrite_from(2)
    assert run("verify-log")[0] == 0  # the chain alone cannot tell
    forged = lines(path)
    forged[0]["digest"] = new_head  # right JSON, old signature
    write_lines(path, forged)
    code, output = run("verify-log", "--checkpoint", str(path))
    assert code == 1 and "FAIL\t检查点（文件第 1 行）签名未通过校验（签名无效）：该行可能被伪造" in output
    del forged[0]["signature"]  # or no signature at all
    write_lines(path, forged)
    code, output = run("verify-log", "--checkpoint", str(path))
    assert code == 1 and "FAIL\t检查点（文件第 1 行）没有签名：该行可能被伪造" in output


def test_a_line_signed_with_another_key_is_reported(add_entries, tmp_path, world):
    from cpaudit.core.checkpoint import signed_part
    from cpaudit.documents import keys

    from ..factories import make_seal_keys

    path = tmp_path / "cp.jsonl"
    add_entries(1)
    run("checkpoint-log", "-o", str(path))
    agency_key = make_seal_keys(world.baoding, platform=False)[world.baoding]
    point = lines(path)[0]
    point["key"] = agency_key.fingerprint
    point["signature"] = keys.sign_with(agency_key, signed_part(point))
    write_lines(path, [point])
    code, output = run("verify-log", "--checkpoint", str(path))
    assert code == 1 and "签名密钥不是平台密钥" in output


def test_unsigned_lines_from_before_the_key_pass_only_when_a_signed_line_follows(add_entries, tmp_path):
    path = tmp_path / "cp.jsonl"
    add_entries(2)
    head = LogHead.objects.get(pk=1)
    legacy = [{"seq": 1, "digest": ActionLog.objects.get(seq=1).digest, "time": "2026-01-01T00:00:00+00:00",
               "reason": "daily"}, {"seq": 2, "digest": head.digest, "time": "2026-01-02T00:00:00+00:00",
                                    "reason": "daily"}]
    write_lines(path, legacy)
    code, output = run("verify-log", "--checkpoint", str(path))
    assert code == 1 and output.count("没有签名") == 2  # nothing signed vouches for them yet
    run("checkpoint-log", "-o", str(path))
    assert run("verify-log", "--checkpoint", str(path))[0] == 0
    with path.open("a", encoding="utf-8") as fh:  # but an unsigned line after a signed one is forged
        fh.write(json.dumps(legacy[1]) + "\n")
    code, output = run("verify-log", "--checkpoint", str(path))
    assert code == 1 and "检查点（文件第 4 行）没有签名" in output


def test_a_line_signed_after_the_platform_key_was_revoked_is_reported(add_entries, tmp_path, platform_key):
    from cpaudit.core.actors import SystemActor
    from cpaudit.documents import keys

    path = tmp_path / "cp.jsonl"
    add_entries(1)
    run("checkpoint-log", "-o", str(path))
    keys.seal_key_revoke(actor=SystemActor("pytest"), key=platform_key, reason="服务器迁移，旧密钥作废")
    assert run("verify-log", "--checkpoint", str(path))[0] == 0  # signed before the revocation
    late = lines(path)[0]
    late["time"] = "2999-01-01T00:00:00+00:00"  # a line claiming a later time cannot keep the signature
    write_lines(path, [late])
    code, output = run("verify-log", "--checkpoint", str(path))
    assert code == 1 and "签名未通过校验" in output


def test_without_a_kek_the_signatures_cannot_be_checked(add_entries, tmp_path, settings):
    path = tmp_path / "cp.jsonl"
    add_entries(1)
    run("checkpoint-log", "-o", str(path))
    settings.CPAUDIT_KEY_ENCRYPTION_KEY = None
    code, output = run("verify-log", "--checkpoint", str(path))
    assert code == 2 and "无法校验检查点签名：未设置 CPAUDIT_KEY_ENCRYPTION_KEY" in output
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="未写入检查点：未设置 CPAUDIT_KEY_ENCRYPTION_KEY"):
        run("checkpoint-log", "-o", str(path))
