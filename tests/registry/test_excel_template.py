import io

from openpyxl import load_workbook

from cpaudit.registry.excel.columns import COLUMNS, HEADERS
from cpaudit.registry.excel.importer import import_enterprises
from cpaudit.registry.excel.template import build_template

from .test_excel_support import TEMPLATE_HEADERS


def _workbook():
    return load_workbook(io.BytesIO(build_template()))


def test_template_headers_exactly_as_the_issue_lists_them():
    ws = _workbook()["企业名录"]
    assert [c.value for c in ws[1]] == TEMPLATE_HEADERS
    assert list(HEADERS) == TEMPLATE_HEADERS
    assert ws.max_row == 1  # no sample row that could be imported by mistake


def test_template_header_is_frozen_and_columns_sized():
    ws = _workbook()["企业名录"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width >= 30  # 企业名称
    assert ws.column_dimensions["B"].width >= 20  # 统一社会信用代码
    assert ws.column_dimensions["B"].number_format == "@"  # codes stay text
    assert ws["A1"].font.b


def test_template_offers_lists_for_level_and_yes_no():
    ws = _workbook()["企业名录"]
    formulas = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert formulas == {"R2": '"省管,市管,其他"', "S2": '"是,否"', "T2": '"是,否"'}


def test_help_sheet_explains_every_column_and_the_allowed_values():
    wb = _workbook()
    assert wb.sheetnames == ["企业名录", "填写说明"]
    text = "\n".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    for column in COLUMNS:
        assert column.header in text
    words = ("省管", "市管", "其他", "“是”或“否”", "GB 32100", "GB/T 4754", "6位", "辖区", "不导入任何数据")
    for word in words:
        assert word in text
    rows = {r[1]: r for r in wb["填写说明"].iter_rows(values_only=True) if r and len(r) > 3}
    assert rows["企业名称"][0] == "A" and rows["已核对营业执照"][0] == "T"
    assert rows["企业名称"][2] == "是" and rows["联系人"][2] == "否"


def test_blank_template_imports_as_no_data(tmp_path, world, system_actor):
    path = tmp_path / "template.xlsx"
    path.write_bytes(build_template())
    result = import_enterprises(actor=system_actor, path=path)
    assert [e.message[:6] for e in result.errors] == ["没有企业数据"]
