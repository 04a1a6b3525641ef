"""coverage (应开展未开展) as a real process on the demo: the demo's 15 in-scope 涉水 enterprises not
enrolled are found (one of them exempted, listed apart), with and without an external register."""

from openpyxl import load_workbook

from cpaudit.registry.excel.files import sm3_file
from tests.registry.test_excel_support import write_xlsx

from .scenarios import scenario


def campaign(site) -> str:
    return site.sql("SELECT slug FROM campaigns_campaign WHERE status = 'active' ORDER BY year DESC")[0][0]


def names(path, sheet) -> list[str]:
    return [row[1] for row in load_workbook(path)[sheet].iter_rows(min_row=2, values_only=True)]


@scenario("coverage")
def coverage_against_the_platform_registry(site, demo):
    slug, out = campaign(site), site.work_dir / "应开展未开展.xlsx"
    before = site.log_count()
    done = site.run("coverage", "--campaign", slug, "-o", out)
    assert done.code == 0 and done.err == [] and done.out[-1] == f"已写入 {out}", done
    missing, exempted = names(out, "应开展未开展"), names(out, "已豁免")
    assert len(missing) + len(exempted) == 15 and len(exempted) == 1, done
    assert done.out[0].startswith(f"应开展未开展 {len(missing)} 家，已豁免（另列） 1 家"), done
    entries = site.log_since(before)
    assert [(e["action"], e["actor"]) for e in entries] == [("coverage.export.completed", "系统（coverage）")]
    assert entries[0]["data"]["sm3"] == sm3_file(out)
    # As the 竞秀区 branch: only its county.
    mine = site.work_dir / "jx.xlsx"
    assert site.run("coverage", "--campaign", slug, "-o", mine, "--as-user", "jx_staff").code == 0
    assert set(names(mine, "应开展未开展")) <= set(missing)


@scenario("coverage")
def coverage_with_a_register_and_refusals(site, demo):
    slug = campaign(site)
    name, code, industry = site.sql(
        "SELECT e.name, e.uscc, e.industry_id FROM registry_enterprise e WHERE e.water_related AND e.county_id = '130602' AND "
        "e.id NOT IN (SELECT enterprise_id FROM campaigns_enrolment en JOIN campaigns_campaign c ON "
        "c.id = en.campaign_id WHERE c.slug = %s) ORDER BY e.id", slug)[0]
    register = write_xlsx(site.work_dir / "排污许可.xlsx", [
        [name, code + "001P", industry, "", "竞秀区", "是"],
        ["开发区某印染有限公司", "", "", "棉印染精加工", "某某经济开发区", "是"],
        ["无行业企业有限公司", "", "", "", "竞秀区", "是"],
    ], ["企业名称", "排污许可证编号", "行业代码", "行业名称", "所在区县", "是否涉水"])
    out = site.work_dir / "对照.xlsx"
    done = site.run("coverage", "--register", register, "--campaign", slug, "-o", out)
    assert done.code == 0, done
    wb = load_workbook(out)
    rows = {r[1]: r for r in wb["应开展未开展"].iter_rows(min_row=2, values_only=True)}
    assert "外部名录第2行" in rows[name][6] and rows[name][7] == "代码匹配"
    people = {r[1]: r for r in wb["需人工核定"].iter_rows(min_row=2, values_only=True)}
    assert set(people) == {"开发区某印染有限公司", "无行业企业有限公司"}
    assert "第3行 E列（所在区县）" in people["开发区某印染有限公司"][8]
    assert "第4行 C列（行业代码）：行业代码和行业名称均为空" in people["无行业企业有限公司"][8]
    before = site.log_count()
    bad = site.run("coverage", "--campaign", "no-such", "-o", out)
    assert (bad.code, bad.err) == (1, ["审核批次“no-such”不存在"]), bad
    refused = site.run("coverage", "--campaign", slug, "-o", site.work_dir / "x.xlsx", "--as-user", "auditadmin")
    assert refused.code == 1 and refused.err == ["您的角色（审计管理员）无权查看应开展未开展情况"], refused
    empty = write_xlsx(site.work_dir / "empty.xlsx", [["某公司"]], ["企业名称"])
    unusable = site.run("coverage", "--register", empty, "--campaign", slug, "-o", site.work_dir / "y.xlsx")
    assert unusable.code == 1 and unusable.err[0].startswith("外部名录无法对照："), unusable
    assert site.log_count() == before
