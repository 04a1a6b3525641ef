"""The worker on a bad day, as real processes on a copy of the demo (issue 12):
- killed with SIGKILL in the middle of a long import, the next worker finds the job and runs it again
  (the import is all or nothing: nothing of the first run remains, nothing is imported twice);
- a job whose heartbeat went stale on another host is taken back (queued again or failed, as its kind
  allows) and a failed export's file removed;
- an unwritable checkpoint directory does not stop the worker, and is recorded for the operator;
- a dropped database connection (pg_terminate_backend) is survived, and a database that refuses writes
  for a while is reported once it is back (PostgreSQL only: on SQLite there is no server connection);
- `cpaudit serve` starts the worker again when it dies.
"""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time

import psycopg
import pytest
from openpyxl import Workbook

from tests.factories import make_uscc
from tests.registry.test_excel_support import TEMPLATE_HEADERS, valid_row

WAIT = 180


class Running:
    """A long-running `cpaudit …` process of a site, its output in files (no pipe to fill up)."""

    def __init__(self, site, *args, env=None):
        self.out_path = site.work_dir / f"{args[0]}-{time.monotonic_ns()}.out"
        self.err_path = self.out_path.with_suffix(".err")
        site.invoked.append(args[0])
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.process = subprocess.Popen([sys.executable, "-m", "cpaudit.manage", *map(str, args)],
                                            cwd=site.work_dir, env=site.environ(**(env or {})), stdout=out,
                                            stderr=err, text=True)

    @property
    def out(self) -> str:
        return self.out_path.read_text(encoding="utf-8")

    @property
    def err(self) -> str:
        return self.err_path.read_text(encoding="utf-8")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> int:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def wait_for(condition, what: str, timeout: float = WAIT, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"等待超时：{what}"
        time.sleep(every)


def big_import(site, rows: int) -> str:
    """An upload of `rows` new enterprises of 竞秀区 (jx_staff's county), where the import page puts it."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    ws.append(TEMPLATE_HEADERS)
    for n in range(rows):
        row = valid_row(**{"统一社会信用代码": make_uscc(700_000_000 + n, prefix="91130602"),
                           "企业名称": f"中断测试企业{n}有限公司"})
        ws.append([row.get(h) for h in TEMPLATE_HEADERS])
    path = site.data_dir / "jobs" / "upload-killed.xlsx"
    path.parent.mkdir(exist_ok=True)
    wb.save(path)
    return str(path)


def imported(site) -> int:
    return site.sql("SELECT COUNT(*) FROM registry_enterprise WHERE name LIKE %s", "中断测试企业%")[0][0]


def test_a_worker_killed_mid_import_is_replaced_and_the_import_runs_again(site):
    rows = 12_000
    pk = site.enqueue("registry.import", "jx_staff", {"path": big_import(site, rows), "filename": "大名录.xlsx",
                                                      "campaign": None, "dry_run": False})
    worker = Running(site, "worker", "--interval", "0.2")
    try:
        wait_for(lambda: site.job(pk)["progress"] >= 1000 or not worker.alive(), "导入开始报告进度")
        assert worker.alive() and site.job(pk)["status"] == "running", worker.err
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait()  # reaped: the pid is gone, as under systemd
    finally:
        worker.stop()
    assert site.job(pk)["status"] == "running" and imported(site) == 0  # stuck "执行中", nothing written
    (held_by,) = site.sql("SELECT worker FROM jobs_job WHERE id = %s", pk)[0]
    assert held_by == f"{socket.gethostname()}:{worker.process.pid}"
    before = site.log_count()
    done = site.run("worker", "--once")
    assert (done.code, done.out) == (0, [f"任务 #{pk} 的执行进程已停止：排队中", "1 个任务已执行"]), done
    job = site.job(pk)
    assert (job["status"], job["result"]["created"], job["result"]["rows"]) == ("done", rows, rows), job
    assert imported(site) == rows
    attempts, interrupted = site.sql("SELECT attempts, interrupted FROM jobs_job WHERE id = %s", pk)[0]
    assert attempts == 2 and interrupted.startswith("任务中断：执行该任务的后台任务进程已停止；本任务可安全重做")
    assert [e["action"] for e in site.log_since(before)] == ["jobs.job.requeued", "registry.import.completed"]
    assert not (site.data_dir / "jobs" / "upload-killed.xlsx").exists()  # the upload goes with the job
    assert site.run("verify-log").code == 0


def db_time(site, moment: dt.datetime) -> str:
    """A time as Django stores it (SQLite: naive UTC text with microseconds), so that the conditional
    updates that compare it with what was read match."""
    moment = moment.astimezone(dt.UTC).replace(microsecond=moment.microsecond or 1)
    naive = moment.replace(tzinfo=None).isoformat(" ")
    return f"{naive}+00:00" if site.database.postgres else naive


def test_stale_jobs_of_another_host_are_taken_back(site):
    importing = site.enqueue("registry.import", "jx_staff", {
        "path": str(big_import(site, 3)), "filename": "名录.xlsx", "campaign": None, "dry_run": False})
    exporting = site.enqueue("registry.export", "bd_staff", {"filters": {}})
    partial = site.data_dir / "jobs" / "enterprises-x.xlsx"
    partial.write_bytes(b"PK half written")
    stale = db_time(site, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10))
    for pk in (importing, exporting):
        site.execute(f"UPDATE jobs_job SET status = 'running', worker = 'elsewhere:77', attempts = 1, "
                     f"heartbeat_at = '{stale}', started_at = '{stale}' WHERE id = {pk}")
    site.execute(f"UPDATE jobs_job SET result_file = 'enterprises-x.xlsx' WHERE id = {exporting}")
    done = site.run("worker", "--once", env={"CPAUDIT_JOB_STALE_SECONDS": 60})
    assert done.code == 0 and done.out[-1] == "1 个任务已执行", done
    assert sorted(done.out[:-1]) == sorted([f"任务 #{importing} 的执行进程已停止：排队中",
                                           f"任务 #{exporting} 的执行进程已停止：失败"])
    assert site.job(importing)["status"] == "done" and imported(site) == 3
    job = site.job(exporting)
    assert job["status"] == "failed" and job["result_file"] == ""
    assert job["message"] == "任务失败：执行该任务的后台任务进程已停止（超过 60 秒没有心跳），任务未完成；如仍需要，请重新提交"
    assert not partial.exists()


def test_an_unwritable_checkpoint_does_not_stop_the_worker(site):
    checkpoints = site.data_dir / "checkpoints"
    if checkpoints.exists():
        checkpoints.rename(site.data_dir / "checkpoints-moved")
    checkpoints.write_text("一个文件挡住了检查点目录")  # root ignores permissions; a file stops everyone
    pk = site.enqueue("registry.export", "bd_staff", {"filters": {}})
    worker = Running(site, "worker", "--interval", "0.2")
    try:
        wait_for(lambda: site.job(pk)["status"] in ("done", "failed") or not worker.alive(), "导出完成")
        assert worker.alive(), worker.err
    finally:
        code = worker.stop()
    assert code == 0 and site.job(pk)["status"] == "done", worker.err
    assert worker.out.splitlines() == ["后台任务进程已启动", "后台任务进程已停止"]
    (title, retry_at, open_) = site.sql("SELECT title, retry_at, resolved_at IS NULL FROM jobs_incident "
                                        "WHERE key = 'aftercommit:daily-checkpoint'")[0]
    assert title.startswith("每日操作日志检查点未能写入") and retry_at and open_
    assert "after-commit task 'daily-checkpoint' failed" in worker.err
    assert site.sql("SELECT state FROM jobs_workerstatus")[0][0] == "stopped"


def postgres_only(site):
    if not site.database.postgres:
        pytest.skip("需要 PostgreSQL：SQLite 没有可以断开的数据库服务器连接（CI 在 PostgreSQL 上运行本测试）")


def terminate_backends(site) -> int:
    """pg_terminate_backend of every connection to the site's database but this one: the drill."""
    with psycopg.connect(site.database.url, autocommit=True) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchall()
    return len(rows)


def test_a_dropped_connection_is_survived(site):
    postgres_only(site)
    worker = Running(site, "worker", "--interval", "0.2")
    try:
        wait_for(lambda: site.sql("SELECT COUNT(*) FROM jobs_workerstatus")[0][0], "后台任务进程连接数据库")
        assert terminate_backends(site) >= 1
        pk = site.enqueue("registry.export", "bd_staff", {"filters": {}})
        wait_for(lambda: site.job(pk)["status"] in ("done", "failed") or not worker.alive(), "断线后执行任务")
        assert worker.alive() and site.job(pk)["status"] == "done", worker.err
    finally:
        worker.stop()
    assert "turn failed, retrying" in worker.err  # logged, reconnected, carried on
    assert site.sql("SELECT COUNT(*) FROM jobs_incident")[0][0] == 0  # transient: not an operator's incident


def test_a_database_refusing_writes_is_reported_once_it_is_back(site):
    postgres_only(site)
    name = site.database.name
    worker = Running(site, "worker", "--interval", "0.2", env={"CPAUDIT_WORKER_REPORT_AFTER_SECONDS": 1,
                                                                "CPAUDIT_WORKER_BACKOFF_MAX_SECONDS": 1})
    try:
        wait_for(lambda: site.sql("SELECT COUNT(*) FROM jobs_workerstatus")[0][0], "后台任务进程连接数据库")
        site.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        terminate_backends(site)  # new connections are read-only
        wait_for(lambda: "连续" in worker.err and "仍在自动重试" in worker.err, "报告持续故障", timeout=60)
        assert worker.alive()
        with psycopg.connect(site.database.url, autocommit=True) as conn:
            conn.execute("SET default_transaction_read_only = off")
            conn.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        terminate_backends(site)
        wait_for(lambda: "已恢复正常" in worker.err, "恢复正常")
    finally:
        worker.stop()
    rows = site.sql("SELECT title, message, resolved_at IS NOT NULL FROM jobs_incident WHERE key LIKE 'worker:%%'")
    assert len(rows) == 1 and rows[0][2], rows  # recorded once it could be, and closed
    assert "连续" in worker.err and "read-only transaction" in worker.err  # what stderr (the journal) had
    actions = [e["action"] for e in site.log_since(0) if e["action"].startswith("jobs.incident")]
    assert actions == ["jobs.incident.opened", "jobs.incident.resolved"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_the_worker_again_when_it_dies(site):
    serve = Running(site, "serve", "--port", free_port())
    try:
        first = int(wait_for(lambda: _pid(serve.out, "后台任务进程已启动（PID "), "serve 启动后台任务进程"))
        wait_for(lambda: site.sql("SELECT COUNT(*) FROM jobs_workerstatus")[0][0], "后台任务进程运行")
        os.kill(first, signal.SIGKILL)
        second = int(wait_for(lambda: _pid(serve.out, "后台任务进程已重启（PID "), "重启后台任务进程", timeout=60))
        assert second != first and "后台任务进程意外退出（退出码 -9），1 秒后重启" in serve.out
        pk = site.enqueue("registry.export", "bd_staff", {"filters": {}})
        wait_for(lambda: site.job(pk)["status"] == "done", "重启后的进程执行任务")
    finally:
        serve.stop()
    assert serve.out.splitlines()[-1] == "网站和后台任务进程已停止", serve.out
    with pytest.raises(ProcessLookupError):
        os.kill(second, 0)


def _pid(text: str, prefix: str) -> str | None:
    for line in text.splitlines():
        if line.startswith(prefix):
            return line[len(prefix):].rstrip("）")
    return None


def test_the_first_request_after_a_dropped_connection_is_served(site):
    """gunicorn's workers keep their connections (CONN_MAX_AGE); with health checks the first request
    after pg_terminate_backend reconnects instead of failing (a 500, now the storage 503)."""
    postgres_only(site)
    import re
    from http.cookiejar import CookieJar
    from urllib.parse import urlencode
    from urllib.request import HTTPCookieProcessor, Request, build_opener

    from cpaudit.demo.data import PASSWORD

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = Running(site, "serve", "--port", port)
    try:
        opener = build_opener(HTTPCookieProcessor(CookieJar()))
        html = wait_for(lambda: _try(lambda: opener.open(f"{base}/login/", timeout=10).read().decode()), "网站启动")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
        form = urlencode({"csrfmiddlewaretoken": token, "username": "jx_staff", "password": PASSWORD}).encode()
        opener.open(Request(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}), timeout=30)
        statuses = [opener.open(f"{base}/", timeout=30).status for _ in range(6)]  # both workers connect
        assert statuses == [200] * 6
        assert terminate_backends(site) >= 1
        statuses = [_status(opener, f"{base}/") for _ in range(6)]
    finally:
        serve.stop()
    assert statuses == [200] * 6, statuses


def _try(fn):
    try:
        return fn()
    except OSError:
        return None


def _status(opener, url) -> int:
    from urllib.error import HTTPError

    try:
        return opener.open(url, timeout=30).status
    except HTTPError as exc:
        return exc.code
