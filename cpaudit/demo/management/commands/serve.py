"""`cpaudit serve [--port PORT]`: the background worker plus the web application served by gunicorn on
127.0.0.1 — the WSGI server and code path of production, with DEBUG as the settings say (off unless a
developer sets DJANGO_DEBUG=1), static files through WhiteNoise.

Both run as child processes with this process's environment (hence the same settings and database)
and are stopped together when either ends or on Ctrl-C / SIGTERM.
"""

import signal
import subprocess
import sys

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


class Command(BaseCommand):
    help = "启动后台任务进程和网站（gunicorn，127.0.0.1，端口默认取环境变量 PORT，否则 8000）。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None, help="监听端口（默认：环境变量 PORT 或 8000）")

    def handle(self, *args, **options):
        port = options["port"] or settings.CPAUDIT_PORT
        if not 0 < port < 65536:
            raise CommandError(f"端口号无效：{port}")
        worker = subprocess.Popen([sys.executable, "-m", "cpaudit.manage", "worker"])
        self.stdout.write(f"后台任务进程已启动（PID {worker.pid}）")

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
            _stop(worker)
            self.stdout.write("网站和后台任务进程已停止")
