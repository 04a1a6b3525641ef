import datetime as dt
import decimal
import hashlib
import zipfile

import pytest

from cpaudit.campaigns.models import Enrolment
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.registry.excel import importer, writing
from cpaudit.registry.excel.importer import ImportResult, RowError, import_enterprises
from cpaudit.registry.models import Enterprise
from tests.factories import make_campaign, make_enterprise, make_uscc

from .test_excel_support import TEMPLATE_HEADERS, sample_codes, valid_row, with_check, write_xlsx

D = decimal.Decimal
USCC, CHECKED = "统一社会信用代码", "已核对营业执照"
COUNTY, COUNTY_NAME = "所在县（市、区）代码", "所在县（市、区）"


@pytest.fixture
def branch(world):
    return world.users[Role.BRANCH_STAFF]


def state():
    """Everything an import may change."""
    return (list(Enterprise.objects.order_by("pk").values()), list(Enrolment.objects.order_by("pk").values()),
            ActionLog.objects.count())


def run(tmp_path, actor, rows, name="in.xlsx", **kwargs) -> ImportResult:
    return import_enterprises(actor=actor, path=write_xlsx(tmp_path / name, rows), **kwargs)


# --------------------------------------------------------------------------- creating and updating

def test_import_creates_enterprise_with_every_column(tmp_path, branch):
    code = make_uscc(prefix="91130602")
    result = run(tmp_path, branch, [valid_row(**{USCC: code})])
    assert (result.created, result.updated, result.unchanged, result.errors) == (1, 0, 0, [])
    e = Enterprise.objects.get(uscc=code)
    assert (e.name, e.county_id, e.address, e.postcode, e.legal_representative) == (
        "保定导入测试纸业有限公司", "130602", "保定市竞秀区测试路1号", "071000", "李四")
    assert (e.contact_person, e.contact_phone, e.nature, e.industry_id, e.main_products) == (
        "王五", "0312-1234567", "有限责任公司", "2221", "瓦楞原纸")
    assert (e.registered_capital, e.main_business_revenue, e.annual_output_value, e.annual_sales) == (
        D("500"), D("1234.50"), D("1500.25"), D("1200"))
    assert (e.management_level, e.water_related, e.uscc_check_accepted) == ("municipal", True, False)


def test_import_logs_each_enterprise_and_a_summary_with_the_file_digest(tmp_path, branch):
    path = write_xlsx(tmp_path / "in.xlsx", [valid_row(), valid_row()])
    before = ActionLog.objects.count()
    import_enterprises(actor=branch, path=path)
    entries = list(ActionLog.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in entries] == ["registry.enterprise.created"] * 2 + ["registry.import.completed"]
    assert entries[0].changes["county_id"] == [None, "130602"]
    summary = entries[-1]
    assert summary.data["sm3"] == hashlib.new("sm3", path.read_bytes()).hexdigest()
    assert (summary.data["created"], summary.data["rows"], summary.data["logged_each"]) == (2, 2, True)
    assert summary.actor_name == "bstaff"


def test_above_the_limit_only_the_summary_is_logged(tmp_path, branch, monkeypatch):
    monkeypatch.setattr(writing, "LOG_EACH_LIMIT", 1)
    before = ActionLog.objects.count()
    result = run(tmp_path, branch, [valid_row(), valid_row()])
    assert result.created == 2
    entries = list(ActionLog.objects.filter(seq__gt=before))
    assert [e.action for e in entries] == ["registry.import.completed"]
    assert entries[0].data["logged_each"] is False


def test_update_changes_only_what_differs_and_logs_the_difference(tmp_path, world, branch):
    own = world.enterprises["own"]
    old_address = own.address
    row = valid_row(**{USCC: own.uscc, "企业名称": own.name, "企业所在地/地址": "新地址88号"})
    before = ActionLog.objects.count()
    result = run(tmp_path, branch, [row])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    own.refresh_from_db()
    assert own.address == "新地址88号" and own.industry_id == "2221"
    entry = ActionLog.objects.filter(seq__gt=before, action="registry.enterprise.updated").get()
    assert entry.changes["address"] == [old_address, "新地址88号"]
    assert entry.changes["industry_id"] == ["1511", "2221"]
    assert "name" not in entry.changes and "uscc" not in entry.changes
    assert entry.object_id == str(own.pk)


