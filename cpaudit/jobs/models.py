"""Background jobs: a row per job in the platform's own database, run by `cpaudit worker`.

Why not a broker: the platform runs on an isolated intranet beside one database; a table polled by
one worker process needs no extra server, and the job row doubles as the progress record the UI shows.
"""

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Status(models.TextChoices):
        # queued → running → done | failed. Only the worker moves a job out of queued.
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
