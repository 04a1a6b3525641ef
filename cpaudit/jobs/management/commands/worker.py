"""`cpaudit worker`: run background jobs; also writes the daily log checkpoint."""

import datetime as dt
import time

from django.core.management.base import BaseCommand

from cpaudit.core import clock
from cpaudit.core.checkpoint import write_checkpoint
from cpaudit.jobs.services import run_pending


class Command(BaseCommand):
    help = "后台任务进程：执行导入、导出等长任务，并每日写入操作日志检查点。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="执行完当前排队的任务后退出")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, **options):
        if options["once"]:
            self.stdout.write(f"{run_pending()} 个任务已执行")
            return
        last_checkpoint: dt.date | None = None
        self.stdout.write("后台任务进程已启动")
        while True:
            today = clock.server_now().date()
            if last_checkpoint != today:
                write_checkpoint(reason="daily")
                last_checkpoint = today
            if not run_pending(limit=10):
                time.sleep(options["interval"])
