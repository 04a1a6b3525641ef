"""verify-document and seal-key as real processes on the demo (whose agencies and platform got their
seal keys at load time): a letter issued by its sender, verified, changed by one byte, verified after
a rotation and a revocation; the keys' commands with a shared division code."""

import json
import shutil

from .scenarios import scenario

CHECKPOINTS = "checkpoints/log-checkpoints.jsonl"


def issue_a_letter(site) -> dict:
    """The first batch's letter issued by its sender (as the batch page's 签发 button does): the
    stored PDF's path, its id and code."""
    return site.django(
        "from cpaudit.applications.models import Batch\n"
        "from cpaudit.core import storedfiles\n"
        "from cpaudit.documents.application_documents import batch_letter_issue\n"
        "batch = Batch.objects.select_related('submitted_by').order_by('pk').first()\n"
        "pdf = batch_letter_issue(actor=batch.submitted_by, batch=batch)[0]\n"
        "result = {'path': str(storedfiles.stored_path(pdf.file_sm3)), 'id': pdf.pk, 'title': pdf.title,\n"
        "          'agency': pdf.agency_name, 'code': pdf.code, 'division': pdf.agency.division_id,\n"
        "          'agency_id': pdf.agency_id}\n")


@scenario("verify-document")
def a_letter_verified_then_one_byte_changed(site, demo):
    issued = issue_a_letter(site)
    letter = site.work_dir / "报送函.pdf"
    shutil.copyfile(issued["path"], letter)
    done = site.run("verify-document", letter)
    assert done.code == 0 and done.err == [] and len(done.out) == 1, done
    status, document, agency, when = done.out[0].split("\t")
    assert (status, document, agency) == ("有效", f"第{issued['id']}号 {issued['title']}（PDF）", issued["agency"])
    assert len(when) == 19 and when[4] == "-" and when[13] == ":"
    data = bytearray(letter.read_bytes())
    data[len(data) // 3] ^= 0x20
    changed = site.work_dir / "改过.pdf"
    changed.write_bytes(bytes(data))
    done = site.run("verify-document", changed)
    assert (done.code, done.out) == (1, ["无效\t文件与本平台签发的任何文书都不一致（未经本平台签发，或签发后被修改）"]), done
    # Another key-encryption key than the one the seal keys were made under: named, never "valid".
    done = site.run("verify-document", letter, env={"CPAUDIT_KEY_ENCRYPTION_KEY": "f" * 32})
    assert done.code == 1 and done.out[0].startswith("无效\tCPAUDIT_KEY_ENCRYPTION_KEY 与生成"), done
    # The issue was checkpointed with the platform's signature.
    point = json.loads((site.data_dir / CHECKPOINTS).read_text(encoding="utf-8").splitlines()[-1])
    assert point["reason"] == "document" and point["signature"]
    assert site.run("verify-log", "--checkpoint", site.data_dir / CHECKPOINTS).code == 0


@scenario("seal-key")
def rotate_and_revoke_keep_what_was_issued_verifiable(site, demo):
    issued = issue_a_letter(site)
    letter = site.work_dir / "letter.pdf"
    shutil.copyfile(issued["path"], letter)
    before = site.log_count()
    done = site.run("seal-key", "rotate", "--agency-id", issued["agency_id"])
    assert done.code == 0 and done.out[0].startswith(f"已轮换\t{issued['agency']}\t印章密钥 #2"), done
    assert site.run("verify-document", letter).code == 0  # the retired key still verifies
    done = site.run("seal-key", "revoke", "--agency-id", issued["agency_id"], "--key", "1", "--reason", "演示：旧密钥作废")
    assert done.code == 0 and done.out[0].startswith(f"已撤销\t{issued['agency']}\t印章密钥 #1"), done
    done = site.run("verify-document", letter)
    assert done.code == 0 and "该印章密钥已于" in done.out[0] and "撤销前签发的文书仍有效" in done.out[0], done
    done = site.run("seal-key", "list", "--agency-id", issued["agency_id"])
    assert [line.split("\t")[:2] for line in done.out] == [["#1", "已撤销"], ["#2", "在用"]], done
    assert [e["action"] for e in site.log_since(before)] == ["documents.sealkey.rotated", "documents.sealkey.revoked"]
    assert all(e["actor"] == "系统（seal-key）" for e in site.log_since(before))
    # 保定市生态环境局 and 雄安新区's bureau share 130600: refused, the candidates listed.
    done = site.run("seal-key", "rotate", "--agency", "130600")
    assert done.code == 1 and done.err[0].startswith("区划代码“130600”对应2个单位") and len(done.err) == 3, done
    done = site.run("seal-key", "generate", "--platform")
    assert (done.code, done.err) == (1, ["平台已有在用的印章密钥 #1；更换请用“轮换”"]), done
