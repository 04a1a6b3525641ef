"""`cpaudit backup -o FILE`: one file holding everything a restore needs except the key-encryption key.

The file is a tar archive:
- `checkpoints/…` — the checkpoint files, copied FIRST: every line they hold was written after its head
  was committed, so it is at or below the database snapshot taken next;
- `database.sqlite3` (SQLite's online backup API, in one step: one consistent snapshot, writers are
  not stopped) or `database.pgdump` (`pg_dump --format=custom` in the snapshot of a repeatable-read
  transaction, the one the manifest's log head is read in);
- `evidence/xx/<sm3>` — the stored files (copied after the snapshot: a row of the snapshot names only
  files already stored, and a stored file is never removed), each checked against its SM3 name;
- `jobs/…` — the job files present at that moment;
- `manifest.json`, last: format, engine, the snapshot's log head, the seal keys' `kek_check` (which
  key-encryption key a restore needs; not the key), and each member's size and SM3.
The SM3 of the manifest names the backup (printed, and recorded by the restore).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from cpaudit.settings.env import child_environment

from . import clock
from .errors import InvalidState

FORMAT, VERSION = "cpaudit-backup", 1
MANIFEST = "manifest.json"
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
FOLDERS = {"checkpoints": "CPAUDIT_CHECKPOINT_DIR", "evidence": "CPAUDIT_EVIDENCE_DIR", "jobs": "CPAUDIT_JOB_DIR"}
STORED = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}")  # evidence/<first two>/<sm3>; spooled uploads are not kept
CHUNK = 1024 * 1024


def folder(name: str) -> Path:
    return Path(getattr(settings, FOLDERS[name]))


def engine() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE:
        raise InvalidState(f"不支持的数据库类型：{vendor}（仅支持 SQLite 与 PostgreSQL）", code="engine")
    return vendor


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise InvalidState(f"未找到 {name}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端"
                           "（Debian：apt-get install postgresql-client）", code="no_pg_tool")
    return path


def pg_environ() -> dict:
    """libpq's environment for the configured database (the password never on a command line)."""
    db = settings.DATABASES["default"]
    env = {}
    for key, value in (("PGDATABASE", db.get("NAME")), ("PGUSER", db.get("USER")),
                       ("PGPASSWORD", db.get("PASSWORD")), ("PGHOST", db.get("HOST")),
                       ("PGPORT", db.get("PORT")), ("PGSSLMODE", db.get("OPTIONS", {}).get("sslmode"))):
        if value:
            env[key] = str(value)
    return child_environment(env)


def run_pg(args: list[str], what: str) -> None:
    done = subprocess.run(args, env=pg_environ(), capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or [f"退出码 {done.returncode}"])[-1]
        raise InvalidState(f"{what}失败：{detail}", code="pg_tool_failed")


class Hashing(io.RawIOBase):
    """Reads exactly `size` bytes of a file, computing their SM3 on the way (tar needs the size first)."""

    def __init__(self, fh, size: int):
        self.fh, self.left = fh, size
        self.sm3 = hashlib.new("sm3")

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.left if n is None or n < 0 else min(n, self.left)
        data = self.fh.read(n)
        self.left -= len(data)
        self.sm3.update(data)
        return data


@dataclass
class Snapshot:
    path: Path
    seq: int
    digest: str
    kek_checks: list[str]


@dataclass
class Backup:
    path: Path
    manifest_sm3: str
    engine: str
    seq: int
    files: int
    size: int


