"""What the status page reads (views_status): the workers, the jobs, the incidents, and live checks of
the storage the platform writes to. A fixed number of queries whatever the data size."""

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count

from cpaudit.core import clock
from cpaudit.core.aftercommit import describe
from cpaudit.core.checkpoint import default_checkpoint_path
from cpaudit.core.models import LogHead

from .models import Incident, Job, WorkerStatus

# A worker refreshes its row every few seconds when idle and every CPAUDIT_JOB_HEARTBEAT_SECONDS while a
# job runs; a row older than this is shown as a worker that is not running, whatever its state says.
QUIET_AFTER = dt.timedelta(seconds=60)
LOW_SPACE = 1024 * 1024 * 1024  # free space below 1 GB is flagged
RESOLVED_SHOWN = 30


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def workers(now: dt.datetime) -> list[dict]:
    rows = []
    for worker in WorkerStatus.objects.order_by("-heartbeat_at")[:20]:
        silent = now - worker.heartbeat_at
        alive = worker.state != WorkerStatus.State.STOPPED and silent <= QUIET_AFTER
        if worker.state == WorkerStatus.State.STOPPED:
            verdict = "已停止"
        elif not alive:
            verdict = f"无心跳已 {int(silent.total_seconds())} 秒（进程可能已停止）"
        else:
            verdict = worker.get_state_display()
        rows.append({"worker": worker, "alive": alive, "verdict": verdict,
                     "ok": alive and worker.state == WorkerStatus.State.RUNNING})
    return rows


def jobs(now: dt.datetime) -> dict:
    counts = dict(Job.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    stale_before = now - dt.timedelta(seconds=settings.CPAUDIT_JOB_STALE_SECONDS)
    running = list(Job.objects.filter(status=Job.Status.RUNNING).order_by("pk")[:50])
    for job in running:
        beat = job.heartbeat_at or job.started_at
        job.silent_seconds = int((now - beat).total_seconds()) if beat else None
        job.stale = beat is None or beat < stale_before
    return {"counts": [(label, counts.get(value, 0)) for value, label in Job.Status.choices], "running": running,
            "interrupted": Job.objects.exclude(interrupted="").filter(created_at__gte=now - dt.timedelta(days=7)).count()}


def incidents() -> dict:
    return {"open": list(Incident.objects.filter(resolved_at__isnull=True).order_by("-last_at")),
            "resolved": list(Incident.objects.filter(resolved_at__isnull=False).select_related("resolved_by")
                             .order_by("-resolved_at")[:RESOLVED_SHOWN])}


def _directory(name: str, path: Path) -> Check:
    """Writable (a file is created and removed) and with room to spare."""
    try:
        if not path.exists():
            path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            return Check(name, False, f"{path} 不是目录")
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
        free = shutil.disk_usage(path).free
    except OSError as exc:
        return Check(name, False, f"{path} 不可写：{describe(exc)}")
    detail = f"{path}，可用空间 {free / 1024 ** 3:.1f} GB"
    if free < LOW_SPACE:
        return Check(name, False, detail + "（不足 1 GB）")
    return Check(name, True, detail)


def _database() -> Check:
    """Whether the database would accept a write, asked without writing (the page is a GET, and a GET
    writes nothing, not even a rolled-back probe): PostgreSQL says whether its transactions are read-only
    (default_transaction_read_only, a hot standby); SQLite is read-only when its file, or the directory
    its journal goes to, cannot be written (permissions, a read-only mount) or it was opened mode=ro."""
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('transaction_read_only')")
                read_only = cursor.fetchone()[0] == "on"
            reason = "数据库处于只读状态（transaction_read_only）"
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            read_only, reason = _sqlite_read_only(str(connection.settings_dict["NAME"]))
    except DatabaseError as exc:
        return Check("数据库", False, f"无法连接：{describe(exc)}")
    if read_only:
        return Check("数据库", False, f"无法写入：{reason}")
    return Check("数据库", True, f"{connection.vendor}，可写入")


def _sqlite_read_only(name: str) -> tuple[bool, str]:
    if name.startswith("file:"):
        path, _, query = name[len("file:"):].partition("?")
        if "mode=ro" in query.split("&"):
            return True, "以只读方式打开（mode=ro）"
        if "mode=memory" in query.split("&"):
            return False, ""
        name = path
    if name == ":memory:" or not name:
        return False, ""
    db = Path(name)
    if db.exists() and not os.access(db, os.W_OK):
        return True, f"{db} 不可写"
    if not os.access(db.parent, os.W_OK):
        return True, f"{db.parent} 不可写（日志文件无法创建）"
    return False, ""


def _checkpoint() -> Check:
    path = default_checkpoint_path()
    head = LogHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        last = json.loads(lines[-1]) if lines else None
    except (OSError, ValueError) as exc:
        return Check("日志检查点", False, f"{path} 无法读取：{describe(exc)}")
    if last is None:
        return Check("日志检查点", head == 0, f"尚无检查点（日志共 {head} 条）")
    from cpaudit.documents.selectors import pending_checkpoints

    behind = head - int(last.get("seq", 0))
    detail = f"最近一次 {str(last.get('time', ''))[:19]}，第 {last.get('seq')} 条（日志现有 {head} 条）"
    if behind > 0:
        detail += f"，其后新增 {behind} 条待下次检查点"
    pending = pending_checkpoints().count()  # documents whose own checkpoint failed
    if pending:
        return Check("日志检查点", False, detail + f"；{pending} 份已签发文书尚未有检查点（检查点写入失败，待重试）")
    return Check("日志检查点", True, detail)


def storage_checks() -> list[Check]:
    return [
        _database(),
        _directory("数据目录", Path(settings.CPAUDIT_DATA_DIR)),
        _directory("佐证材料目录", Path(settings.CPAUDIT_EVIDENCE_DIR)),
        _directory("检查点目录", Path(settings.CPAUDIT_CHECKPOINT_DIR)),
        _directory("后台任务文件目录", Path(settings.CPAUDIT_JOB_DIR)),
        _checkpoint(),
    ]


def status_overview() -> dict:
    now = clock.server_now()
    return {"now": now, "workers": workers(now), "jobs": jobs(now), "incidents": incidents(),
            "checks": storage_checks()}
