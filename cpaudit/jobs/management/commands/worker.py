"""`cpaudit worker`: run background jobs; once a day also write the log checkpoint, send the monthly
report reminders, disable dormant accounts, purge expired sessions and run the anomaly rules. Each
daily task fails on its own (recorded, retried). The loop and how it survives failures:
cpaudit/jobs/worker.py."""

import logging
import signal

from django.core.management.base import BaseCommand

from cpaudit.core import clock
from cpaudit.core.actors import SystemActor
from cpaudit.core.chain import verify_entries
from cpaudit.core.checkpoint import write_checkpoint
from cpaudit.core.models import ActionLog
from cpaudit.jobs import incidents, recovery
from cpaudit.jobs.services import run_pending
from cpaudit.jobs.worker import Worker, daily
from cpaudit.org.services import disable_dormant
from cpaudit.oversight.services import anomaly_run
from cpaudit.reports.services import send_reminders
from cpaudit.security.services import purge_expired

log = logging.getLogger(__name__)


@daily("daily-checkpoint", "每日操作日志检查点未能写入（将自动重试）")
def daily_checkpoint() -> None:
    """Checkpoint only a chain that verifies: a checkpoint vouches for everything before it."""
    report = verify_entries(ActionLog.objects.order_by("seq").iterator(chunk_size=2000))
    if report.ok:
        write_checkpoint(reason="daily")
    else:
        log.error("action log chain broken, no checkpoint written: %s", report.problem)
        incidents.record("log.chain", "操作日志链校验失败，未写入检查点", report.problem)


@daily("reminders", "月度报告提醒未能发送（将自动重试）")
def daily_reminders() -> None:
    send_reminders(today=clock.today())  # keyed: sending twice in a day notifies nobody twice


@daily("dormant-accounts", "长期未使用账号的停用未能执行（将自动重试）")
def daily_dormant_accounts() -> None:
    disable_dormant(today=clock.today())  # accounts unused too long (cpaudit.org)


@daily("security-purge", "过期会话和登录计数的清理未能执行（将自动重试）")
def daily_security() -> None:
    purge_expired()  # expired sessions and stale login counters (cpaudit.security.services)


@daily("anomalies", "异常情况筛查未能执行（将自动重试）")
def daily_anomalies() -> None:
    anomaly_run(actor=SystemActor("worker"))  # 异常情况筛查 (cpaudit.oversight), once a day


class Command(BaseCommand):
    help = ("后台任务进程：执行导入、导出等长任务；每日写入操作日志检查点、发送月报提醒、停用长期未用账号、"
            "清理过期会话、筛查异常情况。")

    # The daily work one at a time (tests call these).
    def daily_checkpoint(self) -> None:
        daily_checkpoint()

    def daily_security(self) -> None:
        daily_security()

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="执行完当前排队的任务后退出")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, **options):
        if options["once"]:
            for job in recovery.recover():
                self.stdout.write(f"任务 #{job.pk} 的执行进程已停止：{job.get_status_display()}")
            self.stdout.write(f"{run_pending(worker=recovery.worker_name())} 个任务已执行")
            return
        stop = []
        # systemd and `serve` stop the worker with SIGTERM: finish the current turn, record the stop.
        signal.signal(signal.SIGTERM, lambda signum, frame: stop.append(signum))
        self.stdout.write("后台任务进程已启动")
        self.stdout.flush()
        Worker(interval=options["interval"], say=self.stderr.write).run(should_stop=lambda: bool(stop))
        self.stdout.write("后台任务进程已停止")
