"""Enqueue, claim and run jobs. A handler gets the job and a `report(progress, total)` callback.

A running job shows it is alive: every call of `report` refreshes its heartbeat, and in the worker a
timer thread refreshes it too (a handler may spend minutes between two reports, e.g. in the import's
single write transaction). A job whose heartbeat stopped is taken back (recovery.py).
"""

import logging
import threading
import traceback
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import F
from django.utils.module_loading import autodiscover_modules

from cpaudit.core import clock
from cpaudit.core.errors import DomainError
from cpaudit.core.storage import database_failure

from .models import Job, WorkerStatus
from .registry import HANDLERS, ON_END

log = logging.getLogger(__name__)


def job_dir() -> Path:
    path = Path(settings.CPAUDIT_JOB_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def enqueue(*, kind: str, params: dict, user=None, total: int = 0) -> Job:
    if kind not in handlers():
        raise ValueError(f"unknown job kind {kind}")
    created_by = user if (user is not None and getattr(user, "pk", None)) else None
    return Job.objects.create(kind=kind, params=params, created_by=created_by, total=total)


def claim_next(worker: str = "") -> Job | None:
    """Take the oldest queued job. The conditional UPDATE makes two workers never take the same one."""
    for job_id in Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at", "pk").values_list("pk", flat=True)[:5]:
        now = clock.server_now()
        taken = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker, attempts=F("attempts") + 1,
        )
        if taken:
            return Job.objects.get(pk=job_id)
    return None


class _Heartbeat(threading.Thread):
    """Refreshes the job's (and its worker's) heartbeat every `every` seconds while the handler runs.
    Its own database connection: a failed beat (SQLite busy with the job's own write transaction, a
    dropped connection) is logged and the next one tries again."""

    def __init__(self, job: Job, every: float):
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job_pk, self.worker, self.every = job.pk, job.worker, every
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    now = clock.server_now()
                    Job.objects.filter(pk=self.job_pk, status=Job.Status.RUNNING, worker=self.worker).update(
                        heartbeat_at=now)
                    if self.worker:
                        WorkerStatus.objects.filter(name=self.worker).update(heartbeat_at=now)
                except DatabaseError as exc:
                    log.warning("heartbeat of job %s not written: %s", self.job_pk, exc)
                    connections.close_all()  # this thread's connection: the next beat opens a new one
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=self.every + 30)


def run_job(job: Job, *, heartbeat: float | None = None) -> Job:
    """Run the job's handler and record how it ended. `heartbeat`: seconds between the timer thread's
    beats (the worker); None runs without the thread (tests, `run_pending` in-process)."""
    handler = handlers()[job.kind]
    if job.status == Job.Status.QUEUED:
        now = clock.server_now()
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now, heartbeat_at=now,
                                             attempts=F("attempts") + 1)
        job.refresh_from_db()
    # Every write below is conditional on the job still being ours: a job taken back meanwhile (its
    # heartbeat looked stale) belongs to whoever runs it now.
    ours = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker)

    def report(progress: int, total: int | None = None, message: str | None = None) -> None:
        fields = {"progress": progress, "heartbeat_at": clock.server_now()}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = message
        ours.update(**fields)

    beat = _Heartbeat(job, heartbeat) if heartbeat else None
    if beat is not None:
        beat.start()
    try:
        result = handler(job, report) or {}
    except DomainError as exc:  # written for the user: show it
        ended = ours.update(status=Job.Status.FAILED, finished_at=clock.server_now(),
                            message=f"任务失败：{exc.message}")
    except Exception as exc:
        if database_failure(exc):
            # The database is gone or refuses writes: nothing can be recorded now. The worker reconnects,
            # waits, and takes the job back once it can (worker.py, recovery.py).
            raise
        log.exception("job %s failed", job.pk)  # a bug: the user gets a reference, the operator the traceback
        ended = ours.update(
            status=Job.Status.FAILED, finished_at=clock.server_now(),
            message=f"任务失败：系统内部错误（任务编号 {job.pk}），请联系系统管理员",
            result={"traceback": traceback.format_exc()[-4000:]},
        )
    else:
        ended = ours.update(status=result.pop("_status", Job.Status.DONE), finished_at=clock.server_now(),
                            result=result)
    finally:
        if beat is not None:
            beat.stop()
    job.refresh_from_db()
    if ended:
        job_ended(job)
    else:
        log.warning("job %s was taken back while %s ran it; its outcome here is not recorded", job.pk, job.worker)
    return job


def job_ended(job: Job) -> None:
    """Once a job is done or failed for good: let its kind clean up (on_end), then remove the file of
    a failed job (a failed job has no file). A cleanup failure is logged, never the job's failure."""
    try:
        hook = ON_END.get(job.kind)
        if hook is not None:
            hook(job)
        if job.status == Job.Status.FAILED and job.result_file:
            remove_job_file(job.result_file)
            Job.objects.filter(pk=job.pk).update(result_file="", result_filename="")
            job.result_file = job.result_filename = ""
    except Exception:
        log.exception("cleanup after job %s failed", job.pk)


def remove_job_file(name: str) -> bool:
    """Delete a file of the job directory (never anything outside it); True when one was removed."""
    path = Path(name)
    if not path.is_absolute():
        path = job_dir() / path
    if not path.resolve().is_relative_to(job_dir().resolve()) or not path.is_file():
        return False
    path.unlink(missing_ok=True)
    return True


def run_pending(limit: int | None = None, *, worker: str = "", heartbeat: float | None = None) -> int:
    """Run queued jobs until none is left (tests, `cpaudit worker --once`, and the worker's loop)."""
    count = 0
    while limit is None or count < limit:
        job = claim_next(worker)
        if job is None:
            break
        run_job(job, heartbeat=heartbeat)
        count += 1
    return count


_discovered = False


def handlers() -> dict:
    """Every job kind and its handler, once each app's jobs_handlers module has registered its kinds."""
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs_handlers")
        _discovered = True
    return HANDLERS
