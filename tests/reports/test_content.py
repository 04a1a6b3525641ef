"""Content: live vs reconstructed, the schema, due dates, and that the text's counts equal the database's."""

import json
import re

import pytest

from cpaudit.campaigns.models import Enrolment
from cpaudit.progress.models import StepRecord, StepStatus
from cpaudit.reports import content as C
from cpaudit.reports import services
from cpaudit.reports.models import MonthlyReport

from .conftest import D, enrol, own, step


def draft(world, month, agency=None, kind="branch"):
    return MonthlyReport(kind=kind, campaign=world.campaign, agency=agency or world.branch_a, month=month)


def test_schema_and_header_fields(world, today):
    content = C.finish(C.build_branch(draft(world, D(2020, 5, 1)), today()))
    assert list(content) == [k for k in C.KEYS if k != "summary"]  # summary: the city's only
    assert content["schema"] == 2 and content["document_number"] == ""
    assert content["title"] == "保定市生态环境局竞秀区分局关于2020年5月清洁生产审核工作进度的报告"
    assert content["addressee"] == "保定市生态环境局" and content["unit"] == "保定市生态环境局竞秀区分局"
    assert content["campaign"] == {"slug": "c2020", "name": world.campaign.name,
                                   "document_number": "冀环办字函〔2020〕202号",
                                   "notice": {"title": "", "number": "", "issuer": "", "date": ""}}
    assert (content["month"], content["as_of"], content["date"]) == ("2020-05", "2020-05-20", "2020-05-20")
    assert content["kind"] == "branch" and content["sections"] == [] and content["version"] is None
    assert json.loads(json.dumps(content)) == content  # JSON-safe


def test_past_month_as_of_is_the_last_day(world, today):
    content = C.build_branch(draft(world, D(2020, 4, 1)), today())
    assert (content["month"], content["as_of"], content["date"]) == ("2020-04", "2020-04-30", "2020-05-20")


def test_future_month_refused(world, today):
    with pytest.raises(ValueError, match="2020年6月尚未开始"):
        C.build_branch(draft(world, D(2020, 6, 1)), today())


def test_past_month_reconstructed_from_dates(world, today):
    """By 30 April `own` had only started step 2 (stage 1); in May it reached stage 3. The current
    status of the records does not matter for the past month: the dates do."""
    e = own(world)
    step(e, 2, D(2020, 4, 10), D(2020, 4, 20))
    step(e, 5, D(2020, 5, 3), D(2020, 5, 4))
    step(e, 11, D(2020, 5, 6))
    april = C.build_branch(draft(world, D(2020, 4, 1)), today())
    may = C.build_branch(draft(world, D(2020, 5, 1)), today())
    assert april["sentences"] == ["自有测试企业有限公司已实施到审核准备阶段"]
    assert may["sentences"] == ["自有测试企业有限公司已实施到审核阶段"]
    assert april["not_started"] == may["not_started"] == "同县测试企业有限公司尚未开始审核"


def test_live_month_follows_status(world, today):
    """Live data: a record marked in progress counts even if its dates were not filled (as the dashboards)."""
    StepRecord.objects.create(enrolment=own(world), step_id=16, status=StepStatus.IN_PROGRESS,
                              start_date=D(2020, 5, 1))
    StepRecord.objects.create(enrolment=own(world, "same_county"), step_id=23, status=StepStatus.NOT_STARTED,
                              start_date=D(2020, 5, 1))
    content = C.build_branch(draft(world, D(2020, 5, 1)), today())
    assert content["sentences"] == ["自有测试企业有限公司已实施到方案的产生和筛选阶段"]
    assert content["not_started"] == "同县测试企业有限公司尚未开始审核"


def test_enrolment_starting_after_the_month_is_not_started(world, today):
    e = enrol(world, "六月开始企业", start=D(2020, 6, 1))
    step(e, 1, D(2020, 4, 1))  # inconsistent data: the enrolment start date wins
    april = C.build_branch(draft(world, D(2020, 4, 1)), today())
    assert "六月开始企业" in april["not_started"] and april["sentences"] == []
    assert "六月开始企业" not in april["stalled"]


def test_stalled_did_not_move_in_the_month(world, today):
    moved = enrol(world, "本月有进展企业")
    step(moved, 1, D(2020, 3, 5), D(2020, 5, 10))  # completed in May: moved
    idle = enrol(world, "本月无进展企业")
    step(idle, 1, D(2020, 3, 5), D(2020, 4, 10))
    done = enrol(world, "已完成企业")
    for n in range(1, 36):
        step(done, n, D(2020, 3, 2), D(2020, 4, 1))
    content = C.build_branch(draft(world, D(2020, 5, 1)), today())
    assert content["stalled"] == sorted(["本月无进展企业", "同县测试企业有限公司", "自有测试企业有限公司"])
    april = C.build_branch(draft(world, D(2020, 4, 1)), today())
    assert "本月无进展企业" not in april["stalled"] and "已完成企业" not in april["stalled"]
    assert "本月有进展企业" in april["stalled"]


def _sentence_total(content) -> int:
    total = 0
    for line in [*content["sentences"], content["not_started"]]:
        if not line:
            continue
        match = re.search(r"等(\d+)家企业", line)
        total += int(match.group(1)) if match else len(line.split("、"))
    return total