def test_update_writes_every_kind_of_field_exactly(tmp_path, world):
    city = world.users[Role.CITY_STAFF]
    own = world.enterprises["own"]
    stamp = own.updated_at
    row = valid_row(**{USCC: own.uscc, COUNTY: "130606", COUNTY_NAME: "",
                       "邮编": "", "注册资本（万元）": "0.01", "主营业务收入（万元）": None,
                       "年产值（万元）": "999,999,999,999.99", "管理级别": "省管", "涉水企业": "否"})
    assert run(tmp_path, city, [row]).updated == 1
    own.refresh_from_db()
    assert (own.county_id, own.industry_id, own.postcode, own.management_level, own.water_related) == (
        "130606", "2221", "", "provincial", False)
    assert (own.registered_capital, own.main_business_revenue, own.annual_output_value) == (
        D("0.01"), None, D("999999999999.99"))
    assert own.updated_at > stamp
    again = run(tmp_path, city, [row], name="again.xlsx")
    assert (again.updated, again.unchanged) == (0, 1)


def test_reimporting_the_same_file_changes_nothing(tmp_path, branch):
    path = write_xlsx(tmp_path / "in.xlsx", [valid_row(), valid_row(), valid_row()])
    assert import_enterprises(actor=branch, path=path).created == 3
    stamps = dict(Enterprise.objects.values_list("pk", "updated_at"))
    logs = ActionLog.objects.count()
    again = import_enterprises(actor=branch, path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert dict(Enterprise.objects.values_list("pk", "updated_at")) == stamps
    assert list(ActionLog.objects.filter(seq__gt=logs).values_list("action", flat=True)) == [
        "registry.import.completed"]


def _after_planning(monkeypatch, action):
    """Run `action` between validation and writing, as another user's request would."""
    plan = importer._plan

    def wrapped(*args, **kwargs):
        result = plan(*args, **kwargs)
        action()
        return result

    monkeypatch.setattr(importer, "_plan", wrapped)


def test_update_writes_only_each_rows_changed_fields(tmp_path, world, branch, monkeypatch):
    own, same = world.enterprises["own"], world.enterprises["same_county"]
    rows = [valid_row(**{USCC: own.uscc, "企业名称": "甲新名"}),
            valid_row(**{USCC: same.uscc, "企业名称": same.name, "联系电话": "0312-1111111"})]
    import_enterprises(actor=branch, path=write_xlsx(tmp_path / "first.xlsx", rows))
    rows[0]["企业名称"], rows[1]["联系电话"] = "甲再改名", "0312-2222222"
    # Meanwhile someone corrects own's phone: the import does not change that field of that row.
    def correct_phone():
        Enterprise.objects.filter(pk=own.pk).update(contact_phone="13900000000")

    _after_planning(monkeypatch, correct_phone)
    result = import_enterprises(actor=branch, path=write_xlsx(tmp_path / "second.xlsx", rows))
    assert result.updated == 2
    own.refresh_from_db()
    assert (own.name, own.contact_phone) == ("甲再改名", "13900000000")


def test_code_registered_meanwhile_imports_nothing(tmp_path, world, branch, monkeypatch):
    code = make_uscc(prefix="91130602")
    _after_planning(monkeypatch, lambda: make_enterprise("130602", uscc=code))
    logs, count = ActionLog.objects.count(), Enterprise.objects.count()
    result = run(tmp_path, branch, [valid_row(), valid_row(**{USCC: code})])
    assert [e.row for e in result.errors] == [0] and "请重新导入" in result.errors[0].message
    assert (result.created, ActionLog.objects.count(), Enterprise.objects.count()) == (0, logs, count + 1)


def test_columns_absent_from_the_file_are_left_alone(tmp_path, world, branch):
    own = world.enterprises["own"]
    Enterprise.objects.filter(pk=own.pk).update(contact_phone="13800000000", annual_sales=D("7"))
    headers = [USCC, "企业名称", COUNTY, "企业所在地/地址", "法定代表人", "所属行业代码"]
    path = write_xlsx(tmp_path / "few.xlsx", [[own.uscc, own.name, "130602", "改过的地址", "张三", "1511"]],
                      headers=headers)
    result = import_enterprises(actor=branch, path=path)
    assert result.updated == 1
    own.refresh_from_db()
    assert (own.address, own.contact_phone, own.annual_sales) == ("改过的地址", "13800000000", D("7"))


# --------------------------------------------------------------------------- lenient reading

def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_messy_codes_are_normalized(tmp_path, branch):
    code = with_check("Y1130602MA01ABCD0")  # 其他登记管理部门 codes start with letters
    messy = " " + _fullwidth(code[:6].lower()) + "-" + code[6:] + "　"
    result = run(tmp_path, branch, [valid_row(**{USCC: messy, COUNTY: "１３０６０２",
                                                 "所属行业代码": " ２２２１ ", "邮编": 71000})])
    assert result.errors == []
    e = Enterprise.objects.get(uscc=code)
    assert (e.county_id, e.industry_id, e.postcode) == ("130602", "2221", "071000")


@pytest.mark.parametrize("sample", [s for s in sample_codes() if s["computed_gb32100_check"] == "ok"][:8],
                         ids=lambda s: s["uscc"])
def test_real_world_valid_codes_are_accepted(tmp_path, branch, sample):
    result = run(tmp_path, branch, [valid_row(**{USCC: sample["uscc"]})])
    assert result.errors == [] and Enterprise.objects.filter(uscc=sample["uscc"]).exists()


def test_letter_leading_code_with_correct_check_is_accepted(tmp_path, branch):
    code = "A1110000600037341K"  # stdnum's "invalid" sample, legal under GB 32100 with its right check
    assert run(tmp_path, branch, [valid_row(**{USCC: code})]).created == 1


@pytest.mark.parametrize("text,expected", [
    (1234, D("1234")), (12.5, D("12.5")), ("1,234,567.89", D("1234567.89")), ("１２３．４", D("123.4")),
    ("  88 ", D("88")), (None, None), ("", None), (0, D("0")),
])
def test_numbers(tmp_path, branch, text, expected):
    code = make_uscc(prefix="91130602")
    assert run(tmp_path, branch, [valid_row(**{USCC: code, "年产值（万元）": text})]).errors == []
    assert Enterprise.objects.get(uscc=code).annual_output_value == expected


@pytest.mark.parametrize("cell,expected", [
    ("是", True), ("否", False), (1, True), (0, False), ("Y", True), ("n", False), ("True", True),
    ("FALSE", False), (True, True), (None, True), ("", True),
])
def test_booleans(tmp_path, branch, cell, expected):
    code = make_uscc(prefix="91130602")
    assert run(tmp_path, branch, [valid_row(**{USCC: code, "涉水企业": cell})]).errors == []
    assert Enterprise.objects.get(uscc=code).water_related is expected


def test_empty_level_and_check_flag_take_their_defaults(tmp_path, branch):
    code = make_uscc(prefix="91130602")
    run(tmp_path, branch, [valid_row(**{USCC: code, "管理级别": None, CHECKED: None})])
    e = Enterprise.objects.get(uscc=code)
    assert (e.management_level, e.uscc_check_accepted) == ("other", False)


def test_county_resolved_by_name_when_code_is_empty(tmp_path, branch):
    code = make_uscc(prefix="91130602")
    result = run(tmp_path, branch, [valid_row(**{USCC: code, COUNTY: None})])
    assert result.errors == [] and Enterprise.objects.get(uscc=code).county_id == "130602"


def test_county_code_wins_over_name(tmp_path, branch):
    code = make_uscc(prefix="91130602")
    result = run(tmp_path, branch, [valid_row(**{USCC: code, COUNTY_NAME: "莲池区"})])
    assert result.errors == [] and Enterprise.objects.get(uscc=code).county_id == "130602"


def test_ambiguous_county_name_is_an_error(tmp_path, world, system_actor):
    result = run(tmp_path, system_actor, [valid_row(**{COUNTY: "", COUNTY_NAME: "朝阳区"})])
    assert [(e.row, e.column, e.header) for e in result.errors] == [(2, "D", "所在县（市、区）")]
    assert "多个" in result.errors[0].message and "110105" in result.errors[0].message


def test_county_name_only_needs_to_be_unique_within_the_jurisdiction(tmp_path, world):
    # 长安区 exists in 石家庄 and 西安; the 长安区 branch has only one.
    from tests.factories import make_user

    user = make_user("sjzstaff", Role.BRANCH_STAFF, agency=world.branch_sjz)
    code = make_uscc(prefix="91130102")
    result = run(tmp_path, user, [valid_row(**{USCC: code, COUNTY: None,
                                               COUNTY_NAME: "长安区"})])
    assert result.errors == [] and Enterprise.objects.get(uscc=code).county_id == "130102"


def test_formula_quote_is_removed_only_before_a_formula(tmp_path, branch):
    a, b, c = (make_uscc(prefix="91130602") for _ in range(3))
    result = run(tmp_path, branch, [
        valid_row(**{USCC: a, "企业名称": "'=HYPERLINK(\"http://x\")"}),
        valid_row(**{USCC: b, "企业名称": "'普通名称", "联系电话": "'+86 312 1234567"}),
        valid_row(**{USCC: c, "企业名称": "'@SUM(A1)"}),
    ])
    assert result.errors == []
    names = dict(Enterprise.objects.filter(uscc__in=[a, b, c]).values_list("uscc", "name"))
    assert names == {a: "=HYPERLINK(\"http://x\")", b: "'普通名称", c: "@SUM(A1)"}
    assert Enterprise.objects.get(uscc=b).contact_phone == "+86 312 1234567"


def test_title_rows_above_the_header_and_blank_rows_are_tolerated(tmp_path, branch):
    rows = [valid_row(), [None] * 20, ["  "] * 3, valid_row(**{"邮编": "bad"})]
    path = write_xlsx(tmp_path / "t.xlsx", rows,
                      title_rows=[["2024年企业名录"], []])
    result = import_enterprises(actor=branch, path=path)
    assert result.rows == 2
    assert [(e.row, e.column) for e in result.errors] == [(7, "F")]


def test_columns_may_come_in_any_order_and_headers_loosely_spelled(tmp_path, branch):
    code = make_uscc(prefix="91130602")
    row = valid_row(**{USCC: code, "年产值（万元）": "x"})
    headers = list(reversed(TEMPLATE_HEADERS))
    spelled = [h.replace("（", "(").replace("）", ")") if "代码" in h else h for h in headers]
    spelled = ["序号"] + [" *" + h if h == "企业名称" else h for h in spelled]
    path = write_xlsx(tmp_path / "r.xlsx", [[1] + [row[h] for h in headers]], headers=spelled)
    result = import_enterprises(actor=branch, path=path)
    # 年产值 is the 15th of 20 columns: 6th when reversed, 7th (G) behind 序号.
    assert [(e.row, e.column, e.header) for e in result.errors] == [(2, "G", "年产值（万元）")]


# --------------------------------------------------------------------------- errors

ERROR_CASES = [
    ({USCC: "12345"}, "B", "统一社会信用代码", "统一社会信用代码应为18位，实际为5位"),
    ({USCC: "9111000060003IOZSV"}, "B", "统一社会信用代码", "第14位字符“I”不在GB 32100-2015字符集中"),
    ({USCC: "91350211M00013FA1N"}, "B", "统一社会信用代码", "校验码错误：第18位应为“3”，实际为“N”"),
    ({USCC: "91350211M00013FA1Z"}, "B", "统一社会信用代码", "校验码错误：第18位应为“3”，实际为“Z”"),
    ({USCC: ""}, "B", "统一社会信用代码", "统一社会信用代码不能为空"),
    ({USCC: 9.131000060739337e17}, "B", "统一社会信用代码", "存成了数字"),
    ({"所属行业代码": "9999"}, "K", "所属行业代码", "行业代码“9999”不存在"),
    ({"所属行业代码": 113}, "K", "所属行业代码", "如应为“0113”"),  # 0113 玉米种植 typed as a number
    ({"所属行业代码": None, "所属行业": None}, "K", "所属行业代码", "所属行业代码不能为空"),
    ({"所属行业代码": None, "所属行业": "乳制品制造"}, "L", "所属行业", "1441 液体乳制造"),
    ({"所属行业代码": "乳制品制造"}, "K", "所属行业代码", "2017版将该类细分"),
    ({"所属行业代码": "1440"}, "K", "所属行业代码", "“1440”不是GB/T 4754-2017代码"),
    ({COUNTY: "130606"}, "C", "所在县（市、区）代码", "“莲池区”（130606）不在您的辖区内"),
    ({COUNTY: "130600"}, "C", "所在县（市、区）代码", "不是县级行政区划"),
    ({COUNTY: "139999"}, "C", "所在县（市、区）代码", "行政区划代码“139999”不存在"),
    ({COUNTY: None, COUNTY_NAME: None}, "C", "所在县（市、区）代码", "不能为空"),
    ({COUNTY: None, COUNTY_NAME: "莲池区"}, "D", "所在县（市、区）", "“莲池区”不在您的辖区内"),
    ({COUNTY: None, COUNTY_NAME: "火星区"}, "D", "所在县（市、区）", "“火星区”不是GB/T 2260行政区划"),
    ({COUNTY: "保定高新区"}, "C", "所在县（市、区）代码", "可在“区划别名”中将其对应到所属县（区）"),
    ({COUNTY: None, COUNTY_NAME: "河北省"}, "D", "所在县（市、区）", "“河北省”是省级行政区划"),
    ({"注册资本（万元）": -1}, "M", "注册资本（万元）", "不能为负数"),
    ({"主营业务收入（万元）": "-5"}, "N", "主营业务收入（万元）", "不能为负数"),
    ({"年产值（万元）": "一百万"}, "O", "年产值（万元）", "不是数字"),
    ({"年销售额（万元）": "1,23"}, "P", "年销售额（万元）", "千位分隔符"),
    ({"年销售额（万元）": "1.234"}, "P", "年销售额（万元）", "最多保留两位小数"),
    ({"年销售额（万元）": "1e13"}, "P", "年销售额（万元）", "数值过大"),
    ({"企业名称": ""}, "A", "企业名称", "企业名称不能为空"),
    ({"企业名称": "名" * 201}, "A", "企业名称", "不能超过200个字符"),
    ({"企业所在地/地址": "   "}, "E", "企业所在地/地址", "企业所在地/地址不能为空"),
    ({"法定代表人": None}, "G", "法定代表人", "法定代表人不能为空"),
    ({"邮编": "07100A"}, "F", "邮编", "邮编应为6位数字"),
    ({"邮编": "0710001"}, "F", "邮编", "邮编应为6位数字"),
    ({"管理级别": "县管"}, "R", "管理级别", "应填“省管”“市管”或“其他”"),
    ({"涉水企业": "可能"}, "S", "涉水企业", "应填“是”或“否”"),
    ({CHECKED: "2"}, "T", "已核对营业执照", "应填“是”或“否”"),
]


@pytest.mark.parametrize("overrides,column,header,message", ERROR_CASES, ids=[c[3][:12] for c in ERROR_CASES])
def test_each_kind_of_error_names_row_and_column(tmp_path, branch, overrides, column, header, message):
    before = state()
    result = run(tmp_path, branch, [valid_row(), valid_row(**overrides)])
    assert [(e.row, e.column, e.header) for e in result.errors] == [(3, column, header)]
    assert message in result.errors[0].message
    assert str(result.errors[0]).startswith(f"第3行 {column}列（{header}）：")
    assert (result.created, result.updated) == (0, 0)
    assert state() == before


def test_error_string_matches_the_issue_format(tmp_path, branch):
    result = run(tmp_path, branch, [valid_row(**{USCC: "91350211M00013FA1Z"})])
    expected = "第2行 B列（统一社会信用代码）：校验码错误：第18位应为“3”，实际为“Z”"
    assert str(result.errors[0]).startswith(expected)


def test_every_error_of_the_file_is_reported_in_order(tmp_path, branch, world):
    rows = [valid_row(**{USCC: "12345", "邮编": "1"}),
            valid_row(**{USCC: world.enterprises["other_county"].uscc}),
            valid_row(**{"所属行业代码": "0000", "涉水企业": "?", "法定代表人": ""})]
    result = run(tmp_path, branch, rows)
    assert [(e.row, e.column) for e in result.errors] == [(2, "B"), (2, "F"), (3, "B"), (4, "G"), (4, "K"),
                                                           (4, "S")]


def test_one_bad_cell_imports_nothing(tmp_path, branch, world):
    own = world.enterprises["own"]
    rows = [valid_row(), valid_row(**{USCC: own.uscc, "企业名称": "改名"}),
            valid_row(**{"年产值（万元）": "abc"})]
    before = state()
    result = run(tmp_path, branch, rows)
    assert [str(e) for e in result.errors] == [
        "第4行 O列（年产值（万元））：“abc”不是数字（单位：万元，只填数值）"]
    assert state() == before


def test_duplicate_code_in_file_is_an_error_on_the_later_row(tmp_path, branch):
    code = make_uscc(prefix="91130602")
    spaced = code[:9] + " " + code[9:]
    result = run(tmp_path, branch, [valid_row(**{USCC: code}), valid_row(),
                                    valid_row(**{USCC: spaced})])
    assert [(e.row, e.column) for e in result.errors] == [(4, "B")]
    assert "与第2行的统一社会信用代码重复" in result.errors[0].message
    assert not Enterprise.objects.filter(uscc=code).exists()


def test_bad_check_character_accepted_when_licence_checked(tmp_path, branch):
    code = "913101167800233824"  # published on a government platform; its check character is wrong
    refused = run(tmp_path, branch, [valid_row(**{USCC: code})])
    assert "校验码错误：第18位应为“U”" in refused.errors[0].message
    assert "“已核对营业执照”列填“是”" in refused.errors[0].message
    before = ActionLog.objects.count()
    result = run(tmp_path, branch, [valid_row(**{USCC: code, CHECKED: "是"})], name="ok.xlsx")
    assert result.errors == []
    e = Enterprise.objects.get(uscc=code)
    assert e.uscc_check_accepted is True
    entry = ActionLog.objects.get(seq__gt=before, action="registry.enterprise.created", object_id=str(e.pk))
    assert entry.data["uscc_check_accepted"] is True and "应为“U”" in entry.data["uscc_check_failure"]


def test_accepted_check_does_not_excuse_other_faults(tmp_path, branch):
    result = run(tmp_path, branch, [valid_row(**{USCC: "9111000060003IOZSV", CHECKED: "是"})])
    assert len(result.errors) == 1 and "字符集" in result.errors[0].message
    assert "已核对营业执照”列填" not in result.errors[0].message


def test_valid_code_marked_checked_is_stored_as_not_needing_acceptance(tmp_path, branch):
    code = make_uscc(prefix="91130602")
    run(tmp_path, branch, [valid_row(**{USCC: code, CHECKED: "是"})])
    assert Enterprise.objects.get(uscc=code).uscc_check_accepted is False


def test_stored_acceptance_is_kept_when_the_file_has_no_such_column(tmp_path, world, branch):
    code = "91310110666007217U"
    e = make_enterprise("130602", uscc=code, uscc_check_accepted=True)
    headers = [h for h in TEMPLATE_HEADERS if h != "已核对营业执照"]
    row = valid_row(**{USCC: code, "企业名称": e.name})
    result = import_enterprises(actor=branch, path=write_xlsx(tmp_path / "n.xlsx", [row], headers=headers))
    assert result.errors == [] and result.updated == 1


# --------------------------------------------------------------------------- jurisdiction and rights

def test_branch_staff_cannot_import_into_another_county(tmp_path, branch):
    before = state()
    result = run(tmp_path, branch, [valid_row(**{COUNTY: "130606", COUNTY_NAME: "莲池区"})])
    assert [(e.column, e.header) for e in result.errors] == [("C", "所在县（市、区）代码")]
    assert "不在您的辖区内" in result.errors[0].message
    assert state() == before


def test_branch_staff_cannot_update_an_enterprise_of_another_county(tmp_path, world, branch):
    other = world.enterprises["other_county"]
    before = state()
    result = run(tmp_path, branch, [valid_row(**{USCC: other.uscc})])
    assert [(e.row, e.column) for e in result.errors] == [(2, "B")]
    assert "辖区以外" in result.errors[0].message and other.name not in result.errors[0].message
    assert state() == before


def test_city_staff_imports_within_the_supervised_counties_only(tmp_path, world):
    city = world.users[Role.CITY_STAFF]
    ok = run(tmp_path, city, [valid_row(**{COUNTY: "130606"})])
    assert ok.created == 1
    refused = run(tmp_path, city, [valid_row(**{COUNTY: "130682"})], name="dz.xlsx")
    assert "不在您的辖区内" in refused.errors[0].message


@pytest.mark.parametrize("role", [Role.PROVINCE_STAFF, Role.BRANCH_LEADER, Role.ENTERPRISE,
                                  Role.SYSTEM_ADMIN])
def test_roles_without_the_import_right_are_refused(tmp_path, world, role):
    with pytest.raises(PermissionDenied):
        run(tmp_path, world.users[role], [valid_row()])
    assert not Enterprise.objects.filter(name="保定导入测试纸业有限公司").exists()


def test_system_actor_imports_anywhere(tmp_path, system_actor, world):
    result = run(tmp_path, system_actor, [valid_row(**{COUNTY: "110105"}),
                                          valid_row(**{USCC: world.enterprises["other_city"].uscc})])
    assert (result.created, result.updated) == (1, 1)


# --------------------------------------------------------------------------- dry run and campaigns

def test_dry_run_reports_and_changes_nothing(tmp_path, world, branch):
    own, same = world.enterprises["own"], world.enterprises["same_county"]
    as_stored = {USCC: same.uscc, "企业名称": same.name, "企业所在地/地址": same.address, "邮编": "",
                 "联系人": "", "联系电话": "", "企业性质": "", "所属行业代码": "1511",
                 "注册资本（万元）": None, "主营业务收入（万元）": None, "年产值（万元）": None,
                 "年销售额（万元）": None, "主要产品": "", "管理级别": "其他", "法定代表人": "张三"}
    rows = [valid_row(), valid_row(**{USCC: own.uscc, "企业名称": "新名称"}), valid_row(**as_stored)]
    before = state()
    result = run(tmp_path, branch, rows, dry_run=True)
    assert (result.created, result.updated, result.unchanged, result.dry_run) == (1, 1, 1, True)
    assert state() == before


def test_campaign_enrols_every_imported_enterprise(tmp_path, world, branch):
    campaign = make_campaign("c2021", 2021)
    own = world.enterprises["own"]
    Enrolment.objects.create(campaign=campaign, enterprise=world.enterprises["same_county"])
    rows = [valid_row(), valid_row(**{USCC: own.uscc}),
            valid_row(**{USCC: world.enterprises["same_county"].uscc})]
    before = ActionLog.objects.count()
    result = run(tmp_path, branch, rows, campaign_slug="c2021")
    assert result.enrolled == 2
    enrolled = set(Enrolment.objects.filter(campaign=campaign).values_list("enterprise__uscc", flat=True))
    assert enrolled == {r["统一社会信用代码"] for r in rows}
    new = Enrolment.objects.get(campaign=campaign, enterprise=own)
    assert (new.mode, new.audit_round, new.consulting_agency_id) == ("self", 1, None)
    logged = ActionLog.objects.filter(seq__gt=before, action="campaigns.enrolment.created")
    assert logged.count() == 2 and all(e.data["campaign"] == "c2021" for e in logged)
    assert ActionLog.objects.get(seq__gt=before, action="registry.import.completed").data["enrolled"] == 2


def test_campaign_dry_run_counts_but_enrols_nobody(tmp_path, world, branch):
    campaign = make_campaign("c2021", 2021)
    result = run(tmp_path, branch, [valid_row()], campaign_slug="c2021", dry_run=True)
    assert result.enrolled == 1 and not Enrolment.objects.filter(campaign=campaign).exists()


def test_closed_or_unknown_campaign_is_refused_before_anything_is_read(tmp_path, world, branch):
    make_campaign("old", 2019, status="closed")
    before = state()
    with pytest.raises(InvalidState, match="已结束"):
        run(tmp_path, branch, [valid_row()], campaign_slug="old")
    with pytest.raises(InvalidState, match="不存在"):
        run(tmp_path, branch, [valid_row()], campaign_slug="nope")
    assert state() == before


# --------------------------------------------------------------------------- files and headers

def test_not_an_xlsx_file(tmp_path, branch):
    path = tmp_path / "list.csv"
    path.write_text("企业名称,统一社会信用代码\n甲,91130602MA0000000X\n", encoding="utf-8")
    result = import_enterprises(actor=branch, path=path)
    assert [e.row for e in result.errors] == [0]
    assert "不是Excel工作簿（.xlsx）" in str(result.errors[0])


def test_old_xls_file_gets_its_own_message(tmp_path, branch):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    assert "旧版Excel（.xls）" in import_enterprises(actor=branch, path=path).errors[0].message


def test_damaged_xlsx(tmp_path, branch):
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    assert "已损坏" in import_enterprises(actor=branch, path=path).errors[0].message


def test_missing_file(tmp_path, branch):
    assert "文件不存在" in import_enterprises(actor=branch, path=tmp_path / "none.xlsx").errors[0].message


def test_empty_sheet_and_header_only(tmp_path, branch):
    empty = write_xlsx(tmp_path / "e.xlsx", [], headers=[])
    assert "文件是空的" in import_enterprises(actor=branch, path=empty).errors[0].message
    header_only = write_xlsx(tmp_path / "h.xlsx", [])
    errors = import_enterprises(actor=branch, path=header_only).errors
    assert [(e.row, e.message[:6]) for e in errors] == [(2, "没有企业数据")]


def test_missing_required_header_names_the_column(tmp_path, branch):
    headers = [h for h in TEMPLATE_HEADERS if h not in ("法定代表人", "所属行业代码", "所属行业")]
    path = write_xlsx(tmp_path / "m.xlsx", [valid_row()], headers=headers)
    errors = import_enterprises(actor=branch, path=path).errors
    assert [str(e) for e in errors] == ["第1行（法定代表人）：缺少必填列“法定代表人”",
                                        "第1行（所属行业代码）：缺少必填列“所属行业代码”（或“所属行业”）"]


def test_missing_both_county_columns(tmp_path, branch):
    headers = [h for h in TEMPLATE_HEADERS if not h.startswith("所在县")]
    path = write_xlsx(tmp_path / "c.xlsx", [valid_row()], headers)
    errors = import_enterprises(actor=branch, path=path).errors
    assert [e.header for e in errors] == ["所在县（市、区）代码"] and "缺少必填列" in errors[0].message


def test_file_without_a_header_row(tmp_path, branch):
    path = write_xlsx(tmp_path / "n.xlsx", [list(valid_row().values())], headers=["甲", "乙"])
    errors = import_enterprises(actor=branch, path=path).errors
    assert "第1行（统一社会信用代码）：缺少必填列“统一社会信用代码”" in [str(e) for e in errors]


def test_unknown_and_duplicate_headers_name_their_column(tmp_path, branch):
    headers = TEMPLATE_HEADERS + ["电话号码", "联系人"]
    path = write_xlsx(tmp_path / "u.xlsx", [valid_row()], headers)
    errors = import_enterprises(actor=branch, path=path).errors
    assert [(e.row, e.column, e.header) for e in errors] == [(1, "U", "电话号码"), (1, "V", "联系人")]
    assert "无法识别的表头" in errors[0].message and "与H列相同" in errors[1].message


def test_header_problems_stop_before_rows_are_checked(tmp_path, branch):
    headers = TEMPLATE_HEADERS + ["电话号码"]
    path = write_xlsx(tmp_path / "u.xlsx", [valid_row(**{USCC: "bad"})], headers)
    assert [e.row for e in import_enterprises(actor=branch, path=path).errors] == [1]


def test_prefers_the_sheet_named_like_the_template(tmp_path, branch):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["随便写点什么"])
    ws = wb.create_sheet("企业名录")
    ws.append(TEMPLATE_HEADERS)
    ws.append(list(valid_row().values()))
    wb.save(tmp_path / "two.xlsx")
    assert import_enterprises(actor=branch, path=tmp_path / "two.xlsx").created == 1


def test_dates_in_text_cells_do_not_crash(tmp_path, branch):
    code = make_uscc(prefix="91130602")
    result = run(tmp_path, branch, [valid_row(**{USCC: code, "主要产品": dt.datetime(2024, 5, 1)})])
    assert result.errors == [] and Enterprise.objects.get(uscc=code).main_products == "2024-05-01"


def test_row_error_str_forms():
    assert str(RowError(12, "B", USCC, "校验码错误")) == "第12行 B列（统一社会信用代码）：校验码错误"
    assert str(RowError(1, "", "邮编", "缺少")) == "第1行（邮编）：缺少"
    assert str(RowError(0, "", "", "文件无法读取")) == "文件无法读取"
