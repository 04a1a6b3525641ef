"""Background jobs: a row per job in the platform's own database, run by `cpaudit worker`.

Why not a broker: the platform runs on an isolated intranet beside one database; a table polled by
one worker process needs no extra server, and the job row doubles as the progress record the UI shows.

A worker can die under a job (kill -9, a power cut, an out-of-memory kill): the job row would say
"执行中" forever. So a running job carries a heartbeat the worker refreshes; a job whose heartbeat
stopped is taken back by the next worker (jobs/recovery.py). Workers report themselves in
`WorkerStatus`, and failures an operator must see — an after-commit task that failed, storage that
refused a write, a worker that cannot work — are `Incident` rows, shown on the status page.
"""

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Status(models.TextChoices):
        # queued → running → done | failed. Only a worker moves a job out of queued; a running job whose
        # worker died goes back to queued (a kind that may run twice) or to failed (jobs/recovery.py).
        QUEUED = "queued", "排队中"
        RUNNING = "running", "执行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("任务类型", max_length=60)
    params = models.JSONField("参数", default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.TextField("说明", blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    result_file = models.CharField("结果文件", max_length=300, blank=True)
    result_filename = models.CharField("下载文件名", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker running the job ("host:pid") and when it last showed it was alive.
    worker = models.CharField("执行进程", max_length=100, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    # Why the job was taken back from a worker that stopped (kept when it then runs again).
    interrupted = models.CharField("中断说明", max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "后台任务"

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.progress * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class WorkerStatus(models.Model):
    """One row per worker process, refreshed while it runs: the status page tells a live worker from a
    dead one by the age of its heartbeat, whatever the row's state says."""

    class State(models.TextChoices):
        RUNNING = "running", "运行中"
        FAILING = "failing", "故障（自动重试中）"
        STOPPED = "stopped", "已停止"

    name = models.CharField("进程", max_length=100, unique=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField("启动时间")
    heartbeat_at = models.DateTimeField("最近心跳")
    stopped_at = models.DateTimeField("停止时间", null=True, blank=True)
    problem = models.TextField("当前故障", blank=True)
    problem_since = models.DateTimeField("故障开始", null=True, blank=True)
    jobs_done = models.PositiveIntegerField("已执行任务", default=0)

    class Meta:
        ordering = ["-heartbeat_at"]
        verbose_name = "后台任务进程"

    def __str__(self) -> str:
        return self.name


class Incident(models.Model):
    """A failure an operator must see. One open row per `key` (a repeat counts and refreshes it); a
    retryable one (`retry_at` set) is retried by the worker and closes itself when the retry works,
    the others are closed by an administrator once the cause is dealt with."""

    key = models.CharField("类别", max_length=100, db_index=True)  # e.g. "aftercommit:checkpoint", "storage"
    title = models.CharField("故障", max_length=200)
    message = models.TextField("最近一次的原因")
    count = models.PositiveIntegerField("次数", default=1)
    first_at = models.DateTimeField("首次发生")
    last_at = models.DateTimeField("最近发生")
    retry_at = models.DateTimeField("下次重试", null=True, blank=True)
    attempts = models.PositiveIntegerField("已重试", default=0)
    resolved_at = models.DateTimeField("处理完毕", null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolution = models.CharField("处理说明", max_length=300, blank=True)

    class Meta:
        ordering = ["-last_at"]
        verbose_name = "运行故障"

    def __str__(self) -> str:
        return self.title

    @property
    def open(self) -> bool:
        return self.resolved_at is None


class DailyRun(models.Model):
    """Who does a piece of the daily work (worker.DAILY) on a day: the first worker to claim it, so two
    workers (two app servers) do it once between them — one checkpoint line, one anomaly run a day."""

    name = models.CharField("日常任务", max_length=50)
    day = models.DateField("日期")
    worker = models.CharField("进程", max_length=100)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-day", "name"]
        verbose_name = "每日任务执行"
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="dailyrun_once_a_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"
