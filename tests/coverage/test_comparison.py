"""The 应开展未开展 comparison on a register with exact matches, name-only matches, bad codes, GB/T
4754-2011 industry names and districts that are not GB/T 2260 units (issue 13's done-when)."""

import csv
import datetime as dt

import pytest

from cpaudit.campaigns.models import CampaignCounty
from cpaudit.campaigns.services import default_industries
from cpaudit.coverage import selectors, services
from cpaudit.coverage.register import Counties, read_register
from cpaudit.org.roles import Role
from cpaudit.registry.models import DivisionAlias
from tests.factories import make_enterprise, make_uscc
from tests.registry.test_excel_support import SAMPLES, write_xlsx

TODAY = dt.date(2020, 6, 1)
HEADERS = ["序号", "企业名称", "统一社会信用代码", "排污许可证编号", "行业代码", "行业名称", "区划代码", "所在区县",
           "是否涉水", "联系电话"]


def bad_check_code() -> str:
    """A real published code that fails the GB 32100 check (tests/data/uscc_samples.csv)."""
    with SAMPLES.open(encoding="utf-8") as fh:
        return next(r["uscc"] for r in csv.DictReader(fh) if r["computed_gb32100_check"] != "ok"
                    and len(r["uscc"]) == 18)


@pytest.fixture
def setup(world):
    campaign = world.campaign
    campaign.industries.set(default_industries())  # the six industries, every class
    CampaignCounty.objects.filter(campaign=campaign, county_id="130606").update(in_basin=False)
    DivisionAlias.objects.create(alias="保定高新技术产业开发区", county_id="130602",
                                 created_by=world.users[Role.CITY_STAFF])
    ents = {
        # Registered, not enrolled, in scope: found from the registry alone and by the register's code.
        "exact": make_enterprise("130602", industry="2221", name="保定对照造纸有限公司"),
        # Found by name only (the register's code is empty / fails its check).
        "named": make_enterprise("130602", industry="1713", name="上海麦源实业有限公司"),
        "bad": make_enterprise("130602", industry="1910", name="保定皮革（集团）有限公司"),
        # Outside the basin: not in scope; enrolled it is listed as out of scope.
        "outside": make_enterprise("130606", industry="2221", name="莲池流域外纸业有限公司"),
        "dry": make_enterprise("130602", industry="2221", name="不涉水纸业有限公司", water_related=False),
        "coarse": make_enterprise("130602", industry="22", name="大类造纸和纸制品有限公司"),
    }
    return world, campaign, ents


def register(tmp_path, rows):
    return write_xlsx(tmp_path / "排污许可名录.xlsx", rows, HEADERS, title_rows=[["保定市排污许可证发放名录（2020年）"]],
                      sheet_title="名录")


def test_register_rows_are_mapped_and_nothing_is_dropped(setup, tmp_path):
    world, campaign, ents = setup
    unknown = make_uscc(prefix="91130602")
    rows = [
        {"企业名称": "保定对照造纸有限公司", "排污许可证编号": ents["exact"].uscc + "001P", "行业代码": "2221",
         "区划代码": "130602", "是否涉水": "是"},
        {"企业名称": " 上海麦源实业有限公司 ", "行业名称": "棉印染精加工", "所在区县": "竞秀区", "是否涉水": "是"},
        {"企业名称": "保定皮革(集团)有限公司", "统一社会信用代码": bad_check_code(), "行业代码": "1910",
         "所在区县": "保定高新技术产业开发区", "是否涉水": "是"},
        {"企业名称": "未登记生物制药有限公司", "统一社会信用代码": unknown, "行业名称": "生物药品制造",
         "区划代码": "130602", "是否涉水": "是"},
        {"企业名称": "旧版纺织制成品有限公司", "行业代码": "1789", "行业名称": "其他非家用纺织制成品制造",
         "区划代码": "130602", "是否涉水": "是"},
        {"企业名称": "化工园区某企业", "统一社会信用代码": make_uscc(prefix="91130602"), "行业代码": "2221",
         "所在区县": "保定某化工园区", "是否涉水": "是"},
        {"企业名称": "染料制造有限公司", "行业代码": "2644", "行业名称": "染料制造", "区划代码": "130602", "是否涉水": "是"},
        {"企业名称": "不涉水行外企业", "行业代码": "2221", "区划代码": "130602", "是否涉水": "否"},
    ]
    read = read_register(register(tmp_path, rows), counties=Counties(selectors.county_names(campaign)))
    assert read.ok and len(read.rows) == len(rows)  # every row kept
    by_row = {r.row: r for r in read.rows}  # the title row and the header: data from row 3
    assert by_row[3].uscc == ents["exact"].uscc  # the permit number's first 18 characters
    assert by_row[4].uscc == "" and by_row[4].industry == "1713"
    assert by_row[5].uscc == "" and "校验码错误" in by_row[5].uscc_note and "第5行" in by_row[5].uscc_note
    assert by_row[5].county == "130602" and "区划别名" in by_row[5].county_note
    assert by_row[6].industry == "2761" and "2011" in by_row[6].industry_note
    assert by_row[7].industry == "" and "1789" in by_row[7].problems[0] and "第7行" in by_row[7].problems[0]
    assert by_row[8].county == "" and "区划别名" in by_row[8].problems[0]
    assert by_row[9].industry == "2645" and "染料制造" in by_row[9].industry_note  # a 2011 class moved
    assert any("序号" in n and "联系电话" in n for n in read.notices)  # other columns ignored, said so


