import io

import pytest
from django.core.management import call_command

from cpaudit.registry.excel.importer import import_enterprises
from cpaudit.registry.models import Enterprise

from .test_excel_support import TEMPLATE_HEADERS, read_xlsx


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("export-enterprises", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().splitlines(), err.getvalue().splitlines()


def test_exports_everything_as_system(tmp_path, world, system_actor):
    path = tmp_path / "all.xlsx"
    code, out, err = command("-o", path)
    total = Enterprise.objects.count()
    assert (code, out, err) == (0, [f"已导出 {total} 家企业到 {path}"], [])
    rows = read_xlsx(path)
    assert rows[0] == TEMPLATE_HEADERS and len(rows) == total + 1
    result = import_enterprises(actor=system_actor, path=path)
    assert (result.errors, result.unchanged) == ([], total)


def test_as_user_exports_that_users_scope(tmp_path, world):
    path = tmp_path / "b.xlsx"
    code, out, err = command("-o", path, "--as-user", "bstaff")
    assert code == 0 and out == [f"已导出 2 家企业到 {path}"]
    assert {r[2] for r in read_xlsx(path)[1:]} == {"130602"}


@pytest.mark.parametrize("username,message", [
    ("ent", "您的角色（企业用户）无权导出企业名录"), ("ghost", "用户“ghost”不存在")])
def test_refused(tmp_path, world, username, message):
    code, out, err = command("-o", tmp_path / "x.xlsx", "--as-user", username)
    assert (code, err) == (1, [message]) and not (tmp_path / "x.xlsx").exists()


def test_output_must_be_xlsx(tmp_path, world):
    code, out, err = command("-o", tmp_path / "x.csv")
    assert (code, err) == (1, ["输出文件名应以 .xlsx 结尾"])