class Writer:
    def __init__(self, tar: tarfile.TarFile):
        self.tar, self.files = tar, {}

    def _info(self, name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o640, int(time.time())
        return info

    def add_bytes(self, name: str, data: bytes) -> str:
        self.tar.addfile(self._info(name, len(data)), io.BytesIO(data))
        digest = hashlib.new("sm3", data).hexdigest()
        self.files[name] = {"size": len(data), "sm3": digest}
        return digest

    def add_file(self, name: str, path: Path) -> str:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            reader = Hashing(fh, size)
            self.tar.addfile(self._info(name, size), reader)
        digest = reader.sm3.hexdigest()
        self.files[name] = {"size": size, "sm3": digest}
        return digest

    def add_folder(self, name: str) -> list[str]:
        """Every file of the folder; for the evidence, the problems of files whose content is not
        their SM3 name."""
        root, problems = folder(name), []
        if not root.is_dir():
            return problems
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(root).as_posix()
            if name == "evidence" and not STORED.fullmatch(relative):
                continue
            member = f"{name}/{relative}"
            try:
                if name == "checkpoints":  # appended to while we read: whole lines only
                    data = path.read_bytes()
                    self.add_bytes(member, data[:data.rfind(b"\n") + 1])
                    continue
                digest = self.add_file(member, path)
            except FileNotFoundError:  # a job file removed as its job ended
                continue
            if name == "evidence" and digest != path.name:
                problems.append(f"佐证文件内容与其 SM3 名称不符（已损坏）：{path}")
        return problems


def sqlite_snapshot(work: Path) -> Snapshot:
    target_path, name = work / DATABASE["sqlite"], Path(settings.DATABASES["default"]["NAME"]).absolute()
    try:  # mode=rw: a missing database is an error, never a new empty file
        source = sqlite3.connect(f"{name.as_uri()}?mode=rw", uri=True, timeout=20)
    except sqlite3.Error as exc:
        raise InvalidState(f"无法打开 SQLite 数据库 {name}：{exc}", code="no_database") from exc
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)  # pages=-1: one step, one read transaction, one consistent snapshot
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        head = target.execute("SELECT seq, digest FROM core_loghead WHERE id = 1").fetchone() or (0, "")
        keks = [row[0] for row in target.execute("SELECT DISTINCT kek_check FROM documents_sealkey")]
    except sqlite3.Error as exc:
        raise InvalidState(f"无法备份 SQLite 数据库 {name}（尚未执行 migrate？）：{exc}", code="sqlite_failed") from exc
    finally:
        target.close()
        source.close()
    return Snapshot(target_path, head[0], head[1], sorted(keks))


def postgres_snapshot(work: Path) -> Snapshot:
    path = work / DATABASE["postgresql"]
    pg_dump = pg_tool("pg_dump")
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute("SELECT seq, digest FROM core_loghead WHERE id = 1")
        head = cursor.fetchone() or (0, "")
        cursor.execute("SELECT DISTINCT kek_check FROM documents_sealkey")
        keks = [row[0] for row in cursor.fetchall()]
        # pg_dump sees exactly what this transaction sees, while it stays open.
        run_pg([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                "--file", str(path)], "pg_dump 导出数据库")
    return Snapshot(path, head[0], head[1], sorted(keks))


def create_backup(output: Path) -> Backup:
    output = Path(output).absolute()
    if output.exists():
        raise InvalidState(f"备份文件已存在：{output}（不覆盖已有的备份，请换一个文件名）", code="exists")
    if not output.parent.is_dir():
        raise InvalidState(f"备份文件所在目录不存在：{output.parent}", code="no_dir")
    kind = engine()
    partial = output.with_name(output.name + ".part")
    work = Path(tempfile.mkdtemp(prefix=".cpaudit-backup-", dir=output.parent))
    try:
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            writer = Writer(tar)
            writer.add_folder("checkpoints")
            snapshot = sqlite_snapshot(work) if kind == "sqlite" else postgres_snapshot(work)
            writer.add_file(DATABASE[kind], snapshot.path)
            snapshot.path.unlink()
            problems = writer.add_folder("evidence")
            if problems:
                raise InvalidState("；".join(problems[:3]) + (f"（共 {len(problems)} 个）" if len(problems) > 3 else ""),
                                   code="evidence_corrupt")
            writer.add_folder("jobs")
            manifest = {
                "format": FORMAT, "version": VERSION, "created": clock.server_now().isoformat(),
                "engine": kind, "database": DATABASE[kind],
                "log_head": {"seq": snapshot.seq, "digest": snapshot.digest},
                "kek_check": snapshot.kek_checks, "files": writer.files,
            }
            manifest_sm3 = writer.add_bytes(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1,
                                                                 sort_keys=True).encode("utf-8"))
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    files = sum(1 for name in manifest["files"] if name.startswith(("evidence/", "jobs/", "checkpoints/")))
    return Backup(output, manifest_sm3, kind, snapshot.seq, files, output.stat().st_size)
