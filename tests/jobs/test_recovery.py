"""Jobs whose worker stopped are taken back (issue 12): queued again when their kind may run twice,
failed otherwise, and the job page says which."""

import datetime as dt
import os
import socket

import pytest
from django.urls import reverse

from cpaudit.core import clock
from cpaudit.core.models import ActionLog
from cpaudit.jobs import recovery, services
from cpaudit.jobs.models import Job
from cpaudit.jobs.registry import job_handler
from cpaudit.org.roles import Role

ENDED: list[int] = []


@job_handler("test.again", "可重做的测试任务", idempotent=True, on_end=lambda job: ENDED.append(job.pk))
def _again(job, report):
    report(1, 1)
    return {"ran": job.attempts}


@job_handler("test.once", "不可重做的测试任务", on_end=lambda job: ENDED.append(job.pk))
def _once(job, report):
    return {}


HOST = socket.gethostname()


def running(kind: str, *, worker: str = "elsewhere:1", beat_ago: float = 0, attempts: int = 1, **fields) -> Job:
    now = clock.server_now()
    return Job.objects.create(kind=kind, status=Job.Status.RUNNING, worker=worker, attempts=attempts,
                              started_at=now - dt.timedelta(seconds=beat_ago + 1),
                              heartbeat_at=now - dt.timedelta(seconds=beat_ago), **fields)


@pytest.fixture(autouse=True)
def _stale_after(settings):
    settings.CPAUDIT_JOB_STALE_SECONDS = 60
    settings.CPAUDIT_JOB_MAX_ATTEMPTS = 3
    ENDED.clear()


def test_a_stale_idempotent_job_is_queued_again_and_then_runs(db):
    job = running("test.again", beat_ago=61, progress=500, total=1000)
    assert [j.pk for j in recovery.recover()] == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.worker, job.heartbeat_at, job.progress) == ("queued", "", None, 0)
    assert job.message == job.interrupted == (
        "任务中断：执行该任务的后台任务进程已停止（超过 60 秒没有心跳）；本任务可安全重做，已自动重新排队（将第 2 次执行）")
    entry = ActionLog.objects.get(action="jobs.job.requeued")
    assert (entry.actor_name, entry.object_id, entry.data["worker"]) == ("系统（后台任务进程）", str(job.pk), "elsewhere:1")
    assert ENDED == []  # not ended: it runs again
    assert services.run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == ("done", 2, {"ran": 2})
    assert job.interrupted.startswith("任务中断") and ENDED == [job.pk]


def test_a_stale_job_of_another_kind_is_failed_with_the_reason(db):
    job = running("test.once", beat_ago=61)
    recovery.recover()
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.message == "任务失败：执行该任务的后台任务进程已停止（超过 60 秒没有心跳），任务未完成；如仍需要，请重新提交"
    assert ActionLog.objects.filter(action="jobs.job.interrupted", object_id=str(job.pk)).count() == 1
    assert ENDED == [job.pk]


def test_an_idempotent_job_is_failed_after_its_last_attempt(db):
    job = running("test.again", beat_ago=61, attempts=3)
    recovery.recover()
    job.refresh_from_db()
    assert job.status == "failed" and "已执行 3 次仍未完成" in job.message


def test_a_job_with_a_fresh_heartbeat_is_left_alone(db):
    job = running("test.once", beat_ago=59)
    assert recovery.recover() == []
    assert Job.objects.get(pk=job.pk).status == "running"


def test_a_job_of_a_local_process_that_is_gone_is_taken_back_at_once(db):
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)  # reaped: the pid no longer exists
    gone = running("test.again", worker=f"{HOST}:{dead}")
    alive = running("test.again", worker=f"{HOST}:{os.getppid()}")
    ours = running("test.again", worker=f"{HOST}:{os.getpid()}")  # a worker between jobs lost this one
    assert sorted(j.pk for j in recovery.recover()) == sorted([gone.pk, ours.pk])
    assert Job.objects.get(pk=gone.pk).message.startswith("任务中断：执行该任务的后台任务进程已停止；")
    assert Job.objects.get(pk=alive.pk).status == "running"


def test_a_job_that_moved_meanwhile_is_not_taken_back(db):
    job = running("test.once", beat_ago=61)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=clock.server_now())  # its worker beat after we looked
    assert recovery.interrupt(job, "测试") is False
    assert Job.objects.get(pk=job.pk).status == "running" and not ActionLog.objects.filter(
        action__startswith="jobs.job.").exists()


def test_report_and_claim_refresh_the_heartbeat(db):
    job = services.enqueue(kind="test.again", params={})
    claimed = services.claim_next("w:1")
    assert (claimed.pk, claimed.worker, claimed.attempts) == (job.pk, "w:1", 1)
    assert claimed.heartbeat_at is not None
    Job.objects.filter(pk=job.pk).update(heartbeat_at=clock.server_now() - dt.timedelta(hours=1))
    services.run_job(claimed)
    job.refresh_from_db()
    assert job.status == "done" and clock.server_now() - job.heartbeat_at < dt.timedelta(minutes=1)


@job_handler("test.silent", "长时间不报告进度的任务")
def _silent(job, report):
    import time

    time.sleep(0.35)  # never calls report: only the timer thread can show it is alive
    return {"beat": Job.objects.get(pk=job.pk).heartbeat_at.isoformat()}


def test_the_timer_thread_beats_while_the_handler_is_silent(transactional_db, django_db_serialized_rollback):
    job = services.enqueue(kind="test.silent", params={})
    claimed = services.claim_next("w:2")
    an_hour_ago = clock.server_now() - dt.timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=an_hour_ago)
    claimed.refresh_from_db()
    services.run_job(claimed, heartbeat=0.1)
    job.refresh_from_db()
    assert job.status == "done"
    assert dt.datetime.fromisoformat(job.result["beat"]) > an_hour_ago + dt.timedelta(minutes=59)


def test_an_outcome_is_not_recorded_over_a_job_taken_back_meanwhile(db):
    @job_handler("test.overtaken", "被收回的任务")
    def overtaken(job, report):
        Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, worker="")  # taken back meanwhile
        return {"late": True}

    job = services.enqueue(kind="test.overtaken", params={})
    services.run_job(services.claim_next("w:3"))
    job.refresh_from_db()
    assert (job.status, job.result) == ("queued", {})


def test_the_job_page_says_the_job_was_run_again(world, login):
    user = world.users[Role.BRANCH_STAFF]
    job = running("registry.import", beat_ago=400, created_by=user, params={"path": "/nonexistent"})
    Job.objects.filter(pk=job.pk).update(heartbeat_at=clock.server_now() - dt.timedelta(seconds=400))
    job.refresh_from_db()
    recovery.recover()
    html = login(user).get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert "排队中" in html and "任务中断：执行该任务的后台任务进程已停止（超过 60 秒没有心跳）；本任务可安全重做" in html