def test_comparison_lists(setup, tmp_path):
    world, campaign, ents = setup
    rows = [
        {"企业名称": "保定对照造纸有限公司", "统一社会信用代码": ents["exact"].uscc, "行业代码": "2221",
         "区划代码": "130602", "是否涉水": "是"},
        {"企业名称": "上海麦源实业有限公司", "行业名称": "棉印染精加工", "所在区县": "竞秀区", "是否涉水": "是"},
        {"企业名称": "保定皮革（集团）有限公司", "统一社会信用代码": bad_check_code(), "行业代码": "1910",
         "区划代码": "130602", "是否涉水": "是"},
        {"企业名称": "未登记生物制药有限公司", "统一社会信用代码": make_uscc(prefix="91130602"),
         "行业名称": "生物药品制造", "区划代码": "130602", "是否涉水": "是"},
        {"企业名称": "旧版纺织制成品有限公司", "行业代码": "1789", "行业名称": "其他非家用纺织制成品制造",
         "区划代码": "130602", "是否涉水": "是"},
        {"企业名称": "化工园区某企业", "统一社会信用代码": make_uscc(prefix="91130602"), "行业代码": "2221",
         "所在区县": "保定某化工园区", "是否涉水": "是"},
        {"企业名称": "不涉水行外企业", "行业代码": "2221", "区划代码": "130602", "是否涉水": "否"},
    ]
    read = services.read_campaign_register(campaign, register(tmp_path, rows))
    found = selectors.coverage(world.users[Role.CITY_STAFF], campaign, today=TODAY, rows=read.rows,
                               use_latest_register=False).result
    missing = {i.name: i for i in found.missing}
    assert set(missing) == {"保定对照造纸有限公司", "上海麦源实业有限公司", "保定皮革（集团）有限公司", "未登记生物制药有限公司"}
    assert missing["保定对照造纸有限公司"].match == "代码匹配"
    assert missing["保定对照造纸有限公司"].source == "平台名录、外部名录第3行"
    assert missing["上海麦源实业有限公司"].match == "名称匹配"
    assert missing["保定皮革（集团）有限公司"].match == "名称匹配"
    assert missing["保定皮革（集团）有限公司"].enterprise_id == ents["bad"].pk
    assert missing["未登记生物制药有限公司"].match == "未在平台登记" and missing["未登记生物制药有限公司"].enterprise_id is None
    people = {i.name: i for i in found.needs_person}
    # A coarse code in the registry, a 2011 class split/renamed, a zone without alias: a person decides.
    assert set(people) == {"大类造纸和纸制品有限公司", "旧版纺织制成品有限公司", "化工园区某企业"}
    assert found.register_out_of_scope == 1 and found.register_rows == 7
    out = {i.name: i for i in found.out_of_scope}
    assert set(out) == {"外县测试企业有限公司"}
    assert out["外县测试企业有限公司"].notes == ["未说明范围外纳入理由"]
    assert "不涉水纸业有限公司" not in missing and "莲池流域外纸业有限公司" not in missing
    # Nothing started in the world: every enrolment the city sees is 未启动.
    assert {i.name for i in found.not_started} == {"自有测试企业有限公司", "同县测试企业有限公司", "外县测试企业有限公司"}


def test_branch_sees_its_county_only(setup):
    world, campaign, ents = setup
    found = selectors.coverage(world.users[Role.BRANCH_STAFF], campaign, today=TODAY).result
    assert {i.county for i in found.missing} == {"130602"}
    assert {i.name for i in found.out_of_scope} == set()


def test_header_errors_are_reported_with_row_and_column(setup, tmp_path):
    world, campaign, _ = setup
    path = write_xlsx(tmp_path / "bad.xlsx", [["某公司", "2221"]], ["企业名称", "行业代码", "行业代码"])
    read = services.read_campaign_register(campaign, path)
    messages = [str(e) for e in read.errors]
    assert "第1行 C列（行业代码）：表头重复，与B列相同" in messages
    assert any("缺少必填列“统一社会信用代码”或“排污许可证编号”" in m for m in messages)
    assert any("是否涉水" in m for m in messages) and not read.rows
