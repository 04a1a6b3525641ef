"""Checkpoints of the log head, kept outside the database."""

import io
import json

import pytest
from django.core.management import call_command

from cpaudit.core.logreset import allow_log_reset
from cpaudit.core.models import ActionLog, LogHead

pytestmark = pytest.mark.django_db


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
