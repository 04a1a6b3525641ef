"""The restore record in the checkpoint history (core/checkpoint.py): the chain legitimately continues
from the backup's head; the lines the old installation wrote after the backup no longer count; any
other cut, rewrite, or a forged or moved restore line is still reported."""

import io
import json

import pytest
from django.core.management import call_command

from cpaudit.core.checkpoint import write_checkpoint
from cpaudit.core.logreset import allow_log_reset
from cpaudit.core.models import ActionLog, LogHead

from ..factories import make_platform_key_unlogged

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def platform_key(db):
    return make_platform_key_unlogged()


def verify(path) -> tuple[int, list[str]]:
    out = io.StringIO()
    try:
        call_command("verify-log", "--checkpoint", str(path), stdout=out, stderr=out)
    except SystemExit as exc:
        return exc.code, out.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


def rewind(seq: int) -> None:
    """Back to entry `seq`, the head included (what a restore of a backup taken at `seq` leaves, or a cut
    by someone with database access)."""
    with allow_log_reset():
        ActionLog.objects.filter(seq__gt=seq).delete()
    last = ActionLog.objects.get(seq=seq)
    LogHead.objects.filter(pk=1).update(seq=seq, digest=last.digest)


@pytest.fixture
def history(add_entries, tmp_path):
    """Entries 1–3 checkpointed (the backup's head is 3); the old installation went on to 5 and
    checkpointed it; the backup was restored (entries 4–5 lost), the restore recorded (entry 4, a
    different one) and the platform went on to 6, checkpointed."""
    path = tmp_path / "cp.jsonl"
    add_entries(3)
    write_checkpoint(reason="daily", path=path)
    backup_head = LogHead.objects.values("seq", "digest").get(pk=1)
    add_entries(2, action="test.old.timeline")
    write_checkpoint(reason="daily", path=path)  # seq 5 of the discarded history
    rewind(3)
    add_entries(1, action="core.backup.restored")
    write_checkpoint(reason="restore", path=path,
                     restore={**backup_head, "backup": "ab" * 32, "backup_time": "2026-01-01T00:00:00+00:00"})
    add_entries(2, action="test.after.restore")
    write_checkpoint(reason="daily", path=path)
    return path


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def rewrite(path, points: list[dict]) -> None:
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in points), encoding="utf-8")


def test_the_chain_continues_legitimately_from_the_restored_head(history):
    assert [p["seq"] for p in lines(history)] == [3, 5, 4, 6]
    code, out = verify(history)
    assert code == 0, out
    assert out[0].startswith("OK\t6 条日志完整")


def test_without_the_restore_record_the_discarded_history_reads_as_a_rewrite(history):
    points = lines(history)
    rewrite(history, [p for p in points if "restore" not in p])
    code, out = verify(history)
    assert (code, out) == (1, ["FAIL\t检查点（文件第 2 行）记录的第 5 条日志摘要不符：日志被改写"])


def test_an_unsigned_restore_record_counts_for_nothing(history):
    points = lines(history)
    del points[2]["signature"]
    rewrite(history, points)
    code, out = verify(history)
    assert code == 1
    assert "FAIL\t检查点（文件第 3 行）没有签名：该行可能被伪造" in out
    assert "FAIL\t检查点（文件第 2 行）记录的第 5 条日志摘要不符：日志被改写" in out


def test_a_restore_record_with_another_restored_head_fails_its_signature(history):
    points = lines(history)
    points[2]["restore"]["seq"] = 2  # would discard the line at 3 too
    rewrite(history, points)
    code, out = verify(history)
    assert code == 1
    assert any(line.startswith("FAIL\t检查点（文件第 3 行）签名未通过校验") for line in out), out


def test_a_cut_after_the_restore_is_still_caught(history):
    rewind(5)  # the checkpoint at 6 vouches for an entry the log no longer has; the chain itself is intact
    code, out = verify(history)
    assert (code, out) == (1, ["FAIL\t检查点（文件第 4 行）记录的第 6 条日志已不存在：日志尾部被截断"])


def test_a_cut_below_the_restored_head_is_still_caught(history):
    rewind(2)
    code, out = verify(history)
    assert code == 1
    assert "FAIL\t检查点（文件第 1 行）记录的第 3 条日志已不存在：日志尾部被截断" in out
    assert "FAIL\t检查点（文件第 3 行）记录的第 3 条日志已不存在：日志尾部被截断" in out  # the restored head


def test_a_restore_record_moved_below_a_later_line_is_reported(history):
    points = lines(history)
    points.append(points.pop(2))  # would discard the checkpoint at 6 as "old history"
    rewrite(history, points)
    code, out = verify(history)
    assert code == 1
    assert "FAIL\t检查点（文件第 4 行，恢复记录）与前后各行的时间顺序不符：检查点文件的行序可能被调换" in out
