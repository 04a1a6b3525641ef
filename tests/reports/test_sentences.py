"""The sentence rule: up to three names (sorted by name), 等N家企业 from three on, stage order."""

import pytest

from cpaudit.progress.steps import stages
from cpaudit.reports import content as C
from cpaudit.reports.models import MonthlyReport

from .conftest import D, enrol, step

STAGE4 = "方案的产生和筛选"


@pytest.mark.parametrize("names,expected", [
    ([], ""),
    (["甲企业"], "甲企业已实施到方案的产生和筛选阶段"),
    (["乙企业", "甲企业"], "乙企业、甲企业已实施到方案的产生和筛选阶段"),
    (["丙企业", "乙企业", "甲企业"], "丙企业、乙企业、甲企业等3家企业已实施到方案的产生和筛选阶段"),
    (["丁企业", "丙企业", "乙企业", "甲企业"], "丁企业、丙企业、乙企业等4家企业已实施到方案的产生和筛选阶段"),
])
def test_stage_sentence_by_count(names, expected):
    assert C.stage_sentence(names, STAGE4) == expected


def test_many_enterprises_name_the_first_three_by_name():
    names = [f"企业{n:03d}" for n in range(250, 0, -1)]
    assert C.stage_sentence(names, "审核") == "企业001、企业002、企业003等250家企业已实施到审核阶段"


def test_names_sorted_whatever_the_input_order():
    assert C.name_list(["B厂", "A厂", "C厂", "D厂"]) == C.name_list(["D厂", "C厂", "B厂", "A厂"]) == "A厂、B厂、C厂等4家企业"


@pytest.mark.parametrize("names,expected", [
    ([], ""),
    (["甲"], "甲尚未开始审核"),
    (["乙", "甲"], "乙、甲尚未开始审核"),
    (["丙", "乙", "甲"], "丙、乙、甲等3家企业尚未开始审核"),
    (["4", "3", "2", "1"], "1、2、3等4家企业尚未开始审核"),
])
def test_not_started_line(names, expected):
    assert C.not_started_line(names) == expected


def test_sentences_in_stage_order_and_only_stages_with_enterprises():
    by_stage = {7: ["七"], 2: ["二a", "二b"], 5: ["五1", "五2", "五3", "五4"]}
    assert C.sentences_for(by_stage) == [
        "二a、二b已实施到预审核阶段",
        "五1、五2、五3等4家企业已实施到可行性分析阶段",
        "七已实施到持续清洁生产阶段",
    ]


def test_table_has_every_stage_and_not_started():
    table = C.table_for({3: ["a", "b"]}, ["c"])
    assert table["headers"] == ["阶段", "企业数（家）"]
    assert [r[0] for r in table["rows"]] == [s.name for s in stages()] + ["尚未开始"]
    assert [r[1] for r in table["rows"]] == [0, 0, 2, 0, 0, 0, 0, 1] and table["total"] == 3


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 12])
def test_branch_content_per_stage_count(world, today, count):
    """With the world's two enrolments of 竞秀区 not started, `count` more reach stage 4."""
    for n in range(count):
        step(enrol(world, f"阶段四企业{n:02d}"), 16, D(2020, 5, 2))
    report = MonthlyReport(kind="branch", campaign=world.campaign, agency=world.branch_a, month=D(2020, 5, 1))
    content = C.build_branch(report, today())
    expected = {0: [], 1: ["阶段四企业00已实施到方案的产生和筛选阶段"],
                2: ["阶段四企业00、阶段四企业01已实施到方案的产生和筛选阶段"],
                3: ["阶段四企业00、阶段四企业01、阶段四企业02等3家企业已实施到方案的产生和筛选阶段"],
                4: ["阶段四企业00、阶段四企业01、阶段四企业02等4家企业已实施到方案的产生和筛选阶段"],
                12: ["阶段四企业00、阶段四企业01、阶段四企业02等12家企业已实施到方案的产生和筛选阶段"]}[count]
    assert content["sentences"] == expected
    assert content["not_started"] == "同县测试企业有限公司、自有测试企业有限公司尚未开始审核"
    assert content["table"]["rows"][3] == [STAGE4, count] and content["table"]["total"] == count + 2


def test_reached_stage_is_the_highest_started(world, today):
    e = enrol(world, "多阶段企业")
    step(e, 1, D(2020, 4, 1), D(2020, 4, 2))
    step(e, 9, D(2020, 4, 3))  # stage 2 started
    step(e, 12, None)  # a not-started record of stage 3 does not count
    report = MonthlyReport(kind="branch", campaign=world.campaign, agency=world.branch_a, month=D(2020, 5, 1))
    assert C.build_branch(report, today())["sentences"] == ["多阶段企业已实施到预审核阶段"]
