"""The worker's loop in-process (cpaudit.jobs.worker): a failing turn is retried with growing pauses
and never ends the loop; one that lasts is reported (incident, worker row, action log) and the report
closes when a turn works again; daily work that fails is recorded and retried, and does not stop jobs.
Real processes, kill -9 and dropped connections: test_worker_subprocess.py."""

import datetime as dt

import pytest
from django.utils import timezone

from cpaudit.core import clock
from cpaudit.core.checkpoint import read_checkpoints
from cpaudit.core.models import ActionLog
from cpaudit.jobs import incidents, services, worker
from cpaudit.jobs.management.commands import worker as command  # noqa: F401  (registers the daily work)
from cpaudit.jobs.models import DailyRun, Incident, Job, WorkerStatus
from cpaudit.jobs.registry import job_handler


@job_handler("test.loop", "循环测试任务")
def _loop(job, report):
    return {"ok": True}


@pytest.fixture
def quick(settings, monkeypatch):
    settings.CPAUDIT_JOB_HEARTBEAT_SECONDS = 0  # no timer thread inside the test's transaction
    settings.CPAUDIT_WORKER_BACKOFF_MAX_SECONDS = 60
    monkeypatch.setattr(worker.Worker, "pause", staticmethod(lambda seconds, should_stop: None))
    return settings


def make(said=None) -> worker.Worker:
    return worker.Worker(interval=1.0, say=(said.append if said is not None else lambda text: None), name="测试主机:1")


