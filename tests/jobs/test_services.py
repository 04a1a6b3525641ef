from cpaudit.jobs import services
from cpaudit.jobs.models import Job
from cpaudit.jobs.registry import HANDLERS, job_handler


@job_handler("test.ok", "测试任务")
def _ok(job, report):
    report(5, 10, "过半")
    return {"answer": job.params["x"] * 2}


@job_handler("test.boom", "会失败的任务")
def _boom(job, report):
    raise RuntimeError("坏了")


def test_claim_takes_the_oldest_and_only_once(db):
    first = services.enqueue(kind="test.ok", params={"x": 1})
    services.enqueue(kind="test.ok", params={"x": 2})
    claimed = services.claim_next()
    assert claimed.pk == first.pk and claimed.status == Job.Status.RUNNING
    assert services.claim_next().pk != first.pk
    assert services.claim_next() is None


def test_run_records_progress_and_result(db):
    job = services.enqueue(kind="test.ok", params={"x": 21})
    assert services.run_pending() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"answer": 42}
    assert (job.progress, job.total, job.message) == (5, 10, "过半")
    assert job.finished_at is not None and job.percent == 100


def test_a_failing_job_is_marked_failed_with_the_reason(db):
    job = services.enqueue(kind="test.boom", params={})
    services.run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and f"任务编号 {job.pk}" in job.message
    assert "坏了" in job.result["traceback"]


@job_handler("test.refused", "无权的任务")
def _refused(job, report):
    from cpaudit.core.errors import PermissionDenied

    raise PermissionDenied("您无权这样做")


def test_a_domain_error_is_shown_to_the_user(db):
    job = services.enqueue(kind="test.refused", params={})
    services.run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message == "任务失败：您无权这样做"


def test_unknown_kind_is_refused(db):
    import pytest

    assert "nope" not in HANDLERS
    with pytest.raises(ValueError):
        services.enqueue(kind="nope", params={})
