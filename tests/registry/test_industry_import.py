"""Industry cells as real registers fill them: GB/T 4754-2017 and -2011 names, coarse codes."""

import pytest

from cpaudit.org.roles import Role
from cpaudit.registry.excel.importer import import_enterprises
from cpaudit.registry.models import Enterprise

from .test_excel_import import state
from .test_excel_support import valid_row, write_xlsx

CODE, NAME = "所属行业代码", "所属行业"


@pytest.fixture
def branch(world):
    return world.users[Role.BRANCH_STAFF]


def _import(tmp_path, actor, rows, **kwargs):
    return import_enterprises(actor=actor, path=write_xlsx(tmp_path / "i.xlsx", rows), **kwargs)


@pytest.mark.parametrize(("cells", "code", "notice"), [
    ({CODE: None, NAME: "乳粉制造"}, "1442", "按行业名称“乳粉制造”填入GB/T 4754-2017行业代码1442"),
    ({CODE: "液体乳制造", NAME: None}, "1441", "按行业名称“液体乳制造”填入GB/T 4754-2017行业代码1441"),
    # A 2011 class that only changed code (3660 → 3670) is found by its name, which 2017 kept.
    ({CODE: None, NAME: "汽车零部件及配件制造"}, "3670", "按行业名称“汽车零部件及配件制造”填入GB/T 4754-2017行业代码3670"),
    ({CODE: "1511", NAME: "机制纸及纸板制造"}, "1511",
     "行业代码“1511”在GB/T 4754-2017中是“酒精制造”，与所填行业名称“机制纸及纸板制造”不一致，已按代码导入，请核对"),
    ({CODE: None, NAME: "医药制造业"}, "27", "按行业名称“医药制造业”填入GB/T 4754-2017行业代码27（大类）"),
])
def test_a_name_that_maps_to_one_class_is_applied_and_reported(tmp_path, branch, cells, code, notice):
    row = valid_row(**cells)
    result = _import(tmp_path, branch, [row])
    assert result.errors == [] and result.created == 1
    assert Enterprise.objects.get(uscc=row["统一社会信用代码"]).industry_id == code
    assert notice in [n.message for n in result.notices]
    assert all(n.row == 2 and n.column in ("K", "L") for n in result.notices)


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({CODE: None, NAME: "乳制品制造"}, "L",
     "GB/T 4754-2011 名称“乳制品制造”（1440），对应2017版：1441 液体乳制造、1442 乳粉制造、1449 其他乳制品制造"
     "（2017版将该类细分，请选择其一填写行业代码）"),
    ({CODE: None, NAME: "其他非家用纺织制成品制造"}, "L",
     "GB/T 4754-2011 名称“其他非家用纺织制成品制造”（1789），对应2017版：1789 其他产业用纺织制成品制造"
     "（2017版更名，请核对后填写行业代码）"),
    ({CODE: None, NAME: "光电子器件及其他电子器件制造"}, "L", "对照表未能确定其2017版类别"),
    ({CODE: None, NAME: "光电子器件及其他电子器件制造"}, "L", "名称相近的2017版小类：3979 其他电子器件制造"),
    ({CODE: None, NAME: "其他"}, "L", "未找到名称为“其他”的国民经济行业（GB/T 4754-2017或2011）；请填写4位行业代码"),
    ({CODE: "2760", NAME: None}, "K", "“2760”不是GB/T 4754-2017代码；GB/T 4754-2011 名称“生物药品制造”（2760），"
                                       "对应2017版：2761 生物药品制造、2762 基因工程药物和疫苗制造"),
    # A 2011 code that 2017 reuses for another class: the name column gives it away.
    ({CODE: "3972", NAME: "印制电路板制造"}, "K", "行业代码“3972”在GB/T 4754-2017中是“半导体分立器件制造”，"
                                             "而“印制电路板制造”是该代码在GB/T 4754-2011中的名称"),
])
def test_a_name_without_a_unique_class_is_an_error_that_suggests(tmp_path, branch, cells, column, message):
    before = state()
    result = _import(tmp_path, branch, [valid_row(), valid_row(**cells)])
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert message in result.errors[0].message
    assert state() == before  # a file with errors changes nothing