def test_pauses_double_up_to_the_maximum(db, quick):
    quick.CPAUDIT_WORKER_REPORT_AFTER_SECONDS = 3600
    w = make()
    assert [w.failed(OSError("磁盘错误")) for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert not Incident.objects.exists()


def test_a_short_failure_is_not_reported(db, quick):
    quick.CPAUDIT_WORKER_REPORT_AFTER_SECONDS = 3600
    w = make()
    w.beat()
    w.failed(OSError("一时的错误"))
    w.recovered()
    assert not Incident.objects.exists() and not ActionLog.objects.filter(action__startswith="jobs.").exists()
    assert WorkerStatus.objects.get(name=w.name).state == WorkerStatus.State.RUNNING


def test_a_lasting_failure_is_reported_and_closed_when_it_ends(db, quick):
    quick.CPAUDIT_WORKER_REPORT_AFTER_SECONDS = 0
    said = []
    w = make(said)
    w.beat()
    w.failed(PermissionError(13, "Permission denied", "/data/checkpoints"))
    incident = Incident.objects.get(key=f"worker:{w.name}")
    assert incident.open and incident.title == f"后台任务进程 {w.name} 无法正常工作"
    assert incident.message == "PermissionError: [Errno 13] Permission denied: '/data/checkpoints'"
    row = WorkerStatus.objects.get(name=w.name)
    assert (row.state, row.problem) == (WorkerStatus.State.FAILING, incident.message)
    assert said and said[0].startswith(f"后台任务进程 {w.name} 连续 1 次出错")
    w.failed(PermissionError(13, "Permission denied", "/data/checkpoints"))  # reported once
    assert Incident.objects.filter(key=f"worker:{w.name}").count() == 1
    w.recovered()
    incident.refresh_from_db()
    assert not incident.open and incident.resolution == "连续出错 2 次后恢复正常"
    assert WorkerStatus.objects.get(name=w.name).state == WorkerStatus.State.RUNNING
    assert list(ActionLog.objects.filter(action__startswith="jobs.incident").values_list("action", flat=True)
                .order_by("seq")) == ["jobs.incident.opened", "jobs.incident.resolved"]


def test_the_loop_survives_a_failing_turn(db, quick, monkeypatch):
    quick.CPAUDIT_WORKER_REPORT_AFTER_SECONDS = 3600
    w = make()
    turns = []

    def turn():
        turns.append(len(turns))
        if len(turns) == 2:
            raise OSError("只有这一次")
        return 0

    monkeypatch.setattr(w, "turn", turn)
    w.run(should_stop=lambda: len(turns) >= 4)
    assert turns == [0, 1, 2, 3] and w.failures == 0
    assert WorkerStatus.objects.get(name=w.name).state == WorkerStatus.State.STOPPED


def test_a_checkpoint_that_cannot_be_written_does_not_stop_the_jobs(db, quick, tmp_path):
    blocked = tmp_path / "checkpoints"
    blocked.write_text("一个文件挡住了目录")  # the directory cannot be created: root ignores permissions
    quick.CPAUDIT_CHECKPOINT_DIR = blocked
    job = services.enqueue(kind="test.loop", params={})
    w = make()
    assert w.turn() == 1
    assert Job.objects.get(pk=job.pk).status == "done"
    incident = Incident.objects.get(key="aftercommit:daily-checkpoint")
    assert incident.open and incident.retry_at is not None and "checkpoints" in incident.message
    # Not retried before it is due; then, once the directory is there, the retry works and closes it.
    assert incidents.retry_due(incident.retry_at - dt.timedelta(seconds=1)) == []
    assert incidents.retry_due(incident.retry_at) == [("daily-checkpoint", False)]
    incident.refresh_from_db()
    assert incident.attempts == 1 and incident.retry_at > clock.server_now() + dt.timedelta(seconds=50)
    quick.CPAUDIT_CHECKPOINT_DIR = tmp_path / "fixed"
    assert incidents.retry_due(incident.retry_at) == [("daily-checkpoint", True)]
    incident.refresh_from_db()
    assert not incident.open and incident.resolution == "第 2 次自动重试成功"
    assert [p["raw"]["reason"] for p in read_checkpoints(tmp_path / "fixed" / "log-checkpoints.jsonl")] == ["daily"]


def test_the_daily_work_runs_once_a_day(db, quick, monkeypatch):
    calls = []
    monkeypatch.setattr(worker, "DAILY", [("count", "计数", lambda: calls.append(1))])
    w = make()
    w.turn()
    w.turn()
    assert calls == [1]
    tomorrow = clock.server_now() + dt.timedelta(days=1)
    monkeypatch.setattr(clock, "server_now", lambda: tomorrow)  # the day turned
    w.turn()
    assert calls == [1, 1]


def test_two_workers_do_the_daily_work_once_between_them(db, quick, monkeypatch):
    """Two app servers, two workers: one checkpoint line, one anomaly run a day (DailyRun claims)."""
    calls = []
    monkeypatch.setattr(worker, "DAILY", [("count", "计数", lambda: calls.append(1))])
    first = make()
    second = worker.Worker(interval=1.0, say=lambda text: None, name="另一主机:2")
    first.turn()
    second.turn()
    first.turn()
    assert calls == [1]
    assert DailyRun.objects.get(name="count").worker == "测试主机:1"
    assert DailyRun.objects.get(name="count").finished_at is not None


def test_a_claim_whose_worker_died_is_taken_over_once_stale(db, quick, monkeypatch):
    calls = []
    monkeypatch.setattr(worker, "DAILY", [("count", "计数", lambda: calls.append(1))])
    today = dt.date.fromisoformat(str(timezone.localdate(clock.server_now())))
    DailyRun.objects.create(name="count", day=today, worker="死掉的主机:9", started_at=clock.server_now())
    second = worker.Worker(interval=1.0, say=lambda text: None, name="另一主机:2")
    second.turn()
    second.turn()
    assert calls == []  # claimed a moment ago: the claimant may still be at it
    DailyRun.objects.filter(name="count").update(
        started_at=clock.server_now() - dt.timedelta(seconds=quick.CPAUDIT_JOB_STALE_SECONDS + 1))
    second.turn()  # still due for it: the claim has gone stale, it takes it over
    second.turn()
    assert calls == [1]
    assert DailyRun.objects.get(name="count").worker == "另一主机:2"


def test_a_database_failure_in_daily_work_fails_the_turn_which_resumes_there(db, quick, monkeypatch):
    from django.db import OperationalError

    calls = []

    def flaky():
        calls.append("b")
        if calls.count("b") == 1:
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(worker, "DAILY", [("a", "A", lambda: calls.append("a")), ("b", "B", flaky),
                                          ("c", "C", lambda: calls.append("c"))])
    w = make()
    with pytest.raises(OperationalError):
        w.turn()
    assert not Incident.objects.exists()  # the database's failure is the turn's, not a daily task's
    w.turn()
    w.turn()
    assert calls == ["a", "b", "b", "c"]


def test_the_failure_goes_on_while_the_workers_row_cannot_be_written(db, quick, monkeypatch):
    quick.CPAUDIT_WORKER_REPORT_AFTER_SECONDS = 3600
    w = make()
    w.failed(OSError("磁盘错误"))

    def refused():
        raise OSError("仍然无法写入")

    monkeypatch.setattr(w, "beat", refused)
    with pytest.raises(OSError):
        w.recovered()
    assert w.failures == 1 and w.failing_since is not None


def test_a_pause_ends_early_when_the_worker_is_asked_to_stop():
    import time

    started = time.monotonic()
    worker.Worker.pause(60, lambda: time.monotonic() - started > 0.2)
    assert time.monotonic() - started < 2
