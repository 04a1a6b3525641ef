"""seal-key and verify-document in process (the subprocess runs are in tests/commands/scenarios_seals.py)."""

import io

import pytest
from django.core.management import call_command

from cpaudit.core import storedfiles
from cpaudit.core.models import ActionLog
from cpaudit.documents.models import KeyState, SealKey

from ..factories import make_agency
from .helpers import issue_letter

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, list[str], list[str]]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().splitlines(), err.getvalue().splitlines()


def test_generate_rotate_revoke_list(world):
    code, out, _ = run("seal-key", "generate", "--agency", "130602")
    key = SealKey.objects.get(agency=world.branch_a)
    assert (code, out) == (0, [f"已生成\t保定市生态环境局竞秀区分局\t印章密钥 #1\t{key.fingerprint}"])
    code, out, _ = run("seal-key", "rotate", "--agency-id", str(world.branch_a.pk))
    new = SealKey.objects.get(agency=world.branch_a, number=2)
    assert code == 0 and out == [f"已轮换\t保定市生态环境局竞秀区分局\t印章密钥 #2（#1 起停用，其签章仍可核验）\t{new.fingerprint}"]
    code, _, err = run("seal-key", "revoke", "--agency", "130602")
    assert (code, err) == (1, ["撤销印章密钥须填写原因"])
    code, out, _ = run("seal-key", "revoke", "--agency", "130602", "--key", "1", "--reason", "旧U盾遗失")
    assert code == 0 and out[0].startswith("已撤销\t保定市生态环境局竞秀区分局\t印章密钥 #1")
    code, out, _ = run("seal-key", "list", "--agency", "130602")
    assert [line.split("\t")[:2] for line in out] == [["#1", "已撤销"], ["#2", "在用"]]
    assert ActionLog.objects.filter(action__startswith="documents.sealkey.", actor_name="系统（seal-key）").count() == 3


def test_a_shared_division_code_is_refused_with_the_candidates(world):
    xiongan = make_agency("雄安新区生态环境局", "city", "130600", world.province)
    code, _, err = run("seal-key", "generate", "--agency", "130600")
    assert code == 1 and err == ["区划代码“130600”对应2个单位，无法确定是哪一个；请改用 --agency-id 指定单位编号：",
                                 f"  编号 {world.baoding.pk}：保定市生态环境局（市级生态环境局）",
                                 f"  编号 {xiongan.pk}：雄安新区生态环境局（市级生态环境局）"]
    assert run("seal-key", "generate", "--agency-id", str(xiongan.pk))[0] == 0
    assert SealKey.objects.get().agency == xiongan
    assert run("seal-key", "generate", "--agency", "999999")[2] == ["区划代码“999999”没有对应的单位"]


def test_as_user_must_be_the_security_administrator(world):
    code, _, err = run("seal-key", "generate", "--platform", "--as-user", "clead")
    assert code == 1 and "无权管理电子印章密钥" in err[0]
    assert run("seal-key", "generate", "--platform", "--as-user", "secadmin")[0] == 0
    key = SealKey.objects.get(agency__isnull=True)
    assert (key.created_by.username, key.state) == ("secadmin", KeyState.ACTIVE)


def test_verify_document_lines_and_exit_codes(world, seals, tmp_path):
    doc = issue_letter(world)
    good = tmp_path / "good.pdf"
    good.write_bytes(storedfiles.stored_path(doc.file_sm3).read_bytes())
    code, out, _ = run("verify-document", str(good))
    assert code == 0 and len(out) == 1
    status, document, agency, when = out[0].split("\t")
    assert (status, document, agency) == ("有效", f"第{doc.pk}号 {doc.title}（PDF）", "保定市生态环境局竞秀区分局")
    bad = tmp_path / "bad.pdf"
    data = bytearray(good.read_bytes())
    data[-2] ^= 1
    bad.write_bytes(bytes(data))
    assert run("verify-document", str(bad))[:2] == (1, ["无效\t文件与本平台签发的任何文书都不一致（未经本平台签发，或签发后被修改）"])
    code, out, err = run("verify-document", str(tmp_path / "none.pdf"))
    assert code == 2 and out == [] and err[0].startswith("无法读取文件")
