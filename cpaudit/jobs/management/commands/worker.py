"""`cpaudit worker`: run background jobs; also writes the daily log checkpoint."""

import datetime as dt
import logging
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from cpaudit.core import clock
from cpaudit.core.actors import SystemActor
from cpaudit.core.chain import verify_entries
from cpaudit.core.checkpoint import write_checkpoint
from cpaudit.core.models import ActionLog
from cpaudit.jobs.services import run_pending
from cpaudit.org.services import disable_dormant
from cpaudit.org.services import disable_dormant
from cpaudit.oversight.services import anomaly_run
from cpaudit.reports.services import send_reminders
from cpaudit.security.services import purge_expired

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "后台任务进程：执行导入、导出等长任务，并每日写入操作日志检查点。"

    def daily_checkpoint(self) -> None:
        """Checkpoint only a chain that verifies: a checkpoint vouches for everything before it."""
        report = verify_entries(ActionLog.objects.order_by("seq").iterator(chunk_size=2000))
        if report.ok:
            write_checkpoint(reason="daily")
        else:
            log.error("action log chain broken, no checkpoint written: %s", report.problem)
            self.stderr.write(f"操作日志链校验失败，未写入检查点：{report.problem}")

    def daily_security(self) -> None:
        """Expired sessions and stale login counters go (cpaudit.security.services.purge_expired)."""
        purge_expired()

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
            today = timezone.localdate(clock.server_now())  # the day turns at midnight Beijing time
            if last_checkpoint != today:
                self.daily_checkpoint()
                send_reminders(today=clock.today())  # monthly report reminders, once a day
                disable_dormant(today=clock.today())  # accounts unused too long (cpaudit.org)
                disable_dormant(today=clock.today())  # accounts unused too long (cpaudit.org)
                self.daily_security()
                anomaly_run(actor=SystemActor("worker"))  # 异常情况筛查 (cpaudit.oversight), once a day
                last_checkpoint = today
            if not run_pending(limit=10):
                time.sleep(options["interval"])
