"""Two app servers and two workers against one PostgreSQL are interchangeable (issue 15, "beyond one
machine"; docs/DEPLOYMENT.md): two `cpaudit serve` processes — each gunicorn plus a worker — on a copy
of the demo, sharing its database and its data directory (the shared file storage), as two hosts behind
a load balancer would. A login made through one works through the other, a change made through one is
seen through the other (a cached page included), a file uploaded through one downloads through the
other, and every job is run exactly once with both workers claiming."""

import re
import uuid
from http.cookiejar import CookieJar
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

from cpaudit.demo.data import PASSWORD

from .test_worker_failures import Running, _try, free_port, postgres_only, wait_for

EVIDENCE = b"%PDF-1.4\n% two servers\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
JOBS = 8


class Browser:
    """One person's cookies (a cookie belongs to the host, whatever the port: both servers get it)."""

    def __init__(self):
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def get(self, url: str):
        response = self.opener.open(url, timeout=60)
        return response.status, response.read()

    def token(self, url: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(url)[1].decode())[1]

    def post(self, url: str, fields: dict, files: dict | None = None, referer: str = ""):
        if files:
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                     for k, v in fields.items()]
            for name, (filename, content) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
                             f'\r\nContent-Type: application/pdf\r\n\r\n'.encode() + content + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        else:
            body, headers = urlencode(fields).encode(), {}
        headers["Referer"] = referer or url
        response = self.opener.open(Request(url, data=body, headers=headers), timeout=60)
        return response.status, response.read()

    def login(self, base: str, username: str) -> None:
        token = self.token(f"{base}/login/")
        self.post(f"{base}/login/", {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})


def _editable_record(site) -> tuple[str, int, int, int]:
    """(enterprise user, step record, enrolment, step) of a step in progress the user may attach to."""
    rows = site.sql(
        "SELECT u.username, r.id, r.enrolment_id, r.step_id FROM org_user u "
        "JOIN campaigns_enrolment e ON e.enterprise_id = u.enterprise_id "
        "JOIN campaigns_campaign c ON c.id = e.campaign_id "
        "JOIN progress_steprecord r ON r.enrolment_id = e.id "
        "WHERE u.role = 'enterprise' AND u.is_active AND c.status = 'active' AND r.status = 'in_progress' "
        "ORDER BY r.id LIMIT 1")
    assert rows, "演示数据中没有可上传佐证材料的进行中步骤"
    return rows[0]


def test_two_servers_and_two_workers_are_interchangeable(site):
    postgres_only(site)
    bases = [f"http://127.0.0.1:{port}" for port in (free_port(), free_port())]
    servers = [Running(site, "serve", "--port", base.rsplit(":", 1)[1]) for base in bases]
    try:
        for base in bases:
            wait_for(lambda base=base: _try(lambda: Browser().get(f"{base}/login/")), f"网站 {base} 启动")
        wait_for(lambda: site.sql("SELECT COUNT(*) FROM jobs_workerstatus")[0][0] >= 2, "两个后台任务进程运行")
        a, b = bases

        # A login through A works through B.
        username, record, enrolment, step = _editable_record(site)
        person = Browser()
        person.login(a, username)
        status, home = person.get(f"{b}/")
        assert status == 200 and "退出" in home.decode()

        # A file uploaded through A downloads through B, and the change is seen there.
        page = f"/progress/enrolments/{enrolment}/steps/{step}/"
        filename = f"两台服务器-{uuid.uuid4().hex[:6]}.pdf"
        person.post(f"{a}/progress/records/{record}/evidence/", {"csrfmiddlewaretoken": person.token(f"{a}{page}")},
                    files={"file": (filename, EVIDENCE)}, referer=f"{a}{page}")
        (evidence,) = site.sql("SELECT id FROM progress_evidence WHERE original_name = %s", filename)
        assert filename in person.get(f"{b}{page}")[1].decode()
        status, content = person.get(f"{b}/progress/evidence/{evidence[0]}/")
        assert status == 200 and content == EVIDENCE

        # A page B keeps (core.pagecache) follows a change made through A.
        staff = Browser()
        staff.login(b, "jx_staff")
        staff.get(f"{b}/registry/enterprises/")
        before = staff.get(f"{b}/registry/enterprises/")[1].decode()
        (enterprise,) = site.sql("SELECT e.id, e.name FROM registry_enterprise e JOIN org_agency a ON a.division_id = "
                                 "e.county_id JOIN org_user u ON u.agency_id = a.id WHERE u.username = 'jx_staff' "
                                 "ORDER BY e.id LIMIT 1")
        assert enterprise[1] in before
        site.django(  # the change as a page makes it (its service, in another process than either server)
            "from cpaudit.org.models import User\nfrom cpaudit.registry.models import Enterprise\n"
            "from cpaudit.registry.services import enterprise_update\n"
            f"enterprise_update(actor=User.objects.get(username='jx_staff'), enterprise=Enterprise.objects.get(pk={enterprise[0]}),"
            " data={'name': '两台服务器改名测试有限公司'})\n")
        assert "两台服务器改名测试有限公司" in staff.get(f"{b}/registry/enterprises/")[1].decode()
        assert "两台服务器改名测试有限公司" in staff.get(f"{a}/registry/enterprises/")[1].decode()

        # Jobs queued through either server run exactly once, whichever worker claims them.
        exports_before = site.sql("SELECT COUNT(*) FROM core_actionlog WHERE action = 'registry.export.completed'")[0][0]
        jobs = [site.enqueue("registry.export", "bd_staff", {"filters": {}}) for _ in range(JOBS)]
        wait_for(lambda: all(site.job(pk)["status"] == "done" for pk in jobs), "导出任务全部完成")
        rows = site.sql("SELECT attempts, worker FROM jobs_job WHERE id = ANY(%s)", jobs)
        assert [attempts for attempts, _ in rows] == [1] * JOBS
        exports = site.sql("SELECT COUNT(*) FROM core_actionlog WHERE action = 'registry.export.completed'")[0][0]
        assert exports - exports_before == JOBS
        city = Browser()
        city.login(a, "bd_staff")
        status, workbook = city.get(f"{b}/jobs/{jobs[0]}/download/")
        assert status == 200 and workbook[:2] == b"PK"
        workers = {worker for _, worker in rows}
    finally:
        for server in servers:
            server.stop()
    # Which worker claims which job is a race; over eight jobs both usually take some. Reported, not
    # required: exactly-once is the property.
    print(f"jobs claimed by {len(workers)} worker(s): {sorted(workers)}")
