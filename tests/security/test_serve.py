"""`make run`'s server as a real process: gunicorn, DEBUG off, static files served, the error pages in
Chinese and never Django's debug page; SIGTERM stops the web server and the worker."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)


@pytest.fixture
def site_env(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CPAUDIT_", "DJANGO_")) and k not in {"DATABASE_URL", "PORT"}}
    env.update(DJANGO_SETTINGS_MODULE="cpaudit.settings.dev", CPAUDIT_DATA_DIR=str(tmp_path / "data"),
               PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "cpaudit.manage", "migrate", "--noinput"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return env


def test_serve_is_gunicorn_without_debug(site_env):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "cpaudit.manage", "serve", "--port", str(port)], env=site_env,
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, html, headers = _get(base + "/login/")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline and server.poll() is None, "server did not start"
                time.sleep(0.5)
        assert status == 200 and "登录" in html and "no-store" in headers["Cache-Control"]
        assert "gunicorn" in headers.get("Server", "")
        css = _get(base + "/static/cpaudit/site.css")
        assert css[0] == 200 and ".topbar" in css[1]
        missing = _get(base + "/no/such/page/")
        assert missing[0] == 404 and "页面不存在" in missing[1]
        assert "URLconf" not in missing[1] and "DEBUG = True" not in missing[1]
        bad = _get(base + "/login/?next=%00")
        assert bad[0] < 500
    finally:
        os.killpg(server.pid, signal.SIGTERM) if server.poll() is None else None
        output = server.communicate(timeout=60)[0]
    assert server.returncode == 0, output
    assert "网站和后台任务进程已停止" in output