@pytest.mark.parametrize(("code", "warning"), [
    ("17", "所属行业代码“17”是大类（纺织业），涉及六行业中的印染、纺织；核定是否属于审核范围需要4位小类代码"),
    ("221", "所属行业代码“221”是中类（纸浆制造），可确定属“造纸”行业；建议补填4位小类代码"),
    ("C", "所属行业代码“C”是门类（制造业）"),
])
def test_a_coarse_code_is_imported_with_a_warning_naming_its_level(tmp_path, branch, code, warning):
    row = valid_row(**{CODE: code, NAME: None})
    result = _import(tmp_path, branch, [row])
    assert result.errors == [] and result.created == 1
    (notice,) = result.notices
    assert (notice.row, notice.column, notice.header) == (2, "K", CODE) and warning in notice.message
    assert Enterprise.objects.get(uscc=row["统一社会信用代码"]).industry.level_name in ("门类", "大类", "中类")


def test_a_class_code_brings_no_notice(tmp_path, branch):
    result = _import(tmp_path, branch, [valid_row()])
    assert result.created == 1 and result.notices == []


def test_a_name_only_register_without_the_code_column(tmp_path, branch):
    from .test_excel_support import TEMPLATE_HEADERS

    headers = [h for h in TEMPLATE_HEADERS if h != CODE]
    row = valid_row(**{NAME: "机制纸及纸板制造"})
    result = import_enterprises(actor=branch, path=write_xlsx(tmp_path / "n.xlsx", [row], headers=headers))
    assert result.errors == [] and Enterprise.objects.get(uscc=row["统一社会信用代码"]).industry_id == "2221"


def test_notices_reach_the_job_page_and_the_command(tmp_path, world, login):
    import io

    from django.core.management import call_command
    from django.urls import reverse

    from .test_excel_jobs import import_job

    row = valid_row(**{CODE: None, NAME: "乳粉制造"})
    job = import_job(world.users[Role.BRANCH_STAFF], write_xlsx(tmp_path / "j.xlsx", [row]))
    assert job.result["notices"] == [{"row": 2, "column": "L", "header": NAME,
                                      "message": "按行业名称“乳粉制造”填入GB/T 4754-2017行业代码1442"}]
    html = login(world.users[Role.BRANCH_STAFF]).get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert "提示（不影响导入）" in html and "按行业名称“乳粉制造”填入GB/T 4754-2017行业代码1442" in html
    out = io.StringIO()
    call_command("import-enterprises", str(write_xlsx(tmp_path / "c.xlsx", [valid_row(**{CODE: "17", NAME: None})])),
                 stdout=out)
    assert out.getvalue().splitlines()[0].startswith("提示：第2行 K列（所属行业代码）：所属行业代码“17”是大类（纺织业）")


def test_enrolling_an_enterprise_with_a_coarse_code_shows_the_warning(world, login):
    from django.urls import reverse

    from cpaudit.campaigns.models import Enrolment
    from tests.factories import make_enterprise

    enterprise = make_enterprise("130602", industry="17", name="纺织大类企业有限公司")
    client = login(world.users[Role.BRANCH_STAFF])
    response = client.post(reverse("campaigns:enrolment_create", args=[world.campaign.slug]), {
        "enterprise": enterprise.pk, "audit_round": 1, "mode": "self", "enterprise_type": "other",
        "start_date": "2020-04-01"},
        follow=True)
    enrolment = Enrolment.objects.get(enterprise=enterprise)
    html = response.content.decode()
    assert "纺织大类企业有限公司：所属行业代码“17”是大类（纺织业），涉及六行业中的印染、纺织" in html
    from cpaudit.core.models import ActionLog

    entry = ActionLog.objects.get(action="campaigns.enrolment.created", object_id=str(enrolment.pk))
    assert "核定是否属于审核范围需要4位小类代码" in entry.data["industry_level_warning"]
