"""The worker's loop (`cpaudit worker`): survive what can be survived, report what persists.

Each turn: refresh this worker's row (WorkerStatus), take back the jobs of workers that stopped
(recovery.py), do the daily work once a day (once among all workers: each piece is claimed, DailyRun),
retry failed after-commit tasks (incidents.py), run up to ten queued jobs. A turn that raises — a
dropped database connection (pg_terminate_backend, a database restart), a locked or read-only
database, an unwritable file — does not end the process: the worker
closes its database connections (the next query reconnects), logs, waits (1 s, doubling up to
CPAUDIT_WORKER_BACKOFF_MAX_SECONDS) and tries again. A failure that lasts CPAUDIT_WORKER_REPORT_AFTER_SECONDS
is reported where an operator looks: the worker's row and an incident on the status page, the action
log, stderr (the service's journal). The incident closes itself once a turn works again.

Daily work fails on its own: a checkpoint that cannot be written becomes a retried incident
(core.aftercommit), it does not stop the jobs.
"""

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from cpaudit.core import clock
from cpaudit.core.aftercommit import describe, retryable, run_safely
from cpaudit.core.storage import database_failure

from . import incidents, recovery
from .models import DailyRun, WorkerStatus
from .services import run_pending

log = logging.getLogger(__name__)
BEAT_EVERY = 5.0  # seconds between two refreshes of the worker's own row when idle
RECOVER_EVERY = 30.0  # seconds between two looks for jobs of stopped workers
KEEP_STOPPED = dt.timedelta(days=7)  # rows of stopped workers shown this long, then removed
BATCH = 10  # jobs per turn: the daily work and the retries are not starved by a long queue

DAILY: list[tuple[str, str, Callable[[], object]]] = []


def daily(name: str, title: str):
    """Register work the worker does once a day (a failure is recorded and retried like after-commit work)."""

    def register(fn):
        DAILY.append((name, title, fn))
        retryable(name, title, fn)
        return fn

    return register


# What claim_daily finds: this worker does it; another has done it; another is at it.
MINE, DONE, ELSEWHERE = "mine", "done", "elsewhere"


def claim_daily(name: str, day: dt.date, worker: str) -> str:
    """Who does the daily `name` on `day`: the first worker to claim it (the unique row decides between
    workers on several hosts); that worker again after a turn cut short; another only once the claimant
    started long ago and never finished (it died: CPAUDIT_JOB_STALE_SECONDS). A worker waiting on
    another's claim looks each turn without trying to insert (no unique-key error in the server's log
    every second)."""
    now = clock.server_now()
    claim = DailyRun.objects.filter(name=name, day=day).first()
    if claim is None:
        try:
            with transaction.atomic():
                DailyRun.objects.create(name=name, day=day, worker=worker, started_at=now)
            return MINE
        except IntegrityError:  # another worker claimed it between the read and the insert
            claim = DailyRun.objects.get(name=name, day=day)
    if claim.finished_at is not None:
        return DONE
    stale = now - dt.timedelta(seconds=settings.CPAUDIT_JOB_STALE_SECONDS)
    taken = DailyRun.objects.filter(pk=claim.pk, finished_at__isnull=True).filter(
        Q(worker=worker) | Q(started_at__lt=stale)).update(worker=worker, started_at=now)
    return MINE if taken else ELSEWHERE


