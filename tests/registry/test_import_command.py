import io

import pytest
from django.core.management import call_command

from cpaudit.campaigns.models import Enrolment
from cpaudit.core.models import ActionLog
from cpaudit.registry.models import Enterprise
from tests.factories import make_campaign

from .test_excel_support import valid_row, write_xlsx


def command(*args):
    """(exit code, stdout lines, stderr lines)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import-enterprises", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().splitlines(), err.getvalue().splitlines()


def test_success_prints_the_summary_and_exits_0(tmp_path, world):
    own = world.enterprises["own"]
    path = write_xlsx(tmp_path / "a.xlsx", [valid_row(), valid_row(),
                                            valid_row(**{"统一社会信用代码": own.uscc})])
    code, out, err = command(path)
    assert (code, out, err) == (0, ["新增 2 家，更新 1 家，未变化 0 家"], [])
    assert command(path)[:2] == (0, ["新增 0 家，更新 0 家，未变化 3 家"])


def test_errors_go_to_stderr_one_per_line_and_exit_1(tmp_path, world):
    path = write_xlsx(tmp_path / "b.xlsx", [
        valid_row(), valid_row(**{"统一社会信用代码": "91350211M00013FA1Z", "邮编": "12"})])
    before = Enterprise.objects.count(), ActionLog.objects.count()
    code, out, err = command(path)
    assert code == 1 and out == []
    assert err[0].startswith("第3行 B列（统一社会信用代码）：校验码错误：第18位应为“3”，实际为“Z”")
    assert err[1] == "第3行 F列（邮编）：邮编应为6位数字，填写的是“12”"
    assert err[2] == "文件有 2 处错误，未导入任何数据"
    assert (Enterprise.objects.count(), ActionLog.objects.count()) == before


def test_unreadable_file(tmp_path, world):
    path = tmp_path / "x.xlsx"
    path.write_text("hello")
    code, out, err = command(path)
    assert code == 1 and "不是Excel工作簿" in err[0] and err[-1] == "文件有 1 处错误，未导入任何数据"


def test_dry_run_option(tmp_path, world):
    path = write_xlsx(tmp_path / "d.xlsx", [valid_row()])
    before = Enterprise.objects.count()
    code, out, err = command(path, "--dry-run")
    assert (code, out) == (0, ["新增 1 家，更新 0 家，未变化 0 家", "试运行：未写入任何数据"])
    assert Enterprise.objects.count() == before


def test_campaign_option_enrols(tmp_path, world):
    campaign = make_campaign("c2021", 2021)
    row = valid_row()
    code, out, err = command(write_xlsx(tmp_path / "c.xlsx", [row]), "--campaign", "c2021")
    assert code == 0 and out[1] == "已纳入审核批次“c2021” 1 家"
    assert Enrolment.objects.filter(campaign=campaign, enterprise__uscc=row["统一社会信用代码"]).exists()


def test_unknown_campaign_exits_1(tmp_path, world):
    code, out, err = command(write_xlsx(tmp_path / "c.xlsx", [valid_row()]), "--campaign", "nope")
    assert (code, err) == (1, ["审核批次“nope”不存在"])


def test_as_user_applies_that_users_jurisdiction(tmp_path, world):
    row = valid_row(**{"所在县（市、区）代码": "130606", "所在县（市、区）": ""})
    path = write_xlsx(tmp_path / "u.xlsx", [row])
    code, out, err = command(path, "--as-user", "bstaff")
    assert code == 1 and "不在您的辖区内" in err[0]
    code, out, err = command(path, "--as-user", "cstaff")
    assert code == 0
    assert ActionLog.objects.filter(action="registry.import.completed").latest("seq").actor_name == "cstaff"


def test_without_as_user_the_command_is_logged_as_system(tmp_path, world):
    command(write_xlsx(tmp_path / "s.xlsx", [valid_row()]))
    entries = ActionLog.objects.order_by("-seq")[:2]
    assert {e.actor_name for e in entries} == {"系统（import-enterprises）"}
    assert entries[0].group == entries[1].group  # one import, one group


@pytest.mark.parametrize("username,message", [
    ("nobody", "用户“nobody”不存在"), ("plead", "您的角色（省厅负责人）无权导入企业名录")])
def test_bad_user_exits_1(tmp_path, world, username, message):
    code, out, err = command(write_xlsx(tmp_path / "s.xlsx", [valid_row()]), "--as-user", username)
    assert (code, err) == (1, [message])
