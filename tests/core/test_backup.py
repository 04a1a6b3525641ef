"""`cpaudit backup` / `cpaudit restore` (core/backup.py, core/restore.py): the backup is taken here, in
the test's database (SQLite, or PostgreSQL with DATABASE_URL), the restore runs as a real process into a
new, empty installation of its own (a data directory; on PostgreSQL also an empty database)."""

import json
import os
import sqlite3
import tarfile
import threading
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction

from cpaudit.core import storedfiles
from cpaudit.core.actors import SystemActor
from cpaudit.core.backup import create_backup
from cpaudit.core.chain import sm3_hex
from cpaudit.core.checkpoint import default_checkpoint_path, write_checkpoint
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action
from cpaudit.core.models import LogHead

from ..commands.site import Database, Site
from ..factories import make_platform_key_unlogged

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
KEK = settings.CPAUDIT_KEY_ENCRYPTION_KEY  # the test settings': the seal keys made here are under it
CHECKPOINTS = "checkpoints/log-checkpoints.jsonl"
POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


class Target(Site):
    """A new installation (demo settings) holding the test settings' key-encryption key."""

    def environ(self, **extra):
        return super().environ(**{"CPAUDIT_KEY_ENCRYPTION_KEY": KEK, **extra})

    def tamper(self, *statements: str) -> None:
        """Write behind the application's back, lifting the log's guard."""
        if self.database.postgres:
            with psycopg.connect(self.database.url, autocommit=True) as conn:
                conn.execute("ALTER TABLE core_actionlog DISABLE TRIGGER USER")
                for statement in statements:
                    conn.execute(statement)
            return
        conn = sqlite3.connect(self.data_dir / "cpaudit.sqlite3")
        conn.create_function("cpaudit_log_reset_allowed", 0, lambda: 1)
        try:
            for statement in statements:
                conn.execute(statement)
            conn.commit()
        finally:
            conn.close()


@pytest.fixture
def folders(settings, tmp_path):
    """The source installation's directories, this test's own."""
    for name in ("CHECKPOINT", "EVIDENCE", "JOB"):
        setattr(settings, f"CPAUDIT_{name}_DIR", tmp_path / "source" / name.lower())
    return tmp_path / "source"


@pytest.fixture
def targets(tmp_path):
    made = []

    def new() -> Target:
        n = len(made) + 1
        database = Database.for_run(os.environ.get("DATABASE_URL") if POSTGRES else None, f"restore{n}")
        database.create()
        work = tmp_path / f"target{n}"
        (work / "data").mkdir(parents=True)
        made.append(database)
        return Target(work / "data", database, work)

    yield new
    for database in made:
        database.drop()


def entries(n: int, action: str = "test.backup.entry") -> None:
    for i in range(n):
        with transaction.atomic():
            log_action(actor=SystemActor("pytest"), action=action, object_repr=f"对象{i}")


