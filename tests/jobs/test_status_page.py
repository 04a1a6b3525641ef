"""The running-state page (jobs/views_status.py) for the system and security administrators: workers
by their heartbeat, jobs, incidents (closed there, logged) and live checks of storage."""

import datetime as dt
import os
import re

import pytest
from django.urls import reverse

from cpaudit.core import clock
from cpaudit.core.models import ActionLog
from cpaudit.jobs import incidents
from cpaudit.jobs.models import Incident, Job, WorkerStatus
from cpaudit.org.roles import Role


@pytest.fixture
def page(world, login):
    def get(role=Role.SYSTEM_ADMIN) -> str:
        response = login(world.users[role]).get(reverse("jobs:status"))
        assert response.status_code == 200
        return response.content.decode()

    return get


def ago(**kwargs):
    return clock.server_now() - dt.timedelta(**kwargs)


def test_the_page_tells_a_live_worker_from_a_silent_one(page):
    WorkerStatus.objects.create(name="host-a:1", started_at=ago(hours=1), heartbeat_at=ago(seconds=3))
    WorkerStatus.objects.create(name="host-b:2", started_at=ago(hours=2), heartbeat_at=ago(minutes=10))
    WorkerStatus.objects.create(name="host-c:3", state=WorkerStatus.State.FAILING, started_at=ago(hours=1),
                                heartbeat_at=ago(seconds=5), problem="OperationalError: server closed the connection",
                                problem_since=ago(minutes=1))
    html = page(Role.SECURITY_ADMIN)
    assert "host-a:1</td><td><span class=\"badge\">运行中" in html
    assert re.search(r'host-b:2</td><td><span class="badge bad">无心跳已 60\d 秒（进程可能已停止）', html)
    assert "故障（自动重试中）" in html and "OperationalError: server closed the connection" in html


def test_without_any_worker_the_page_says_so(page):
    assert "后台任务进程从未启动" in page()


def test_a_stale_running_job_is_flagged(page, settings):
    settings.CPAUDIT_JOB_STALE_SECONDS = 60
    Job.objects.create(kind="registry.import", status=Job.Status.RUNNING, worker="gone:9", started_at=ago(minutes=5),
                       heartbeat_at=ago(minutes=4), attempts=1)
    assert "秒（进程已停止，将被收回）" in page()


def test_an_incident_is_listed_and_closed_by_an_administrator(world, login, page):
    incidents.record("storage:files", "文件存储无法写入，请求被拒绝（存储空间已满）", "OSError: [Errno 28] No space left")
    incidents.record("storage:files", "文件存储无法写入，请求被拒绝（存储空间已满）", "OSError: [Errno 28] again")
    incident = Incident.objects.get()
    assert incident.count == 2
    html = page()
    assert "文件存储无法写入，请求被拒绝（存储空间已满）" in html and "OSError: [Errno 28] again" in html
    client = login(world.users[Role.SECURITY_ADMIN])
    response = client.post(reverse("jobs:incident_resolve", args=[incident.pk]), {"resolution": "已清理磁盘"},
                           follow=True)
    assert "已标记为处理完毕" in response.content.decode()
    incident.refresh_from_db()
    assert (incident.resolution, incident.resolved_by) == ("已清理磁盘", world.users[Role.SECURITY_ADMIN])
    entry = ActionLog.objects.filter(action="jobs.incident.resolved").get()
    assert entry.actor_name == world.users[Role.SECURITY_ADMIN].username
    again = client.post(reverse("jobs:incident_resolve", args=[incident.pk]), follow=True).content.decode()
    assert "该故障已处理完毕" in again
    html = page()
    assert "当前没有待处理的故障" in html and "已清理磁盘" in html


def test_storage_checks_name_what_is_wrong(page, settings, tmp_path):
    blocked = tmp_path / "jobs"
    blocked.write_text("挡路的文件")
    settings.CPAUDIT_JOB_DIR = blocked
    html = page()
    assert "<td>数据库</td><td><span class=\"badge\">正常</span>" in html
    assert f"<td>后台任务文件目录</td><td><span class=\"badge bad\">异常</span></td><td>{blocked} 不是目录" in html


def test_the_page_reads_a_fixed_number_of_queries(world, login):
    client = login(world.users[Role.SYSTEM_ADMIN])
    client.get(reverse("jobs:status"))  # the session's first request loads what later ones reuse

    def grow(n):
        for i in range(n):
            now = clock.server_now()
            Incident.objects.create(key=f"k{i}-{n}", title="t", message="m", first_at=now, last_at=now)
            Job.objects.create(kind="registry.export", status=Job.Status.RUNNING, started_at=now, heartbeat_at=now)
            WorkerStatus.objects.create(name=f"w{i}-{n}", started_at=now, heartbeat_at=now)

    grow(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("jobs:status"))
    grow(20)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("jobs:status"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_read_only_sqlite_database_is_named_without_a_write(tmp_path):
    from cpaudit.jobs.selectors import _sqlite_read_only

    db = tmp_path / "db.sqlite3"
    db.write_bytes(b"")
    assert _sqlite_read_only(str(db)) == (False, "")
    assert _sqlite_read_only(f"file:{db}?mode=ro")[0] is True
    assert _sqlite_read_only("file:memorydb?mode=memory&cache=shared") == (False, "")
    db.chmod(0o444)
    try:
        if os.access(db, os.W_OK):
            pytest.skip("以 root 运行：文件权限不限制 root 写入")
        assert _sqlite_read_only(str(db)) == (True, f"{db} 不可写")
    finally:
        db.chmod(0o644)
