"""backup and restore as real processes: the demo backed up, restored into a new, empty installation
(a data directory of its own; on PostgreSQL an empty database of its own), verified there."""

import json
import os
import tarfile

from .scenarios import scenario
from .site import Database, Site

CHECKPOINTS = "checkpoints/log-checkpoints.jsonl"


def empty_installation(site) -> Site:
    database = Database(None, None)
    if site.database.postgres:
        database = Database.for_run(os.environ["DATABASE_URL"], "cmds_restore")
        database.create()
    work = site.work_dir / "restored"
    (work / "data").mkdir(parents=True)
    return Site(work / "data", database, work, invoked=site.invoked)  # the commands count as the scenario's


@scenario("backup")
def back_up_the_demo(site, demo):
    before = site.log_count()
    done = site.run("backup", "-o", site.work_dir / "demo.backup")
    assert done.code == 0 and done.err == [] and len(done.out) == 1, done
    status, path, database, files, size, digest = done.out[0].split("\t")
    assert (status, path) == ("已备份", str(site.work_dir / "demo.backup"))
    assert database == f"{'PostgreSQL' if site.database.postgres else 'SQLite'}，日志链头 #{before}"
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    assert manifest["log_head"]["seq"] == before and manifest["kek_check"]
    assert {CHECKPOINTS, manifest["database"], "manifest.json"} <= names
    assert files == f"文件 {sum(1 for n in manifest['files'] if '/' in n)} 个"
    assert any(n.startswith("evidence/") for n in names)  # the demo's stored files
    assert [e["action"] for e in site.log_since(before)] == ["core.backup.created"]
    assert site.log_since(before)[0]["actor"] == "系统（backup）" and digest.endswith(site.log_since(before)[0]["data"]["backup"])
    again = site.run("backup", "-o", site.work_dir / "demo.backup")
    assert (again.code, again.out) == (1, []) and again.err[0].startswith("备份失败：备份文件已存在"), again


@scenario("restore")
def restore_the_demo_into_an_empty_installation(site, demo):
    assert site.run("backup", "-o", site.work_dir / "demo.backup").code == 0
    seq = site.log_count()
    target = empty_installation(site)
    try:
        refused = target.run("restore", site.work_dir / "demo.backup", env={"CPAUDIT_KEY_ENCRYPTION_KEY": ""})
        assert refused.code == 1 and refused.err[0].startswith("恢复失败：未设置 CPAUDIT_KEY_ENCRYPTION_KEY"), refused
        done = target.run("restore", site.work_dir / "demo.backup")
        assert done.code == 0 and done.err == [] and len(done.out) == 1, done
        assert done.out[0].startswith("已恢复\t备份 ") and f"日志链头 #{seq - 1}" in done.out[0], done
        assert target.log_since(seq - 1)[0]["action"] == "core.backup.restored"
        assert target.sql("SELECT COUNT(*) FROM org_user") == site.sql("SELECT COUNT(*) FROM org_user")
        verified = target.run("verify-log", "--checkpoint", target.data_dir / CHECKPOINTS)
        assert verified.code == 0, verified
        again = target.run("restore", site.work_dir / "demo.backup")
        assert again.code == 1 and again.err[0].startswith("恢复失败：目标数据库不是空的"), again
    finally:
        target.database.drop()
