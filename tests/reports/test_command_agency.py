"""`cpaudit monthly-report`: the agency by id (--agency) or by an unambiguous division code (--unit)."""

import pytest

from cpaudit.org.roles import AgencyKind
from tests.factories import make_agency

from .test_command import command


def run(tmp_path, *which):
    return command(*which, "--campaign", "c2020", "--month", "2020-05", "--format", "txt",
                   "-o", tmp_path / "r.txt")


@pytest.fixture
def xiongan(world):
    # As in the demo: 雄安新区's bureau has no division of its own and is bound to 保定市's code.
    return make_agency("雄安新区管理委员会生态环境局", AgencyKind.CITY, "130600", world.province)


def test_agency_id_names_the_branch(world, today, tmp_path):
    code, out, err = run(tmp_path, "--agency", world.branch_a.pk)
    assert (code, err) == (0, [])
    assert "保定市生态环境局竞秀区分局关于2020年5月" in (tmp_path / "r.txt").read_text(encoding="utf-8")


def test_agency_id_of_a_city_gives_its_consolidation(world, xiongan, today, tmp_path):
    code, out, err = run(tmp_path, "--agency", world.baoding.pk)
    text = (tmp_path / "r.txt").read_text(encoding="utf-8")
    assert code == 0 and "保定市生态环境局关于2020年5月" in text and "河北省生态环境厅：" in text


def test_a_shared_division_code_is_refused_with_the_candidates(world, xiongan, today, tmp_path):
    code, out, err = run(tmp_path, "--unit", "130600")
    assert code == 1 and not (tmp_path / "r.txt").exists()
    assert err == [
        "区划代码“130600”对应2个单位，无法确定是哪一个；请改用 --agency 指定单位编号：",
        f"  编号 {world.baoding.pk}：保定市生态环境局（市级生态环境局）",
        f"  编号 {xiongan.pk}：雄安新区管理委员会生态环境局（市级生态环境局）",
    ]


def test_an_unshared_code_still_works(world, xiongan, today, tmp_path):
    code, out, err = run(tmp_path, "--unit", "130602")
    assert (code, err) == (0, [])


@pytest.mark.parametrize("which,message", [
    ((), "请指定 --unit（区划代码）或 --agency（单位编号）二者之一"),
    (("--unit", "130602", "--agency", "1"), "请指定 --unit（区划代码）或 --agency（单位编号）二者之一"),
    (("--agency", "x1"), "单位编号应为数字，实际为“x1”"),
    (("--agency", "999999"), "单位编号“999999”不存在"),
])
def test_exactly_one_valid_choice(world, today, tmp_path, which, message):
    code, out, err = run(tmp_path, *which)
    assert (code, err) == (1, [message])


def test_the_province_has_no_monthly_report(world, today, tmp_path):
    code, out, err = run(tmp_path, "--agency", world.province.pk)
    assert code == 1 and err == ["河北省生态环境厅（省生态环境厅）没有月度进度报告："
                                 "应为县级生态环境分局、省直管县（市）生态环境局或市级生态环境局"]
