"""Enqueue, claim and run jobs. A handler gets the job and a `report(progress, total)` callback."""

import logging
import traceback
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import autodiscover_modules

from cpaudit.core import clock
from cpaudit.core.errors import DomainError

from .models import Job
from .registry import HANDLERS

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


def claim_next() -> Job | None:
    """Take the oldest queued job. The conditional UPDATE makes two workers never take the same one."""
    for job_id in Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at", "pk").values_list("pk", flat=True)[:5]:
        taken = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started_at=clock.server_now()
        )
        if taken:
            return Job.objects.get(pk=job_id)
    return None


def run_job(job: Job) -> Job:
    handler = handlers()[job.kind]

    def report(progress: int, total: int | None = None, message: str | None = None) -> None:
        fields = {"progress": progress}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = message
        Job.objects.filter(pk=job.pk).update(**fields)

    if job.status == Job.Status.QUEUED:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=clock.server_now())
    try:
        result = handler(job, report) or {}
    except DomainError as exc:  # written for the user: show it
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=clock.server_now(),
                                             message=f"任务失败：{exc.message}")
    except Exception:  # a bug: the user gets a reference, the operator the traceback
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, finished_at=clock.server_now(),
            message=f"任务失败：系统内部错误（任务编号 {job.pk}），请联系系统管理员",
            result={"traceback": traceback.format_exc()[-4000:]},
        )
    else:
        job.refresh_from_db()
        Job.objects.filter(pk=job.pk).update(
            status=result.pop("_status", Job.Status.DONE), finished_at=clock.server_now(), result=result,
        )
    job.refresh_from_db()
    return job


def run_pending(limit: int | None = None) -> int:
    """Run queued jobs until none is left (tests and `cpaudit worker --once`)."""
    count = 0
    while limit is None or count < limit:
        job = claim_next()
        if job is None:
            break
        run_job(job)
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
