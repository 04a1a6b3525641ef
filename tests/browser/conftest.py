"""End-to-end journeys in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium,
headless, nothing downloaded) against a real server (`cpaudit serve`: gunicorn and the worker) on a
copy of the demo loaded once per run (tests/commands/fixtures.py).

Skipped, with the reason shown by `-ra`, when Playwright or Chromium is missing (`.ci/run` installs
Chromium, so CI always runs them) and on PostgreSQL: the journeys exercise pages, not the database, and
running them once keeps CI within its time.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.commands.fixtures import demo, site  # noqa: F401

from .journey import Browser

CHROMIUM = os.environ.get("CPAUDIT_E2E_CHROMIUM", "/usr/bin/chromium")


def _why_skip() -> str | None:
    if os.environ.get("DATABASE_URL"):
        return "浏览器端到端测试只在 SQLite 上运行（PostgreSQL 一轮从略，控制 CI 时长）"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "未安装 playwright（pip install -e '.[test]'），跳过浏览器端到端测试"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"未找到 Chromium（{CHROMIUM}）：apt-get install -y chromium 后即可运行浏览器端到端测试"
    return None


@pytest.fixture(scope="session")
def chromium():
    reason = _why_skip()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(chromium, site, tmp_path):  # noqa: F811
    """`cpaudit serve` on a private copy of the demo; its base URL. The log is kept beside the copy."""
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "cpaudit.manage", "serve", "--port", str(port)],
                               cwd=site.work_dir, env=site.environ(), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/login/", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("服务未能启动：\n" + (tmp_path / "serve.log").read_text()[-3000:])
            time.sleep(0.3)
    yield base
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def browser(chromium, server, site, request):  # noqa: F811
    """Open pages as demo users; every page checked (console, CSP, overflow), screenshots saved."""
    journey = Browser(chromium, server, site, name=request.node.name)
    yield journey
    journey.close()
