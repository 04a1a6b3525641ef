"""The importer meets a real register: Shanghai's published list of enterprises under mandatory cleaner
production audit (tests/data/sh_cleaner_production_audit_enterprises.csv, from the city's disclosure
platform via github.com/shirakawa568/EnvironmentalInformation; organisation fields only).

Put in the import template's shape as a person would paste it: the county as the platform gives it
(a district, a free trade zone, or nothing — then the code from the USCC, 310000 for city-registered
ones), the industry by name only (the platform's GB/T 4754-2011 小类 name, else its 大类 name, else
nothing). Two rows are added with the issue's own examples (上海化工区, 乳制品制造). Fields the list does
not publish (address, legal representative) get a placeholder. Every row must be accepted or refused with
a Chinese message naming its row, its column and what to do; none may be dropped silently.
"""

import csv
from pathlib import Path

import pytest

from cpaudit.core.actors import SystemActor
from cpaudit.registry.excel.importer import import_enterprises
from cpaudit.registry.models import Enterprise

from .test_excel_support import TEMPLATE_HEADERS, with_check, write_xlsx

DATA = Path(__file__).resolve().parent.parent / "data" / "sh_cleaner_production_audit_enterprises.csv"
LETTERS = {h: chr(ord("A") + i) for i, h in enumerate(TEMPLATE_HEADERS)}
SUGGESTS = ("请", "可在")  # every refusal says what to do


def register_rows() -> list[dict]:
    with DATA.open(encoding="utf-8") as fh:
        published = list(csv.DictReader(fh))
    rows = []
    for r in published:
        county_name = r["county_from_platform"]
        rows.append({
            "企业名称": r["name"], "统一社会信用代码": r["uscc"],
            "所在县（市、区）代码": "" if county_name else r["uscc_reg_region_code"],
            "所在县（市、区）": county_name,
            "企业所在地/地址": f"{r['uscc_reg_region_name']}（地址待补）", "法定代表人": "（待补）",
            "所属行业代码": "", "所属行业": r["industry_minor"] or r["industry_major"],
        })
    rows.append({**rows[0], "企业名称": "（测试补充）化工区企业", "统一社会信用代码": with_check("91310116MA1J00001"),
                 "所在县（市、区）代码": "", "所在县（市、区）": "上海化工区"})
    rows.append({**rows[0], "企业名称": "（测试补充）乳品企业", "统一社会信用代码": with_check("91310118MA1J00002"),
                 "所属行业": "乳制品制造"})
    return rows


@pytest.fixture
def actor(db):
    return SystemActor("import-enterprises")


def test_every_row_is_accepted_or_refused_with_row_column_and_suggestion(tmp_path, actor):
    rows = register_rows()
    result = import_enterprises(actor=actor, path=write_xlsx(tmp_path / "sh.xlsx", rows))
    assert result.rows == len(rows) == 96
    assert Enterprise.objects.count() == 0  # the file has errors: nothing is written
    refused = {e.row for e in result.errors}
    for error in result.errors:
        assert 2 <= error.row <= len(rows) + 1 and error.column == LETTERS[error.header], error
        assert any(word in error.message for word in SUGGESTS), error
        assert str(error).startswith(f"第{error.row}行 {error.column}列（{error.header}）："), error
    messages = {(e.row, e.header): e.message for e in result.errors}
    row_of = {r["企业名称"]: n for n, r in enumerate(rows, start=2)}

    def message(name, header):
        return messages.get((row_of[name], header), "")

    # The cases, each with its own suggestion.
    assert "“上海化工区”不是GB/T 2260行政区划，可在“区划别名”中将其对应到所属县（区）" in message(
        "（测试补充）化工区企业", "所在县（市、区）")
    assert "上海市的县级区划：" in message("（测试补充）化工区企业", "所在县（市、区）")  # the nearest candidates
    assert "金山区（310116）" in message("（测试补充）化工区企业", "所在县（市、区）")
    assert "“中国（上海）自由贸易试验区”不是GB/T 2260行政区划" in message("事必得精密机械（上海）有限公司", "所在县（市、区）")
    assert "上海市宝山区（310113）" in message("上海华东拆车股份有限公司", "所在县（市、区）")  # 宝山区 is also 双鸭山's
    assert "“上海市”（310000）不是县级行政区划" in message("上海方大药业股份有限公司", "所在县（市、区）代码")
    assert "对应2017版：1441 液体乳制造、1442 乳粉制造、1449 其他乳制品制造" in message("（测试补充）乳品企业", "所属行业")
    assert "“光电子器件及其他电子器件制造”（3969）" in message("上海中航光电子有限公司", "所属行业")
    assert "名称相近的2017版小类：3979 其他电子器件制造" in message("上海中航光电子有限公司", "所属行业")
    assert "对应2017版：3491 工业机器人制造" in message("上海西恩迪蓄电池有限公司", "所属行业")  # 其他通用设备制造业
    assert "未找到名称为“其他”的国民经济行业" in message("上海仁盛标准件制造有限公司", "所属行业")
    assert message("上海麦源实业有限公司", "所属行业代码").startswith("所属行业代码不能为空：请填写")

    # The rest is accepted: importing just those rows writes them all, each with a 2017 code.
    accepted = [r for n, r in enumerate(rows, start=2) if n not in refused]
    assert accepted and len(accepted) + len(refused) == len(rows)
    again = import_enterprises(actor=actor, path=write_xlsx(tmp_path / "ok.xlsx", accepted))
    assert again.errors == [] and again.created == len(accepted)
    stored = {e.uscc: e for e in Enterprise.objects.select_related("industry", "county")}
    assert set(stored) == {r["统一社会信用代码"] for r in accepted}
    assert stored["91310117561886489R"].industry_id == "3514"  # 建筑工程用机械制造: 3513 in 2011
    assert stored["91310117561886489R"].county.name == "松江区"
    # 生物药品制造 is a 2017 class and also the 2011 class that 2017 split: applied, with the caveat.
    biologics = next(n for n in again.notices if n.row == 2 + accepted.index(
        next(r for r in accepted if r["企业名称"] == "国药集团上海血液制品有限公司")))
    assert stored["91310105MA1FW3PL6H"].industry_id == "2761"
    assert "若登记表按GB/T 4754-2011填写，该名称对应2017版：2761 生物药品制造、2762 基因工程药物和疫苗制造" in biologics.message
    coarse = [e for e in stored.values() if e.industry.level < 4]
    noticed = {n.row for n in again.notices if "审核范围" in n.message or "可确定属" in n.message}
    assert len(noticed) == len(coarse)  # every coarse code was reported, row by row