class Worker:
    def __init__(self, *, interval: float = 1.0, say: Callable[[str], None] = print, name: str | None = None):
        self.name = name or recovery.worker_name()
        self.interval = interval
        self.say = say
        self.last_day: dt.date | None = None
        self.daily_due: list = []
        self.last_beat = self.last_recover = 0.0
        self.failures = 0
        self.failing_since: float | None = None
        self.reported = False
        self.problem = ""
        self.jobs_done = 0

    # --- one turn -------------------------------------------------------------------------------
    def turn(self) -> int:
        """One turn of the loop; the number of jobs run. Raises what the caller backs off from."""
        now = time.monotonic()
        if now - self.last_beat >= BEAT_EVERY:
            self.beat()
        if now - self.last_recover >= RECOVER_EVERY:
            self.recover()
        today = timezone.localdate(clock.server_now())  # the day turns at midnight Beijing time
        if self.last_day != today:
            self.daily_due, self.last_day = list(DAILY), today
        for entry in list(self.daily_due):  # a database failure stops the turn here; the next goes on from here
            name, _, fn = entry
            claim = claim_daily(name, today, self.name)
            if claim == MINE:
                run_safely(name, fn, passthrough=database_failure)  # a failure: an incident, retried
                DailyRun.objects.filter(name=name, day=today).update(finished_at=clock.server_now())
            if claim != ELSEWHERE:  # still running on another worker: looked at again next turn
                self.daily_due.remove(entry)
        incidents.retry_due()
        done = run_pending(limit=BATCH, worker=self.name, heartbeat=settings.CPAUDIT_JOB_HEARTBEAT_SECONDS)
        self.jobs_done += done
        if done:
            self.beat()
        return done

    def beat(self) -> None:
        now = clock.server_now()
        fields = {"heartbeat_at": now, "jobs_done": self.jobs_done, "stopped_at": None}
        if not self.failures:
            fields.update(state=WorkerStatus.State.RUNNING, problem="", problem_since=None)
        _, created = WorkerStatus.objects.update_or_create(name=self.name, defaults=fields,
                                                           create_defaults={**fields, "started_at": now})
        self.last_beat = time.monotonic()
        if created:
            WorkerStatus.objects.filter(heartbeat_at__lt=now - KEEP_STOPPED).delete()

    def recover(self) -> None:
        for job in recovery.recover():
            self.say(f"任务 #{job.pk} 的执行进程已停止：{job.get_status_display()}")
        self.last_recover = time.monotonic()

    # --- failures -------------------------------------------------------------------------------
    def failed(self, exc: Exception) -> float:
        """Handle a turn that raised; the seconds to wait before the next one."""
        if isinstance(exc, DatabaseError):
            try:
                connections.close_all()  # a dead connection is replaced by the next query
            except DatabaseError:
                log.warning("worker %s: closing the database connections failed", self.name)
        self.failures += 1
        self.problem = describe(exc)
        if self.failing_since is None:
            self.failing_since = time.monotonic()
            log.exception("worker %s: turn failed, retrying", self.name)
        else:
            log.warning("worker %s: turn failed again (%s in a row): %s", self.name, self.failures, self.problem)
        if not self.reported and time.monotonic() - self.failing_since >= settings.CPAUDIT_WORKER_REPORT_AFTER_SECONDS:
            self.report()
        self.last_recover = 0.0  # once it works again, take back the job this failure may have cut short
        return min(self.interval * 2 ** (self.failures - 1), settings.CPAUDIT_WORKER_BACKOFF_MAX_SECONDS)

    def report(self) -> None:
        """Tell the operator; tried again at the next failure until it could be written."""
        seconds = int(time.monotonic() - (self.failing_since or time.monotonic()))
        text = f"后台任务进程 {self.name} 连续 {self.failures} 次出错（已持续约 {seconds} 秒），仍在自动重试：{self.problem}"
        self.say(text)
        if incidents.record(f"worker:{self.name}", f"后台任务进程 {self.name} 无法正常工作", self.problem) is None:
            return  # the database is the problem: stderr and the Python log have it; try again next time
        try:
            now = clock.server_now()
            WorkerStatus.objects.filter(name=self.name).update(
                state=WorkerStatus.State.FAILING, problem=self.problem, heartbeat_at=now,
                problem_since=now - dt.timedelta(seconds=seconds))
        except DatabaseError:
            log.exception("worker %s: status row not updated", self.name)
        self.reported = True

    def recovered(self) -> None:
        """After a turn that worked: the failure is over. Raises (and the failure goes on) while the
        worker's own row cannot be written."""
        self.beat()  # proves that the database takes writes again
        lasted = time.monotonic() - (self.failing_since or time.monotonic())
        if not self.reported and lasted >= settings.CPAUDIT_WORKER_REPORT_AFTER_SECONDS:
            self.report()  # it lasted but could not be recorded (the database was the problem): now it can
        if self.reported:
            self.say(f"后台任务进程 {self.name} 已恢复正常")
            incidents.resolve(f"worker:{self.name}", f"连续出错 {self.failures} 次后恢复正常")
        else:
            log.warning("worker %s: working again after %s failed turn(s)", self.name, self.failures)
        self.failures, self.failing_since, self.reported, self.problem = 0, None, False, ""
        self.beat()  # the row: running, no problem

    # --- the loop -------------------------------------------------------------------------------
    def run(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        try:
            while not should_stop():
                try:
                    done = self.turn()
                    if self.failures:
                        self.recovered()
                except Exception as exc:
                    self.pause(self.failed(exc), should_stop)
                    continue
                if not done:
                    self.pause(self.interval, should_stop)
        finally:
            self.stopped()

    @staticmethod
    def pause(seconds: float, should_stop: Callable[[], bool]) -> None:
        """Sleep, but notice a stop request (SIGTERM) within half a second even during a long backoff."""
        deadline = time.monotonic() + seconds
        while not should_stop() and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.5))

    def stopped(self) -> None:
        try:
            WorkerStatus.objects.filter(name=self.name).update(state=WorkerStatus.State.STOPPED,
                                                               stopped_at=clock.server_now())
        except DatabaseError:
            log.warning("worker %s: could not record that it stopped", self.name)
