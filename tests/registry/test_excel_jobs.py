from cpaudit.campaigns.models import Enrolment
from cpaudit.core.models import ActionLog
from cpaudit.jobs.models import Job
from cpaudit.jobs.services import enqueue, job_dir, run_pending
from cpaudit.org.roles import Role
from cpaudit.registry.models import Enterprise
from tests.factories import make_campaign

from .test_excel_support import TEMPLATE_HEADERS, read_xlsx, valid_row, write_xlsx


def import_job(user, path, **params) -> Job:
    job = enqueue(kind="registry.import", user=user, params={
        "path": str(path), "campaign": None, "dry_run": False, "user_id": user.pk, **params})
    assert run_pending() == 1
    job.refresh_from_db()
    return job


def test_import_job_imports_and_reports(tmp_path, world):
    user = world.users[Role.BRANCH_STAFF]
    path = write_xlsx(tmp_path / "upload-abc.xlsx", [valid_row(), valid_row()])
    job = import_job(user, path, filename="名录.xlsx")
    assert job.status == Job.Status.DONE
    assert job.result == {"created": 2, "updated": 0, "unchanged": 0, "enrolled": 0, "rows": 2,
                          "dry_run": False, "error_count": 0, "errors": []}
    assert (job.progress, job.total, job.message) == (2, 2, "新增 2 家，更新 0 家，未变化 0 家")
    summary = ActionLog.objects.get(action="registry.import.completed")
    assert summary.actor_name == "bstaff" and summary.data["filename"] == "名录.xlsx"


def test_import_job_with_errors_fails_and_lists_them(tmp_path, world):
    user = world.users[Role.BRANCH_STAFF]
    before = Enterprise.objects.count()
    job = import_job(user, write_xlsx(tmp_path / "bad.xlsx", [valid_row(), valid_row(**{"邮编": "x"})]))
    assert job.status == Job.Status.FAILED
    assert "_status" not in job.result
    assert job.result["errors"] == [
        {"row": 3, "column": "F", "header": "邮编", "message": "邮编应为6位数字，填写的是“x”"}]
    assert job.message == "文件有 1 处错误，未导入任何数据"
    assert Enterprise.objects.count() == before


def test_import_job_keeps_the_first_errors_and_counts_all(tmp_path, world):
    """CPAUDIT_IMPORT_MAX_ERRORS (default 200) errors are kept, in file order; the total is counted."""
    user = world.users[Role.BRANCH_STAFF]
    path = write_xlsx(tmp_path / "many.xlsx", [valid_row(**{"邮编": "x"}) for _ in range(201)])
    job = import_job(user, path)
    assert job.result["error_count"] == 201 and len(job.result["errors"]) == 200
    assert [e["row"] for e in job.result["errors"]] == list(range(2, 202))
    assert job.message == "文件有 201 处错误，未导入任何数据（下面列出前 200 处；改正后再导入会列出其余的）"


def test_import_job_dry_run_with_campaign(tmp_path, world):
    campaign = make_campaign("c2021", 2021)
    user = world.users[Role.CITY_STAFF]
    job = import_job(user, write_xlsx(tmp_path / "d.xlsx", [valid_row()]), dry_run=True, campaign="c2021")
    assert job.status == Job.Status.DONE and job.result["dry_run"] is True and job.result["enrolled"] == 1
    assert job.message.startswith("试运行")
    assert not Enrolment.objects.filter(campaign=campaign).exists()


def test_import_job_campaign_enrols(tmp_path, world):
    campaign = make_campaign("c2021", 2021)
    path = write_xlsx(tmp_path / "c.xlsx", [valid_row()])
    job = import_job(world.users[Role.CITY_STAFF], path, campaign="c2021")
    assert job.result["enrolled"] == 1 and Enrolment.objects.filter(campaign=campaign).count() == 1


def test_import_job_runs_with_the_users_rights(tmp_path, world):
    job = import_job(world.users[Role.PROVINCE_LEADER], write_xlsx(tmp_path / "p.xlsx", [valid_row()]))
    assert job.status == Job.Status.FAILED and job.message == "任务失败：您的角色（省厅负责人）无权导入企业名录"


def test_export_job_writes_the_result_file(tmp_path, world):
    user = world.users[Role.CITY_STAFF]
    job = enqueue(kind="registry.export", user=user,
                  params={"user_id": user.pk, "filters": {"county": "130606"}})
    assert run_pending() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.message == "已导出 1 家企业"
    assert job.result_filename.startswith("企业名录-") and job.result_filename.endswith(".xlsx")
    path = job_dir() / job.result_file
    assert path.exists()
    rows = read_xlsx(path)
    assert rows[0] == TEMPLATE_HEADERS
    assert [r[1] for r in rows[1:]] == [world.enterprises["other_county"].uscc]


def test_export_job_scope_and_querystring_lists(tmp_path, world):
    user = world.users[Role.BRANCH_STAFF]
    job = enqueue(kind="registry.export", user=user,
                  params={"user_id": user.pk, "filters": {"q": ["同县"], "sort": ["name"]}})
    run_pending()
    job.refresh_from_db()
    assert [r[0] for r in read_xlsx(job_dir() / job.result_file)[1:]] == ["同县测试企业有限公司"]


def test_export_job_refused_for_enterprise_users(world):
    user = world.users[Role.ENTERPRISE]
    job = enqueue(kind="registry.export", user=user, params={"user_id": user.pk, "filters": {}})
    run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.result_file == ""
