"""`cpaudit serve [--port PORT]`: the background worker plus the web application served by gunicorn on
127.0.0.1 — the WSGI server and code path of production, with DEBUG as the settings say (off unless a
developer sets DJANGO_DEBUG=1), static files through WhiteNoise.

Both run as child processes with this process's environment (hence the same settings and database)
and are stopped together when the web server ends or on Ctrl-C / SIGTERM. The worker is supervised:
when it dies (a crash, kill -9, out of memory) it is started again (WorkerSupervisor), as systemd's
Restart=always does in production (docs/OPERATIONS.md).
"""

import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Two workers for the two cores of the reference machine; PDFs of long reports take seconds.
GUNICORN_OPTIONS = ["--workers", "2", "--timeout", "120", "--graceful-timeout", "10", "--access-logfile", "-"]


def gunicorn_command(port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "cpaudit.wsgi:application", "--bind", f"127.0.0.1:{port}",
            *GUNICORN_OPTIONS]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class WorkerSupervisor(threading.Thread):
    """Keeps `cpaudit worker` running: looks every second whether it exited and starts it again, after
    1 s, doubling up to a minute while it keeps dying within a minute of its start. What happens is
    said on the console (`say`)."""

    POLL_SECONDS = 1.0
    MAX_DELAY = 60.0
    command = [sys.executable, "-m", "cpaudit.manage", "worker"]

    def __init__(self, say):
        super().__init__(name="worker-supervisor", daemon=True)
        self.say = say
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.restarts = 0

    def launch(self) -> subprocess.Popen:
        with self.lock:
            if not self.stopping.is_set():
                self.process = subprocess.Popen(self.command)
                self.started_at = time.monotonic()
            return self.process

    def run(self) -> None:
        deaths = 0  # in a row, each within a minute of its start
        while not self.stopping.wait(self.POLL_SECONDS):
            code = self.process.poll()
            if code is None:
                continue
            deaths = deaths + 1 if time.monotonic() - self.started_at < 60 else 1
            delay = min(2.0 ** (deaths - 1), self.MAX_DELAY)
            self.say(f"后台任务进程意外退出（退出码 {code}），{delay:.0f} 秒后重启")
            if self.stopping.wait(delay):
                break
            process = self.launch()
            if not self.stopping.is_set():
                self.restarts += 1
                self.say(f"后台任务进程已重启（PID {process.pid}）")

    def stop(self) -> None:
        with self.lock:
            self.stopping.set()
        if self.process is not None:
            _stop(self.process)


class Command(BaseCommand):
    help = "启动后台任务进程和网站（gunicorn，127.0.0.1，端口默认取环境变量 PORT，否则 8000）。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None, help="监听端口（默认：环境变量 PORT 或 8000）")

    def handle(self, *args, **options):
        port = options["port"] or settings.CPAUDIT_PORT
        if not 0 < port < 65536:
            raise CommandError(f"端口号无效：{port}")

        def say(text: str) -> None:  # from the supervisor's thread too: seen at once through a pipe
            self.stdout.write(text)
            self.stdout.flush()

        supervisor = WorkerSupervisor(say)
        worker = supervisor.launch()
        say(f"后台任务进程已启动（PID {worker.pid}）")
        supervisor.start()

        def _terminate(signum, frame):
            raise SystemExit(0)

        previous = signal.signal(signal.SIGTERM, _terminate)
        server = None
        try:
            server = subprocess.Popen(gunicorn_command(port))
            self.stdout.write(f"网站已启动：http://127.0.0.1:{port}/（gunicorn，PID {server.pid}）")
            code = server.wait()
            if code:
                raise CommandError(f"网站进程异常退出（退出码 {code}），请查看上方的错误信息")
        finally:
            signal.signal(signal.SIGTERM, previous)
            if server is not None:
                _stop(server)
            supervisor.stop()
            self.stdout.write("网站和后台任务进程已停止")
