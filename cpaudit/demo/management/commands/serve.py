"""`cpaudit serve [--port PORT]`: the background worker plus Django's development server on 127.0.0.1.

The worker (`cpaudit worker`) runs as a child process with the same environment and is terminated
when the server stops (Ctrl-C or SIGTERM).
"""

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "启动后台任务进程和开发服务器（127.0.0.1，端口默认取环境变量 PORT，否则 8000）。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None, help="监听端口（默认：环境变量 PORT 或 8000）")

    def handle(self, *args, **options):
        port = options["port"] or settings.CPAUDIT_PORT
        if not 0 < port < 65536:
            raise CommandError(f"端口号无效：{port}")
        # The child inherits this process's environment, hence the same settings and database.
        worker = subprocess.Popen([sys.executable, "-m", "cpaudit.manage", "worker"])
        self.stdout.write(f"后台任务进程已启动（PID {worker.pid}）")

        def _terminate(signum, frame):
            raise SystemExit(0)

        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            signal.signal(signal.SIGTERM, previous)
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
            self.stdout.write("后台任务进程已停止")
