"""Every job kind, queued as its web page queues it and run by the real worker (`cpaudit worker --once`)
as a process of its own, on a freshly migrated demo, outside any test transaction (issue 9: the
registry export failed in the worker while the in-process tests passed). A kind registered with
@job_handler and no scenario here fails test_every_job_kind_has_a_worker_scenario.
"""

import shutil
from collections.abc import Callable

import pytest

from cpaudit.jobs.services import handlers
from cpaudit.registry.excel.files import sm3_file
from tests.factories import make_uscc
from tests.registry.test_excel_support import read_xlsx, valid_row, write_xlsx

JOB_SCENARIOS: dict[str, list[Callable]] = {}


def job_scenario(kind: str):
    def register(func):
        JOB_SCENARIOS.setdefault(kind, []).append(func)
        return func

    return register


def platform_kinds() -> set[str]:
    """The kinds the platform's apps register (tests register kinds of their own: not those)."""
    return {kind for kind, func in handlers().items() if func.__module__.startswith("cpaudit.")}


def run_worker(site, jobs: int) -> None:
    done = site.run("worker", "--once")
    assert (done.code, done.out, done.err) == (0, [f"{jobs} 个任务已执行"], []), done


def job_files(site) -> list[str]:
    return sorted(p.name for p in (site.data_dir / "jobs").iterdir())


@job_scenario("registry.export")
def export_of_the_list_page(site):
    in_county = site.sql("SELECT COUNT(*) FROM registry_enterprise WHERE county_id = '130602'")[0][0]
    pk = site.enqueue("registry.export", "bd_staff", {"filters": {"county": "130602", "q": ""}})
    before = site.log_count()
    run_worker(site, 1)
    job = site.job(pk)
    assert (job["status"], job["message"], job["result"]) == ("done", f"已导出 {in_county} 家企业",
                                                              {"rows": in_county}), job
    assert job["result_filename"].startswith("企业名录-") and job["result_filename"].endswith(".xlsx")
    path = site.data_dir / "jobs" / job["result_file"]
    assert job_files(site) == [job["result_file"]]  # nothing left beside it
    assert {row[2] for row in read_xlsx(path)[1:]} == {"130602"}
    assert site.log_since(before) == [{"action": "registry.export.completed", "actor": "bd_staff",
                                       "data": {"rows": in_county, "sm3": sm3_file(path)}}]
    done = site.run("import-enterprises", path, "--dry-run", "--as-user", "bd_staff")
    assert done.out == [f"新增 0 家，更新 0 家，未变化 {in_county} 家", "试运行：未写入任何数据"], done


def upload(site, workbook) -> str:
    """Where the import page puts an uploaded file: the job directory, named by its SM3."""
    target = site.data_dir / "jobs" / f"upload-{sm3_file(workbook)}.xlsx"
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(workbook, target)
    return str(target)


@job_scenario("registry.import")
def import_of_the_upload_page(site):
    code = make_uscc(987_654_400, prefix="91130602")
    good = write_xlsx(site.work_dir / "good.xlsx", [valid_row(**{"统一社会信用代码": code})])
    bad = write_xlsx(site.work_dir / "bad.xlsx", [valid_row(**{"统一社会信用代码": make_uscc(987_654_401),
                                                                 "邮编": "x"})])
    common = {"campaign": None, "dry_run": False}
    ok = site.enqueue("registry.import", "jx_staff", dict(common, path=upload(site, good), filename="名录.xlsx"))
    failed = site.enqueue("registry.import", "jx_staff", dict(common, path=upload(site, bad), filename="错.xlsx"))
    enterprises, before = site.sql("SELECT COUNT(*) FROM registry_enterprise")[0][0], site.log_count()
    run_worker(site, 2)
    job = site.job(ok)
    assert (job["status"], job["message"]) == ("done", "新增 1 家，更新 0 家，未变化 0 家"), job
    assert job["result"] == {"created": 1, "updated": 0, "unchanged": 0, "enrolled": 0, "rows": 1,
                             "dry_run": False, "error_count": 0, "errors": []}
    entries = site.log_since(before)
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("registry.enterprise.created", "jx_staff"), ("registry.import.completed", "jx_staff")]
    assert entries[-1]["data"]["filename"] == "名录.xlsx" and entries[-1]["data"]["sm3"] == sm3_file(good)
    job = site.job(failed)
    assert (job["status"], job["message"]) == ("failed", "文件有 1 处错误，未导入任何数据"), job
    assert job["result"]["errors"] == [
        {"row": 2, "column": "F", "header": "邮编", "message": "邮编应为6位数字，填写的是“x”"}]
    assert site.sql("SELECT COUNT(*) FROM registry_enterprise")[0][0] == enterprises + 1
    assert site.sql("SELECT COUNT(*) FROM registry_enterprise WHERE uscc = %s", code)[0][0] == 1
    assert site.run("verify-log").code == 0


def test_every_job_kind_has_a_worker_scenario():
    kinds = platform_kinds()
    assert {"registry.import", "registry.export"} <= kinds
    assert sorted(kinds - set(JOB_SCENARIOS)) == [], "后台任务类型没有经 worker 子进程运行的测试"


@pytest.mark.parametrize("kind,func", [pytest.param(kind, func, id=f"{kind}:{func.__name__}")
                                       for kind, funcs in sorted(JOB_SCENARIOS.items()) for func in funcs])
def test_job_kind_through_the_worker(kind, func, site):
    func(site)
    kinds = {row[0] for row in site.sql("SELECT kind FROM jobs_job")}
    assert kind in kinds and "worker" in site.invoked
