"""The chain detects every change to the stored log: changed, deleted, inserted, reordered entries,
and (with a checkpoint kept outside the database) a truncated tail."""

import io
import json

import pytest
from django.core.management import call_command

from cpaudit.core.chain import GENESIS, entry_digest, verify_entries
from cpaudit.core.logreset import allow_log_reset
from cpaudit.core.models import ActionLog, LogHead

pytestmark = pytest.mark.django_db

CONTENT_FIELDS = ["time", "actor_id", "actor_name", "actor_role", "actor_agency", "action", "object_type",
                  "object_id", "object_repr", "changes", "data", "group", "ip", "prev_digest", "digest"]


def verify():
    return verify_entries(ActionLog.objects.order_by("seq"))


def run_verify_log(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify-log", *args, stdout=out, stderr=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_intact_chain_verifies(add_entries):
    add_entries(5)
    report = verify()
    assert (report.ok, report.checked, report.head_seq) == (True, 5, 5)
    assert report.head_digest == ActionLog.objects.get(seq=5).digest


def test_empty_log_verifies():
    report = verify()
    assert (report.ok, report.checked, report.head_digest) == (True, 0, GENESIS)


def test_changed_field_reports_that_entry(add_entries):
    add_entries(5)
    with allow_log_reset():
        ActionLog.objects.filter(seq=3).update(object_repr="篡改后的对象")
    report = verify()
    assert not report.ok
    assert report.first_bad_seq == 3
    assert "第 3 条" in report.problem


def test_changed_changes_json_reports_that_entry(add_entries):
    add_entries(4, changes={"contact_person": ["李四", "王五"]})
    with allow_log_reset():
        ActionLog.objects.filter(seq=2).update(changes={"contact_person": ["李四", "赵六"]})
    assert verify().first_bad_seq == 2


def test_deleted_middle_entry_reports_the_gap(add_entries):
    add_entries(5)
    with allow_log_reset():
        ActionLog.objects.filter(seq=3).delete()
    report = verify()
    assert not report.ok
    assert report.first_bad_seq == 3
    assert "缺失" in report.problem


def test_inserted_forged_entry_is_detected(add_entries):
    """To insert at position 3 the forger must renumber 3..5 to 4..6; a well-formed forged entry 3
    then cannot make the old entry 3 (now 4) link to it."""
    add_entries(5)
    second = ActionLog.objects.get(seq=2)
    with allow_log_reset():
        for seq in (5, 4, 3):
            ActionLog.objects.filter(seq=seq).update(seq=seq + 1)
        forged = ActionLog(seq=3, time=second.time, actor_name="伪造者", action="test.thing.done",
                           object_repr="伪造的对象", group=second.group, prev_digest=second.digest)
        forged.digest = entry_digest(forged)
        forged.save(force_insert=True)
    report = verify()
    assert not report.ok
    assert report.first_bad_seq == 4


def test_swapped_entries_are_detected(add_entries):
    add_entries(5)
    two, three = ActionLog.objects.get(seq=2), ActionLog.objects.get(seq=3)
    with allow_log_reset():
        ActionLog.objects.filter(seq=2).update(digest="temporary")  # digest is unique
        ActionLog.objects.filter(seq=3).update(**{f: getattr(two, f) for f in CONTENT_FIELDS})
        ActionLog.objects.filter(seq=2).update(**{f: getattr(three, f) for f in CONTENT_FIELDS})
    report = verify()
    assert not report.ok
    assert report.first_bad_seq == 2


def test_swapped_contents_keeping_digests_are_detected(add_entries):
    add_entries(5)
    two, three = ActionLog.objects.get(seq=2), ActionLog.objects.get(seq=3)
    with allow_log_reset():
        ActionLog.objects.filter(seq=2).update(object_repr=three.object_repr)
        ActionLog.objects.filter(seq=3).update(object_repr=two.object_repr)
    assert verify().first_bad_seq == 2


def test_verify_log_command_exits_zero_on_intact_log(add_entries):
    add_entries(3)
    code, output = run_verify_log()
    assert code == 0
    assert output.startswith("OK")
    assert "3 条" in output


def test_verify_log_command_names_the_changed_entry(add_entries):
    add_entries(5)
    with allow_log_reset():
        ActionLog.objects.filter(seq=4).update(actor_name="别人")
    code, output = run_verify_log()
    assert code == 1
    assert output.startswith("FAIL")
    assert "第 4 条" in output


def test_verify_log_command_sees_a_cut_tail_through_the_head(add_entries):
    add_entries(5)
    with allow_log_reset():
        ActionLog.objects.filter(seq__gte=4).delete()
    code, output = run_verify_log()
    assert code == 1
    assert "截断" in output


@pytest.fixture
def truncated_log(add_entries, tmp_path):
    """5 entries checkpointed outside the database, then entries 4 and 5 deleted and the head
    rewound to entry 3: the chain itself is a valid chain of 3 entries."""
    add_entries(5)
    checkpoint = tmp_path / "checkpoints.jsonl"
    call_command("checkpoint-log", "-o", str(checkpoint), stdout=io.StringIO())
    assert json.loads(checkpoint.read_text(encoding="utf-8").splitlines()[-1])["seq"] == 5
    with allow_log_reset():
        ActionLog.objects.filter(seq__gte=4).delete()
    third = ActionLog.objects.get(seq=3)
    LogHead.objects.filter(pk=1).update(seq=3, digest=third.digest)
    return checkpoint


def test_truncated_and_rewound_log_passes_the_chain_alone(truncated_log):
    assert verify().ok
    code, output = run_verify_log()
    assert code == 0
    assert output.startswith("OK")


def test_checkpoint_detects_truncated_and_rewound_tail(truncated_log):
    code, output = run_verify_log("--checkpoint", str(truncated_log))
    assert code == 1
    assert output.startswith("FAIL")
    assert "第 5 条日志已不存在" in output
    assert "截断" in output


def test_verify_log_command_sees_a_forged_entry_appended_behind_the_head(add_entries):
    """A well-formed entry added by hand (not through log_action) leaves the head behind."""
    add_entries(3)
    last = ActionLog.objects.get(seq=3)
    forged = ActionLog(seq=4, time=last.time, actor_name="伪造者", action="test.thing.done",
                       object_repr="伪造的对象", group=last.group, prev_digest=last.digest)
    forged.digest = entry_digest(forged)
    forged.save(force_insert=True)  # INSERT is allowed: the log is append-only, not read-only
    assert verify().ok
    code, output = run_verify_log()
    assert code == 1
    assert "伪造" in output