def store(content: bytes) -> str:
    digest = sm3_hex(content)
    path = storedfiles.stored_path(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return digest


def head() -> tuple[int, str]:
    row = LogHead.objects.get(pk=1)
    return row.seq, row.digest


def test_a_backup_taken_under_writes_restores_to_a_consistent_copy(folders, targets, tmp_path):
    make_platform_key_unlogged()
    evidence = store(b"%PDF-1.4 evidence of a step")
    stop, turns, failures = threading.Event(), [], []

    def writer():
        """Each turn one business action of two entries; a checkpoint every fifth turn."""
        try:
            while not stop.is_set():
                n = len(turns)
                with transaction.atomic():
                    for half in ("a", "b"):
                        log_action(actor=SystemActor("writer"), action="test.backup.pair",
                                   object_repr=f"{n}{half}", data={"turn": n})
                turns.append(n)
                if n % 5 == 4:
                    write_checkpoint(reason="test")
        except Exception as exc:  # noqa: BLE001  (reported by the test)
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(turns) < 10 and thread.is_alive():
            time.sleep(0.01)
        during = len(turns)
        backup = create_backup(tmp_path / "backup.tar")
        written_meanwhile = len(turns) - during
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    assert failures == []
    assert written_meanwhile > 0, "the writer must keep writing while the backup runs"
    assert head()[0] > backup.seq >= 2 * during  # the snapshot is neither the start nor the end

    target = targets()
    done = target.run("restore", backup.path)
    assert done.code == 0 and len(done.out) == 1 and done.out[0].startswith("已恢复\t"), done
    assert f"日志链头 #{backup.seq}" in done.out[0]
    rows = target.sql("SELECT object_repr, data FROM core_actionlog WHERE action = 'test.backup.pair' ORDER BY seq")
    turns_restored = [json.loads(d)["turn"] if isinstance(d, str) else d["turn"] for _, d in rows]
    # Whole business actions only: every turn with both of its entries, in order, none torn in half.
    assert len(rows) == backup.seq and len(rows) % 2 == 0
    assert [r for r, _ in rows] == [f"{n}{h}" for n in range(len(rows) // 2) for h in "ab"]
    assert turns_restored == sorted(turns_restored)
    assert target.sql("SELECT seq FROM core_loghead")[0][0] == backup.seq + 1  # + the restore's own entry
    assert (target.data_dir / "evidence" / evidence[:2] / evidence).read_bytes() == b"%PDF-1.4 evidence of a step"
    verified = target.run("verify-log", "--checkpoint", target.data_dir / CHECKPOINTS)
    assert verified.code == 0 and verified.out[0].startswith(f"OK\t{backup.seq + 1} 条日志完整"), verified


def test_restore_then_write_verifies_against_the_old_checkpoints_and_still_catches_a_cut(folders, targets,
                                                                                          tmp_path):
    make_platform_key_unlogged()
    entries(3)
    write_checkpoint(reason="daily")
    backup = create_backup(tmp_path / "backup.tar")
    # The old installation goes on after the backup (the disaster comes later): its checkpoint at seq 5.
    entries(2, action="test.old.timeline")
    write_checkpoint(reason="daily")
    old_lines = default_checkpoint_path().read_text(encoding="utf-8").splitlines()

    target = targets()
    assert target.run("restore", backup.path).code == 0
    restored = target.data_dir / CHECKPOINTS
    restore_line = json.loads(restored.read_text(encoding="utf-8").splitlines()[-1])
    assert restore_line["reason"] == "restore" and restore_line["signature"]
    assert (restore_line["seq"], restore_line["restore"]["seq"]) == (backup.seq + 1, backup.seq)
    assert target.sql("SELECT action, actor_name FROM core_actionlog WHERE seq = %s", backup.seq + 1) == \
        [("core.backup.restored", "系统（restore）")]
    # Life goes on: an entry, the daily checkpoint.
    target.django("from django.db import transaction\n"
                  "from cpaudit.core.actors import SystemActor\nfrom cpaudit.core.log import log_action\n"
                  "with transaction.atomic():\n"
                  "    log_action(actor=SystemActor('t'), action='test.after.restore', object_repr='新')\n")
    assert target.run("checkpoint-log", "--reason", "daily").code == 0
    done = target.run("verify-log", "--checkpoint", restored)
    assert done.code == 0 and done.out[0].startswith(f"OK\t{backup.seq + 2} 条日志完整"), done

    # The history kept off the host holds the old installation's later line (seq 5): above the restore
    # record it is discarded, without the record it reads as a rewrite.
    new_lines = restored.read_text(encoding="utf-8").splitlines()[len(old_lines) - 1:]
    assert json.loads(new_lines[0])["reason"] == "restore"
    kept = tmp_path / "kept.jsonl"
    kept.write_text("\n".join(old_lines + new_lines) + "\n", encoding="utf-8")
    assert target.run("verify-log", "--checkpoint", kept).code == 0
    kept.write_text("\n".join(old_lines + new_lines[1:]) + "\n", encoding="utf-8")
    done = target.run("verify-log", "--checkpoint", kept)
    assert done.code == 1 and "FAIL\t检查点（文件第 2 行）记录的第 5 条日志摘要不符：日志被改写" in done.out, done

    # Someone with database access cuts the entry written after the restore, head and all: the chain is
    # intact, the checkpoint after the restore still sees it.
    seq = backup.seq + 1
    digest = target.sql("SELECT digest FROM core_actionlog WHERE seq = %s", seq)[0][0]
    target.tamper(f"DELETE FROM core_actionlog WHERE seq > {seq}",
                  f"UPDATE core_loghead SET seq = {seq}, digest = '{digest}' WHERE id = 1")
    assert target.run("verify-log").code == 0
    done = target.run("verify-log", "--checkpoint", restored)
    assert (done.code, done.out) == (1, [f"FAIL\t检查点（文件第 {len(old_lines) + 1} 行）记录的第 {seq + 1} 条日志"
                                         "已不存在：日志尾部被截断"]), done


def test_restore_refuses_without_the_key_encryption_key_and_into_a_non_empty_installation(folders, targets,
                                                                                         tmp_path):
    make_platform_key_unlogged()
    entries(2)
    backup = create_backup(tmp_path / "backup.tar")
    target = targets()
    done = target.run("restore", backup.path, env={"CPAUDIT_KEY_ENCRYPTION_KEY": ""})
    assert done.code == 1 and done.out == [], done
    assert done.err == ["恢复失败：未设置 CPAUDIT_KEY_ENCRYPTION_KEY（电子印章私钥的密钥加密密钥），无法使用电子印章。"
                        "该密钥不在备份中：恢复前须设置为备份时所用的同一值"], done
    done = target.run("restore", backup.path, env={"CPAUDIT_KEY_ENCRYPTION_KEY": "f" * 32})
    assert done.err == ["恢复失败：CPAUDIT_KEY_ENCRYPTION_KEY 与备份中印章密钥所用的不一致：请设置备份时所用的同一值"], done
    assert not (target.data_dir / "cpaudit.sqlite3").exists() and target.sql(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")[0][0] == 0 \
        if target.database.postgres else True

    stray = target.data_dir / "evidence" / "ab" / "stray.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"%PDF")
    done = target.run("restore", backup.path)
    assert (done.code, done.err) == (1, [f"恢复失败：目标目录不是空的（例如 {stray}）：恢复只写入新的空数据目录"]), done
    stray.unlink()

    assert target.run("restore", backup.path).code == 0
    done = target.run("restore", backup.path)
    assert done.code == 1 and done.err[0].startswith("恢复失败：目标数据库不是空的（已有"), done
    assert target.sql("SELECT COUNT(*) FROM core_actionlog WHERE action = 'core.backup.restored'")[0][0] == 1


def test_a_damaged_backup_is_refused_before_anything_is_written(folders, targets, tmp_path):
    make_platform_key_unlogged()
    entries(2)
    store(b"%PDF-1.4 one")
    backup = create_backup(tmp_path / "backup.tar")
    with tarfile.open(backup.path) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("evidence/"))
        offset = member.offset_data
    data = bytearray(backup.path.read_bytes())
    data[offset] ^= 0x01
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))
    target = targets()
    done = target.run("restore", damaged)
    assert (done.code, done.err) == (1, [f"恢复失败：备份文件中的 {member.name} 与清单记录的 SM3 不符（备份已损坏或被改动）"])
    assert not any(p.is_file() for p in (target.data_dir / "evidence").rglob("*"))


def test_backup_names_a_corrupt_stored_file_and_never_overwrites(folders, tmp_path):
    make_platform_key_unlogged()
    digest = store(b"%PDF-1.4 two")
    storedfiles.stored_path(digest).write_bytes(b"%PDF-1.4 changed")
    with pytest.raises(InvalidState) as refused:
        create_backup(tmp_path / "b.tar")
    assert refused.value.message == f"佐证文件内容与其 SM3 名称不符（已损坏）：{storedfiles.stored_path(digest)}"
    assert list(tmp_path.glob("b.tar*")) == []  # nothing half-written left behind
    (tmp_path / "exists.tar").write_bytes(b"")
    with pytest.raises(InvalidState, match="备份文件已存在"):
        create_backup(tmp_path / "exists.tar")


@pytest.mark.skipif(not POSTGRES, reason="pg_dump's snapshot: PostgreSQL only (DATABASE_URL=postgres://…)")
def test_postgres_backup_is_a_custom_format_dump_of_the_snapshot(folders, tmp_path):
    make_platform_key_unlogged()
    entries(2)
    backup = create_backup(tmp_path / "backup.tar")
    with tarfile.open(backup.path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert tar.extractfile("database.pgdump").read(5) == b"PGDMP"
    assert (manifest["engine"], manifest["log_head"]["seq"]) == ("postgresql", 2)


def test_a_missing_sqlite_database_is_named_and_not_created(monkeypatch, tmp_path):
    from cpaudit.core import backup

    missing = tmp_path / "missing.sqlite3"
    monkeypatch.setitem(settings.DATABASES["default"], "NAME", str(missing))
    with pytest.raises(InvalidState) as refused:
        backup.sqlite_snapshot(tmp_path)
    assert refused.value.message.startswith(f"无法打开 SQLite 数据库 {missing}：")
    assert not missing.exists()