@pytest.mark.parametrize("month", [D(2020, 3, 1), D(2020, 4, 1), D(2020, 5, 1)])
def test_counts_in_text_equal_the_database(world, today, month):
    import random

    rng = random.Random(7)
    for n in range(23):
        e = enrol(world, f"随机企业{n:02d}", start=rng.choice([D(2020, 3, 1), D(2020, 4, 15), None]))
        for number in sorted(rng.sample(range(1, 36), rng.randint(0, 6))):
            start = D(2020, rng.randint(3, 5), rng.randint(1, 19))
            if e.start_date and start < e.start_date:
                start = e.start_date
            step(e, number, start, start if rng.random() < 0.5 else None)
    enrol(world, "外县企业", county="130606")  # not counted for 竞秀区
    content = C.build_branch(draft(world, month), today())
    enrolled = Enrolment.objects.filter(campaign=world.campaign, enterprise__county_id="130602").count()
    assert _sentence_total(content) == content["table"]["total"] == enrolled == 25
    assert sum(r[1] for r in content["table"]["rows"]) == enrolled
    stages_with_enterprises = [r[0] for r in content["table"]["rows"][:7] if r[1]]
    assert [s.split("已实施到")[1].removesuffix("阶段") for s in content["sentences"]] == stages_with_enterprises
    # each stage's count in the table equals the N of its sentence
    for sentence in content["sentences"]:
        name = sentence.split("已实施到")[1].removesuffix("阶段")
        row = next(r for r in content["table"]["rows"] if r[0] == name)
        assert _sentence_total({"sentences": [sentence], "not_started": ""}) == row[1]


@pytest.mark.parametrize("year,month,day,due", [
    (2020, 2, 30, D(2020, 2, 29)),  # leap February
    (2021, 2, 30, D(2021, 2, 28)),
    (2020, 1, 30, D(2020, 1, 30)),  # 31-day month: still the 30th
    (2020, 1, 31, D(2020, 1, 31)),
    (2020, 4, 31, D(2020, 4, 30)),  # 30-day month, report day 31
    (2020, 5, 10, D(2020, 5, 10)),
])
def test_due_dates(world, year, month, day, due):
    world.campaign.report_day = day
    assert services.due_date(world.campaign, D(year, month, 1)) == due
    assert services.due_date(world.campaign, f"{year}-{month:02d}") == due


def test_february_and_31_day_month_content(world, today):
    today(D(2020, 4, 2))
    e = own(world)
    step(e, 1, D(2020, 3, 1), D(2020, 3, 31))  # 31 March counts for March
    assert C.build_branch(draft(world, D(2020, 3, 1)), today())["as_of"] == "2020-03-31"
    assert C.build_branch(draft(world, D(2020, 3, 1)), today())["sentences"] == [
        "自有测试企业有限公司已实施到审核准备阶段"]
    assert "自有测试企业有限公司" not in C.build_branch(draft(world, D(2020, 3, 1)), today())["stalled"]
    feb = C.build_branch(draft(world, D(2020, 2, 1)), today())
    assert feb["as_of"] == "2020-02-29" and feb["sentences"] == []


def test_city_content_totals_and_sections(world, today):
    step(own(world), 5, D(2020, 5, 2))
    step(Enrolment.objects.get(enterprise=world.enterprises["other_county"]), 16, D(2020, 5, 3))
    city = MonthlyReport(kind="city", campaign=world.campaign, agency=world.baoding, month=D(2020, 5, 1))
    content = services.build_content(city, today())
    assert content["kind"] == "city" and content["addressee"] == "河北省生态环境厅"
    assert content["title"] == "保定市生态环境局关于2020年5月清洁生产审核工作进度的报告"
    assert content["sentences"] == ["自有测试企业有限公司已实施到预审核阶段", "外县测试企业有限公司已实施到方案的产生和筛选阶段"]
    assert content["not_started"] == "同县测试企业有限公司尚未开始审核"  # 定州 and 石家庄 are not Baoding's
    assert content["table"]["total"] == 3
    assert [s["unit"] for s in content["sections"]] == ["保定市生态环境局竞秀区分局", "保定市生态环境局莲池区分局"]
    assert [s["status"] for s in content["sections"]] == ["未报送", "未报送"]
    assert content["sections"][1]["sentences"] == ["外县测试企业有限公司已实施到方案的产生和筛选阶段"]
    assert set(content["sections"][0]) == {"unit", "status", "submitted", "sentences", "not_started", "table",
                                           "problems", "stalled"}
    # One summary row per branch (the city's figures as of its data date), with a totals row.
    summary = content["summary"]
    assert summary["headers"][0] == "分局" and summary["headers"][-2:] == ["尚未开始", "合计"]
    assert len(summary["headers"]) == 10
    assert [r[0] for r in summary["rows"]] == ["竞秀区分局", "莲池区分局"]
    assert summary["rows"][0][1:] == [0, 1, 0, 0, 0, 0, 0, 1, 2]  # 自有: 预审核; 同县: not started
    assert summary["totals"] == ["合计", 0, 1, 0, 1, 0, 0, 0, 1, 3]
