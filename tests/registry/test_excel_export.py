import decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cpaudit.core.errors import PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.registry.excel.exporter import EnterpriseExporter, export_enterprises
from cpaudit.registry.excel.importer import import_enterprises
from cpaudit.registry.models import Enterprise
from tests.factories import make_enterprise

from .test_excel_support import TEMPLATE_HEADERS, read_xlsx, valid_row, write_xlsx

D = decimal.Decimal


def test_export_writes_the_template_columns(tmp_path, world, system_actor):
    e = make_enterprise("130602", industry="2221", postcode="071000", contact_phone="0312-7654321",
                        registered_capital=D("12.50"), management_level="provincial", water_related=False)
    count = export_enterprises(actor=system_actor, path=tmp_path / "out.xlsx")
    rows = read_xlsx(tmp_path / "out.xlsx")
    assert count == Enterprise.objects.count() == len(rows) - 1
    assert rows[0] == TEMPLATE_HEADERS
    row = dict(zip(TEMPLATE_HEADERS, next(r for r in rows if r[1] == e.uscc), strict=True))
    assert row["所在县（市、区）代码"] == "130602" and row["所在县（市、区）"] == "竞秀区"
    assert row["所属行业代码"] == "2221" and row["所属行业"] == "机制纸及纸板制造"
    assert row["邮编"] == "071000" and row["联系电话"] == "0312-7654321"
    assert row["注册资本（万元）"] == 12.5 and row["年产值（万元）"] is None
    assert (row["管理级别"], row["涉水企业"], row["已核对营业执照"]) == ("省管", "否", "否")


def test_exported_sheet_has_frozen_header(tmp_path, world, system_actor):
    export_enterprises(actor=system_actor, path=tmp_path / "out.xlsx")
    ws = load_workbook(tmp_path / "out.xlsx")["企业名录"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width >= 30


def test_exported_sheet_declares_its_size(tmp_path, world, system_actor):
    # Read-only readers otherwise parse the whole sheet once just to learn its size.
    count = export_enterprises(actor=system_actor, path=tmp_path / "out.xlsx")
    ws = load_workbook(tmp_path / "out.xlsx", read_only=True)["企业名录"]
    assert (ws.max_row, ws.max_column) == (count + 1, len(TEMPLATE_HEADERS))


def test_export_is_scoped_to_the_actor(tmp_path, world):
    count = export_enterprises(actor=world.users[Role.BRANCH_STAFF], path=tmp_path / "b.xlsx")
    codes = {r[1] for r in read_xlsx(tmp_path / "b.xlsx")[1:]}
    assert count == 2
    assert codes == {world.enterprises["own"].uscc, world.enterprises["same_county"].uscc}


def test_given_queryset_is_still_scoped(tmp_path, world):
    count = export_enterprises(actor=world.users[Role.BRANCH_STAFF], path=tmp_path / "b.xlsx",
                               queryset=Enterprise.objects.filter(county_id__in=["130602", "130606"]))
    assert count == 2


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.CONSULTANT, Role.EXPERT, Role.AUDIT_ADMIN])
def test_export_refused_without_the_right(tmp_path, world, role):
    with pytest.raises(PermissionDenied):
        export_enterprises(actor=world.users[role], path=tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_export_is_logged(tmp_path, world):
    before = ActionLog.objects.count()
    export_enterprises(actor=world.users[Role.CITY_STAFF], path=tmp_path / "c.xlsx")
    entry = ActionLog.objects.get(seq__gt=before)
    assert (entry.action, entry.data["rows"], entry.actor_name) == ("registry.export.completed", 3, "cstaff")


def test_export_runs_a_fixed_number_of_queries(tmp_path, world):
    user = world.users[Role.CITY_STAFF]

    def queries():
        user.__dict__.pop("_cpaudit_jurisdiction", None)
        with CaptureQueriesContext(connection) as ctx:
            export_enterprises(actor=user, path=tmp_path / "q.xlsx")
        return len(ctx.captured_queries)

    few = queries()
    for i in range(30):
        make_enterprise("130606" if i % 2 else "130602", industry="2221")
    assert queries() == few


def test_formulas_are_neutralized_and_the_round_trip_restores_them(tmp_path, world, system_actor):
    name = '=HYPERLINK("http://evil.example","点我")'
    e = make_enterprise("130602", name=name, contact_phone="+86 312 5555555", main_products="-油墨\t@颜料",
                        nature="'原本就有引号")
    export_enterprises(actor=system_actor, path=tmp_path / "f.xlsx")
    row = next(r for r in read_xlsx(tmp_path / "f.xlsx") if r[1] == e.uscc)
    assert row[0] == "'" + name
    assert row[8] == "'+86 312 5555555" and row[16] == "'-油墨\t@颜料"
    assert row[9] == "'原本就有引号"  # not a formula: left alone
    ws = load_workbook(tmp_path / "f.xlsx")["企业名录"]
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    result = import_enterprises(actor=system_actor, path=tmp_path / "f.xlsx")
    assert result.errors == [] and result.updated == 0
    e.refresh_from_db()
    assert (e.name, e.contact_phone, e.main_products, e.nature) == (
        name, "+86 312 5555555", "-油墨\t@颜料", "'原本就有引号")


def test_round_trip_changes_nothing(tmp_path, world, system_actor):
    make_enterprise("130602", industry="0113", postcode="071000", registered_capital=D("0.10"),
                    main_business_revenue=D("999999999999.99"), annual_sales=D("0"))
    make_enterprise("130606", uscc="913101167800233824", uscc_check_accepted=True)
    import_enterprises(actor=system_actor, path=write_xlsx(tmp_path / "seed.xlsx", [
        valid_row(**{"主营业务收入（万元）": "1,234.56", "年销售额（万元）": 0.1 + 0.2})]))
    stamps = dict(Enterprise.objects.values_list("pk", "updated_at"))
    values = list(Enterprise.objects.order_by("pk").values())
    export_enterprises(actor=system_actor, path=tmp_path / "all.xlsx")
    before = ActionLog.objects.count()
    result = import_enterprises(actor=system_actor, path=tmp_path / "all.xlsx")
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, Enterprise.objects.count())
    assert list(Enterprise.objects.order_by("pk").values()) == values
    assert dict(Enterprise.objects.values_list("pk", "updated_at")) == stamps
    assert list(ActionLog.objects.filter(seq__gt=before).values_list("action", flat=True)) == [
        "registry.import.completed"]


def test_branch_round_trip_of_its_own_export(tmp_path, world):
    user = world.users[Role.BRANCH_STAFF]
    export_enterprises(actor=user, path=tmp_path / "mine.xlsx")
    result = import_enterprises(actor=user, path=tmp_path / "mine.xlsx")
    assert (result.errors, result.unchanged) == ([], 2)


def test_exporter_rows_are_plain_lists_in_column_order(world):
    rows = list(EnterpriseExporter().rows(Enterprise.objects.filter(pk=world.enterprises["own"].pk)))
    assert len(rows) == 1 and len(rows[0]) == len(TEMPLATE_HEADERS) == len(EnterpriseExporter.headers)
    assert rows[0][:4] == ["自有测试企业有限公司", world.enterprises["own"].uscc, "130602", "竞秀区"]


def test_control_characters_do_not_break_the_export(tmp_path, world, system_actor):
    make_enterprise("130602", name="坏\x07字符有限公司")
    export_enterprises(actor=system_actor, path=tmp_path / "c.xlsx")
    assert "坏字符有限公司" in {r[0] for r in read_xlsx(tmp_path / "c.xlsx")}
