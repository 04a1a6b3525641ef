"""Issue 11's import bullet through the job the import page queues (the limits themselves are in
test_import_limits.py): a file over a limit fails its job with the limit named and never opened, and
the uploaded file is removed whatever way the job ends — refused by a limit, or crashed by a bug."""

import shutil

import pytest

from cpaudit.jobs.models import Job
from cpaudit.jobs.services import enqueue, job_dir, run_pending
from cpaudit.org.roles import Role
from cpaudit.registry import jobs_handlers

from .test_excel_support import valid_row, write_xlsx
from .test_import_limits import bomb, never_opened


@pytest.fixture
def staff(world):
    return world.users[Role.BRANCH_STAFF]


def queue(user, source, name: str) -> tuple[Job, object]:
    """As the import page does: the upload copied into the job directory, an import job naming it."""
    target = job_dir() / name
    shutil.copyfile(source, target)
    job = enqueue(kind="registry.import", user=user, params={
        "path": str(target), "campaign": None, "dry_run": False, "user_id": user.pk, "filename": "名录.xlsx"})
    return job, target


def test_a_zip_bomb_upload_fails_its_job_unopened_and_is_removed(tmp_path, staff, settings, monkeypatch):
    settings.CPAUDIT_IMPORT_MAX_UNZIPPED_MB = 2
    source = write_xlsx(tmp_path / "source.xlsx", [valid_row()])
    bomb(tmp_path / "bomb.xlsx", unzipped_mb=3, source=source)
    never_opened(monkeypatch)
    job, target = queue(staff, tmp_path / "bomb.xlsx", "upload-bomb.xlsx")
    run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("未导入任何数据：文件解压后约 3 MB，超过导入上限 2 MB"), job.message
    assert not target.exists()


def test_a_file_over_the_row_limit_fails_its_job_and_is_removed(tmp_path, staff, settings):
    settings.CPAUDIT_IMPORT_MAX_ROWS = 2
    job, target = queue(staff, write_xlsx(tmp_path / "three.xlsx", [valid_row() for _ in range(3)]),
                        "upload-three.xlsx")
    run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "超过单次导入上限 2 行" in job.message
    assert job.result["error_count"] == 1 and not target.exists()


def test_an_import_that_crashes_still_removes_its_upload(tmp_path, staff, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("测试：导入程序出错")

    monkeypatch.setattr(jobs_handlers, "import_enterprises", crash)
    job, target = queue(staff, write_xlsx(tmp_path / "one.xlsx", [valid_row()]), "upload-crash.xlsx")
    run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "系统内部错误" in job.message
    assert not target.exists()
