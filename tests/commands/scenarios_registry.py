"""check-uscc, import-enterprises, export-enterprises as real processes on the demo."""

from cpaudit.registry.excel.files import sm3_file
from cpaudit.registry.uscc import check
from tests.factories import make_uscc
from tests.registry.test_excel_support import TEMPLATE_HEADERS, read_xlsx, valid_row, write_xlsx

from .scenarios import scenario

VALID = "91350100M000100Y43"
INVALID = "91350100M000100Y4Z"  # the domain README's vector: the check character should be 3
NEW_CODE = make_uscc(987_654_321, prefix="91130602")


def counts(site) -> tuple[int, int, int]:
    """(log entries, enterprises, enrolments): what an import may change."""
    return (site.log_count(), site.sql("SELECT COUNT(*) FROM registry_enterprise")[0][0],
            site.sql("SELECT COUNT(*) FROM campaigns_enrolment")[0][0])


def active_campaign(site) -> str:
    return site.sql("SELECT slug FROM campaigns_campaign WHERE status = 'active' ORDER BY year DESC")[0][0]


def an_exported_row(site) -> dict:
    """One enterprise of 竞秀区 as the export writes it, keyed by header."""
    path = site.work_dir / "base.xlsx"
    assert site.run("export-enterprises", "-o", path).code == 0
    rows = read_xlsx(path)
    return next(dict(zip(TEMPLATE_HEADERS, r, strict=True)) for r in rows[1:] if r[2] == "130602")


def phone_of(site, code: str) -> str:
    return site.sql("SELECT contact_phone FROM registry_enterprise WHERE uscc = %s", code)[0][0]


@scenario("check-uscc")
def check_uscc_arguments_and_stdin(site, demo):
    done = site.run("check-uscc", VALID, INVALID)
    assert done.code == 1 and done.err == [], done
    assert done.out == [f"{VALID}\tvalid", f"{INVALID}\tinvalid\t{check(INVALID).reason}"]
    done = site.run("check-uscc", stdin=f"{VALID}\n\n {VALID.lower()} \n")
    assert (done.code, done.out) == (0, [f"{VALID}\tvalid", f"{VALID.lower()}\tvalid"]), done


@scenario("export-enterprises")
def export_writes_a_logged_workbook_that_reimports(site, demo):
    path = site.work_dir / "名录.xlsx"
    total = site.sql("SELECT COUNT(*) FROM registry_enterprise")[0][0]
    before = site.log_count()
    done = site.run("export-enterprises", "-o", path)
    assert (done.code, done.out, done.err) == (0, [f"已导出 {total} 家企业到 {path}"], []), done
    rows = read_xlsx(path)
    assert rows[0] == TEMPLATE_HEADERS and len(rows) == total + 1
    assert site.log_since(before) == [{"action": "registry.export.completed", "actor": "系统（export-enterprises）",
                                       "data": {"rows": total, "sm3": sm3_file(path)}}]
    assert sorted(p.name for p in site.work_dir.iterdir() if p.is_file()) == ["名录.xlsx"]
    done = site.run("import-enterprises", path, "--dry-run")
    assert done.out == [f"新增 0 家，更新 0 家，未变化 {total} 家", "试运行：未写入任何数据"], done
    assert site.run("verify-log").code == 0


@scenario("export-enterprises")
def export_as_a_user_and_refusals(site, demo):
    mine = site.work_dir / "jx.xlsx"
    done = site.run("export-enterprises", "-o", mine, "--as-user", "jx_staff")
    in_county = site.sql("SELECT COUNT(*) FROM registry_enterprise WHERE county_id = '130602'")[0][0]
    assert (done.code, done.out) == (0, [f"已导出 {in_county} 家企业到 {mine}"]), done
    assert {row[2] for row in read_xlsx(mine)[1:]} == {"130602"}
    before = site.log_count()
    refused = site.work_dir / "x.xlsx"
    done = site.run("export-enterprises", "-o", refused, "--as-user", "auditadmin")
    assert (done.code, done.err) == (1, ["您的角色（审计管理员）无权导出企业名录"]), done
    assert site.run("export-enterprises", "-o", "x.csv").err == ["输出文件名应以 .xlsx 结尾"]
    (site.work_dir / "occupied.xlsx").mkdir()  # the output name is taken by a directory
    done = site.run("export-enterprises", "-o", "occupied.xlsx")
    assert done.code == 1 and done.err[0].startswith("无法写入输出文件 occupied.xlsx："), done
    assert site.log_count() == before and not refused.exists()
    assert not [p for p in site.work_dir.iterdir() if p.name.endswith(".part")]


@scenario("import-enterprises")
def import_with_an_error_row_changes_nothing(site, demo):
    row = an_exported_row(site)
    path = write_xlsx(site.work_dir / "bad.xlsx", [
        dict(row, **{"联系电话": "0312-9999999"}), valid_row(**{"统一社会信用代码": NEW_CODE}),
        valid_row(**{"统一社会信用代码": make_uscc(987_654_322), "邮编": "x"})])
    before = counts(site)
    done = site.run("import-enterprises", path)
    assert done.code == 1 and done.out == [], done
    assert done.err == ["第4行 F列（邮编）：邮编应为6位数字，填写的是“x”", "文件有 1 处错误，未导入任何数据"]
    assert counts(site) == before and phone_of(site, row["统一社会信用代码"]) == row["联系电话"]


@scenario("import-enterprises")
def import_dry_run_changes_nothing(site, demo):
    row = an_exported_row(site)
    path = write_xlsx(site.work_dir / "ok.xlsx", [dict(row, **{"联系电话": "0312-9999999"}),
                                                   valid_row(**{"统一社会信用代码": NEW_CODE})])
    before = counts(site)
    done = site.run("import-enterprises", path, "--dry-run")
    assert (done.code, done.out) == (0, ["新增 1 家，更新 1 家，未变化 0 家", "试运行：未写入任何数据"]), done
    assert counts(site) == before and phone_of(site, row["统一社会信用代码"]) == row["联系电话"]


@scenario("import-enterprises")
def import_writes_enrols_and_logs(site, demo):
    slug = active_campaign(site)
    path = write_xlsx(site.work_dir / "new.xlsx", [valid_row(**{"统一社会信用代码": NEW_CODE})])
    logged, enterprises, enrolments = counts(site)
    done = site.run("import-enterprises", path, "--campaign", slug, "--as-user", "jx_staff")
    assert (done.code, done.err) == (0, []), done
    assert done.out == ["新增 1 家，更新 0 家，未变化 0 家", f"已纳入审核批次“{slug}” 1 家"]
    assert counts(site) == (logged + 3, enterprises + 1, enrolments + 1)
    entries = site.log_since(logged)
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("registry.enterprise.created", "jx_staff"), ("campaigns.enrolment.created", "jx_staff"),
        ("registry.import.completed", "jx_staff")]
    assert entries[-1]["data"]["sm3"] == sm3_file(path) and entries[-1]["data"]["filename"] == "new.xlsx"
    assert site.run("verify-log").code == 0
    outside = write_xlsx(site.work_dir / "lianchi.xlsx", [valid_row(**{
        "统一社会信用代码": make_uscc(987_654_323), "所在县（市、区）代码": "130606", "所在县（市、区）": "莲池区"})])
    done = site.run("import-enterprises", outside, "--as-user", "jx_staff")
    assert done.code == 1 and "“莲池区”（130606）不在您的辖区内" in done.err[0], done
