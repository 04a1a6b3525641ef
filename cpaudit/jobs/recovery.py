"""Taking back the jobs of a worker that stopped (issue 12: a job whose worker was killed stayed
"执行中" forever, its page refreshing through every restart).

A running job is taken back when
- its heartbeat is older than CPAUDIT_JOB_STALE_SECONDS (whatever happened to its worker), or
- its worker ran on this host and that process no longer exists, or is this very worker between two
  jobs (it lost the job to a database error): then there is no need to wait for the heartbeat to age.
A kind registered `idempotent` (the all-or-nothing import) is queued again, up to CPAUDIT_JOB_MAX_ATTEMPTS
runs in all; any other job is failed. Either way the job's page says what happened, and the action log
records it.
"""

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.actors import SystemActor
from cpaudit.core.log import log_action

from .models import Job
from .registry import IDEMPOTENT, LABELS
from .services import handlers, job_ended

log = logging.getLogger(__name__)
WORKER = SystemActor("后台任务进程")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(worker: str) -> bool:
    """Whether `worker` ("host:pid") ran on this host as a process that no longer exists, or is us."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True  # called between jobs: a job still marked as ours was lost
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, owned by someone else
        return False
    return False


def recover(now: dt.datetime | None = None) -> list[Job]:
    """Take back every running job whose worker stopped; the jobs taken back, as they are now."""
    handlers()  # the idempotent kinds are known once every app registered its handlers
    now = now or clock.server_now()
    stale_after = settings.CPAUDIT_JOB_STALE_SECONDS
    cutoff = now - dt.timedelta(seconds=stale_after)
    taken = []
    for job in Job.objects.filter(status=Job.Status.RUNNING).order_by("pk"):
        beat = job.heartbeat_at or job.started_at
        if beat is not None and beat < cutoff:
            why = f"执行该任务的后台任务进程已停止（超过 {stale_after} 秒没有心跳）"
        elif job.worker and _process_gone(job.worker):
            why = "执行该任务的后台任务进程已停止"
        else:
            continue
        if interrupt(job, why):
            job.refresh_from_db()
            taken.append(job)
    return taken


def interrupt(job: Job, why: str) -> bool:
    """Queue the job again (idempotent kind, runs left) or fail it, saying why; False when it was no
    longer the job we looked at (finished, or taken back by another worker meanwhile)."""
    again = job.kind in IDEMPOTENT and job.attempts < settings.CPAUDIT_JOB_MAX_ATTEMPTS
    label = LABELS.get(job.kind, job.kind)
    unchanged = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker,
                                   heartbeat_at=job.heartbeat_at, attempts=job.attempts)
    if again:
        note = f"任务中断：{why}；本任务可安全重做，已自动重新排队（将第 {job.attempts + 1} 次执行）"
        fields = {"status": Job.Status.QUEUED, "worker": "", "heartbeat_at": None, "started_at": None,
                  "progress": 0, "message": note}
    else:
        tried = f"已执行 {job.attempts} 次仍未完成" if job.attempts > 1 else "任务未完成"
        note = f"任务失败：{why}，{tried}；如仍需要，请重新提交"
        fields = {"status": Job.Status.FAILED, "finished_at": clock.server_now(), "message": note}
    with transaction.atomic():
        if not unchanged.update(interrupted=note[:300], **fields):
            return False
        log_action(actor=WORKER, action="jobs.job.requeued" if again else "jobs.job.interrupted", obj=job,
                   object_repr=f"{label} #{job.pk}", data={
                       "kind": job.kind, "worker": job.worker, "attempts": job.attempts, "reason": why,
                       "heartbeat_at": job.heartbeat_at.isoformat() if job.heartbeat_at else None})
    log.warning("job %s (%s) of worker %s taken back: %s", job.pk, job.kind, job.worker,
                "queued again" if again else "failed")
    if not again:
        job.refresh_from_db()
        job_ended(job)
    return True
