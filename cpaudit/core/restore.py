"""`cpaudit restore FILE`: a backup (core/backup.py) into an empty installation, verified, then recorded.

1. Refused before anything is written: no usable key-encryption key (it is not in the backup: the seal
   keys, hence the checkpoints' signatures, need the same one; the manifest's `kek_check` tells), a
   backup of the other database engine, a database that has tables, or a data, evidence, checkpoint or
   job directory that holds files.
2. Every member is checked against the manifest's SM3 (and each stored file against its SM3 name)
   while it is extracted to a staging directory; a member missing, extra or different refuses.
3. The database: the SQLite file put in place and `PRAGMA integrity_check`ed, or `pg_restore` in one
   transaction; then the files moved in place and `migrate` (a backup of an older release).
4. Verified: the chain and its head, the head against the manifest's, the backed-up checkpoints
   (their platform signatures, every checkpointed entry). Any problem: exit 1, nothing recorded.
5. Recorded: an action-log entry (core.backup.restored) and a signed checkpoint line carrying
   `restore` (core/checkpoint.py): verification from now on knows the chain continues from the
   backup's head, and still reports any other cut or rewrite.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from .actors import SystemActor
from .backup import (
    CHUNK,
    DATABASE,
    ENGINE_LABELS,
    FOLDERS,
    FORMAT,
    MANIFEST,
    STORED,
    VERSION,
    engine,
    folder,
    pg_tool,
    run_pg,
)
from .checkpoint import chain_problems, check_against_checkpoints, default_checkpoint_path, write_checkpoint
from .errors import InvalidState
from .log import log_action

ACTION = "core.backup.restored"


@dataclass
class Restored:
    manifest_sm3: str
    created: str
    seq: int
    files: int
    checkpoint_lines: int
    signed: bool


def refuse(message: str, code: str = "restore_refused"):
    raise InvalidState(message, code=code)


# --- 1. before anything is written -------------------------------------------------------------------

def check_kek(manifest: dict) -> None:
    from cpaudit.documents import crypto

    problem = crypto.kek_problem(getattr(settings, crypto.SETTING, None))
    if problem:
        refuse(f"{problem}。该密钥不在备份中：恢复前须设置为备份时所用的同一值", "kek_missing")
    wanted = manifest.get("kek_check") or []
    if wanted and crypto.kek_check() not in wanted:
        refuse(f"{crypto.SETTING} 与备份中印章密钥所用的不一致：请设置备份时所用的同一值", "kek_wrong")


def read_manifest(tar: tarfile.TarFile) -> tuple[dict, str]:
    try:
        data = tar.extractfile(tar.getmember(MANIFEST)).read()
        manifest = json.loads(data)
    except (KeyError, AttributeError, ValueError) as exc:
        refuse(f"不是本平台的备份文件（没有可读的 {MANIFEST}）：{exc}", "not_a_backup")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        refuse(f"不是本平台可识别的备份文件（格式 {FORMAT} 第 {VERSION} 版）", "not_a_backup")
    return manifest, hashlib.new("sm3", data).hexdigest()


def database_tables(kind: str) -> list[str]:
    if kind == "sqlite":
        path = Path(settings.DATABASES["default"]["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return []
        conn = sqlite3.connect(path)
        try:
            return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                               "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        finally:
            conn.close()
    try:
        return connection.introspection.table_names()
    except DatabaseError as exc:
        refuse(f"无法连接 DATABASE_URL 所指的数据库（请先创建一个空数据库）：{str(exc).strip()}", "no_database")


def refuse_non_empty(kind: str) -> None:
    tables = database_tables(kind)
    if tables:
        refuse(f"目标数据库不是空的（已有 {len(tables)} 张数据表，如 {tables[0]}）：恢复只写入空数据库，"
               "请新建一个空数据库（不要先执行 migrate）", "not_empty")
    database = Path(settings.DATABASES["default"]["NAME"]) if kind == "sqlite" else None
    ignored = {Path(settings.STATIC_ROOT)}
    if database is not None:
        ignored |= {database, *(database.with_name(database.name + s) for s in ("-wal", "-shm", "-journal"))}
    for root in [Path(settings.CPAUDIT_DATA_DIR), *(folder(name) for name in FOLDERS)]:
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.is_file() and path not in ignored and not any(p in ignored for p in path.parents):
                refuse(f"目标目录不是空的（例如 {path}）：恢复只写入新的空数据目录", "not_empty")


# --- 2. extraction --------------------------------------------------------------------------------

def allowed(name: str, kind: str) -> bool:
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or ".." in parts:
        return False
    if name == DATABASE[kind]:
        return True
    top, rest = parts[0], "/".join(parts[1:])
    return bool(rest) and (top in ("checkpoints", "jobs") or (top == "evidence" and STORED.fullmatch(rest)))


def extract(tar: tarfile.TarFile, manifest: dict, kind: str, work: Path) -> None:
    expected = manifest.get("files") or {}
    seen = set()
    for member in tar:
        name = member.name
        if name == MANIFEST:
            continue
        if not member.isfile() or name not in expected or not allowed(name, kind) or name in seen:
            refuse(f"备份文件中有清单之外或不允许的内容：{name}", "corrupt")
        seen.add(name)
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, source = hashlib.new("sm3"), tar.extractfile(member)
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected[name].get("sm3"):
            refuse(f"备份文件中的 {name} 与清单记录的 SM3 不符（备份已损坏或被改动）", "corrupt")
        if name.startswith("evidence/") and digest.hexdigest() != PurePosixPath(name).name:
            refuse(f"备份中的佐证文件 {name} 内容与其 SM3 名称不符", "corrupt")
    missing = sorted(set(expected) - seen)
    if missing:
        refuse(f"备份文件缺少清单所列的 {len(missing)} 个文件（如 {missing[0]}）：备份不完整", "corrupt")
    if DATABASE[kind] not in seen:
        refuse("备份文件中没有数据库", "corrupt")


# --- 3. database and files ------------------------------------------------------------------------

def restore_database(kind: str, staged: Path) -> list[str]:
    connection.close()
    if kind == "sqlite":
        target = Path(settings.DATABASES["default"]["NAME"])
        for leftover in (target, *(target.with_name(target.name + s) for s in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)  # empty (checked): nothing is lost
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(staged, target)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            result = [row[0] for row in cursor.fetchall()]
        return [] if result == ["ok"] else [f"数据库完整性检查未通过：{'；'.join(result[:3])}"]
    run_pg([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
            "--dbname", settings.DATABASES["default"]["NAME"], str(staged)], "pg_restore 导入数据库")
    return []  # one transaction: every constraint and index was checked as it was rebuilt


def place_files(work: Path) -> int:
    count = 0
    for name in FOLDERS:
        source = work / name
        if not source.is_dir():
            continue
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            target = folder(name) / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
            if name == "evidence":
                target.chmod(0o440)  # as storedfiles.store leaves them
            count += 1
    return count


# --- 4. and 5. ------------------------------------------------------------------------------------

def verify(manifest: dict) -> tuple[list[str], int]:
    report, problems = chain_problems()
    head = manifest.get("log_head") or {}
    if report.ok and (report.head_seq, report.head_digest) != (head.get("seq"), head.get("digest")):
        problems.append(f"恢复后的链头（第 {report.head_seq} 条）与备份清单记录的（第 {head.get('seq')} 条）不符")
    path, lines = default_checkpoint_path(), 0
    if path.exists():
        try:
            problems.extend(check_against_checkpoints(path))
        except ValueError as exc:
            problems.append(str(exc))
        lines = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return problems, lines


def record(manifest: dict, manifest_sm3: str, files: int) -> dict:
    head = manifest["log_head"]
    restore = {"seq": head["seq"], "digest": head["digest"], "backup": manifest_sm3,
               "backup_time": manifest.get("created", "")}
    with transaction.atomic():
        log_action(actor=SystemActor("restore"), action=ACTION, object_type="core.backup",
                   object_id=manifest_sm3[:16], object_repr=f"备份（{manifest.get('created', '')[:19]}）",
                   data={**restore, "engine": manifest["engine"], "files": files})
    try:
        return write_checkpoint(reason="restore", restore=restore)
    except (OSError, InvalidState) as exc:
        why = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
        refuse(f"数据已恢复并通过校验，但恢复记录未能写入检查点文件（{why}）：修复检查点目录后"
               "请用同一备份清空重来，或运行 cpaudit checkpoint-log", "checkpoint_failed")


def restore_backup(archive: Path) -> Restored:
    archive = Path(archive)
    if not archive.is_file():
        refuse(f"备份文件不存在：{archive}", "no_file")
    kind = engine()
    try:
        tar = tarfile.open(archive, "r:")
    except (tarfile.TarError, OSError) as exc:
        refuse(f"无法读取备份文件：{exc}", "not_a_backup")
    with tar:
        manifest, manifest_sm3 = read_manifest(tar)
        check_kek(manifest)
        if manifest.get("engine") != kind:
            refuse(f"这是 {ENGINE_LABELS.get(manifest.get('engine'), manifest.get('engine'))} 数据库的备份，"
                   f"当前配置的是 {ENGINE_LABELS[kind]}：请按备份的数据库类型配置后恢复", "engine")
        refuse_non_empty(kind)
        data_dir = Path(settings.CPAUDIT_DATA_DIR)
        data_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".cpaudit-restore-", dir=data_dir))
        try:
            extract(tar, manifest, kind, work)
            problems = restore_database(kind, work / DATABASE[kind])
            files = place_files(work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    call_command("migrate", interactive=False, verbosity=0)
    more, lines = verify(manifest)
    problems += more
    if problems:
        refuse(f"恢复后的校验未通过，未记录恢复：{'；'.join(problems[:3])}"
               f"{f'（共 {len(problems)} 项）' if len(problems) > 3 else ''}。请检查备份，清空目标后重试",
               "verify_failed")
    point = record(manifest, manifest_sm3, files)
    return Restored(manifest_sm3, manifest.get("created", ""), manifest["log_head"]["seq"], files, lines + 1,
                    "signature" in point)
