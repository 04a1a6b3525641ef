"""compare.compare on plain values (no database): the scope's criteria, 双超/双有, stalled and not
started enrolments, name matches that are not guessed, a pending exemption that stays listed."""

import datetime as dt

from cpaudit.coverage.compare import IN, OUT, UNDETERMINED, Company, Enrolled, Exempt, Scope, compare
from cpaudit.coverage.register import RegisterRow, norm_name

SCOPE = Scope(industries=frozenset({"2221", "1713"}), counties={"130602": True, "130624": False})


def company(pk, name, county="130602", industry="2221", water=True, uscc=None):
    return Company(pk, name, uscc or f"9113060200000000{pk:02d}", county, industry, water)


def test_verdicts():
    assert SCOPE.verdict(industry="2221", county="130602", water=True, double=None) == (IN, [])
    assert SCOPE.verdict(industry="2221", county="130624", water=True, double=None) == (OUT, ["所在县（区）不在流域范围内"])
    assert SCOPE.verdict(industry="2221", county="130100", water=True, double=None)[0] == OUT
    assert SCOPE.verdict(industry="3011", county="130602", water=True, double=None) == (OUT, ["行业不在本批次范围内"])
    assert SCOPE.verdict(industry="2221", county="130602", water=False, double=None) == (OUT, ["非涉水企业"])
    assert SCOPE.verdict(industry="2221", county="130602", water=None, double=None) == (UNDETERMINED, ["是否涉水未知"])
    assert SCOPE.verdict(industry="222", county="130602", water=True, double=None)[0] == UNDETERMINED  # 2222, 2223 outside
    assert SCOPE.verdict(industry="30", county="130602", water=True, double=None)[0] == OUT  # no class of 30 in scope
    double = Scope(SCOPE.industries, SCOPE.counties, double_only=True)
    assert double.verdict(industry="2221", county="130602", water=True, double=True) == (IN, [])
    assert double.verdict(industry="2221", county="130602", water=True, double=False)[0] == OUT
    assert double.verdict(industry="2221", county="130602", water=True, double=None) == (
        UNDETERMINED, ["未标明是否双超/双有"])


def test_progress_lists_and_pending_exemption():
    moved = dt.datetime(2020, 3, 1, 9, 0)
    enrolled = [Enrolled(1, company(1, "未启动有限公司"), 0, True, ""),
                Enrolled(2, company(2, "停滞有限公司"), 3, True, "", moved),
                Enrolled(3, company(3, "正常有限公司"), 4, False, "")]
    free = company(4, "待豁免有限公司")
    result = compare(SCOPE, [free, *(e.company for e in enrolled)], enrolled,
                     [Exempt(1, 4, free.uscc, free.name, False, "已关闭（待分局负责人审批）")])
    assert [i.name for i in result.not_started] == ["未启动有限公司"]
    assert [(i.name, i.detail) for i in result.stalled] == [("停滞有限公司", "已实施到第3阶段；最近进展：2020-03-01")]
    assert [(i.name, i.notes) for i in result.missing] == [("待豁免有限公司", ["已关闭（待分局负责人审批）"])]
    assert result.exempted == [] and result.out_of_scope == []


def test_a_name_shared_by_two_enterprises_is_not_guessed():
    twins = [company(1, "同名纸业有限公司"), company(2, "同名纸业有限公司", county="130624")]
    row = RegisterRow(row=2, name="同名纸业有限公司", industry="2221", county="130602", water=True)
    result = compare(SCOPE, twins, [], [], [row])
    assert [i.match for i in result.needs_person] == ["名称重复"]
    assert [i.source for i in result.missing] == ["平台名录"]  # the registry's own in-scope one, by itself


def test_names_are_normalized_for_matching():
    assert norm_name(" 保定（集团）纸业 有限公司 ") == norm_name("保定(集团)纸业有限公司")
    assert norm_name("ＡＢＣ纸业") == norm_name("abc纸业")
