"""`cpaudit monthly-report`."""

import io

import pytest
from django.core.management import call_command

from cpaudit.org.roles import Role
from cpaudit.reports import services

from .conftest import D, own, step


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("monthly-report", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().splitlines(), err.getvalue().splitlines()


def args(tmp_path, unit="130602", month="2020-05", fmt="txt", *extra):
    return ("--unit", unit, "--campaign", "c2020", "--month", month, "--format", fmt, "-o", tmp_path / "r.txt",
            *extra)


def test_branch_draft_txt(world, today, tmp_path):
    step(own(world), 16, D(2020, 5, 2))
    code, out, err = command(*args(tmp_path))
    assert (code, err) == (0, [])
    text = (tmp_path / "r.txt").read_text(encoding="utf-8")
    assert "保定市生态环境局竞秀区分局关于2020年5月清洁生产审核工作进度的报告" in text
    assert "保定市生态环境局：" in text  # 主送
    assert "自有测试企业有限公司已实施到方案的产生和筛选阶段。" in text
    assert "同县测试企业有限公司尚未开始审核。" in text
    assert "（加盖单位公章）" in text and "2020年5月20日" in text
    assert out == [f"已输出保定市生态环境局竞秀区分局关于2020年5月清洁生产审核工作进度的报告（草稿）到 {tmp_path / 'r.txt'}"]


def test_submitted_snapshot_is_written(world, users, submitted, today, tmp_path):
    step(own(world), 16, D(2020, 5, 20))  # after submission: not in the output
    code, out, err = command(*args(tmp_path))
    text = (tmp_path / "r.txt").read_text(encoding="utf-8")
    assert code == 0 and "（第1版）" in out[0]
    assert "已实施到" not in text and "第1版" in text


def test_city_consolidation(world, today, tmp_path):
    code, out, err = command(*args(tmp_path, "130600"))
    text = (tmp_path / "r.txt").read_text(encoding="utf-8")
    assert code == 0 and "保定市生态环境局关于2020年5月清洁生产审核工作进度的报告" in text
    assert "河北省生态环境厅：" in text
    # no branch has reported: a summary row for each, no annex
    assert "竞秀区分局" in text and "各分局审核企业所处阶段汇总" in text and "附件1" not in text


def test_as_user_outside_scope_refused(world, today, tmp_path):
    code, out, err = command(*args(tmp_path, "130606", "2020-05", "txt", "--as-user", "bstaff"))
    assert code == 1 and "不在您的管理范围内" in err[0] and not (tmp_path / "r.txt").exists()


@pytest.mark.parametrize("unit,month,fmt,message", [
    ("999999", "2020-05", "txt", "区划代码“999999”没有对应的县级生态环境分局或设区市生态环境局"),
    ("130602", "2020-5", "txt", "月份格式应为 YYYY-MM（如 2020-05），实际为“2020-5”"),
    ("130602", "2020-13", "txt", "月份格式应为 YYYY-MM（如 2020-05），实际为“2020-13”"),
    ("130602", "2020-05", "odt", "不支持的格式“odt”，应为 txt、docx 或 pdf"),
    ("130602", "2020-07", "txt", "2020年7月尚未开始，不能编制进度报告"),
])
def test_errors(world, today, tmp_path, unit, month, fmt, message):
    code, out, err = command(*args(tmp_path, unit, month, fmt))
    assert (code, err) == (1, [message]) and not (tmp_path / "r.txt").exists()


def test_unknown_campaign(world, today, tmp_path):
    a = list(args(tmp_path))
    a[3] = "nope"
    assert command(*a)[::2] == (1, ["审核批次“nope”不存在"])


def test_uses_services_content(world, users, today, tmp_path):
    report = services.report_for(actor=users[Role.BRANCH_STAFF], campaign=world.campaign, agency=world.branch_a,
                                 month=D(2020, 5, 1), kind="branch")
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=report, problems="部分企业资料不全")
    command(*args(tmp_path))
    assert "部分企业资料不全" in (tmp_path / "r.txt").read_text(encoding="utf-8")
