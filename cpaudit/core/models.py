"""The action log: append-only, hash-chained (SM3), gap-free.

Each entry stores the SM3 digest of its canonical content, which includes the previous entry's
digest. The database refuses UPDATE and DELETE on the table (triggers in migration 0002); the
only way around them is `cpaudit.core.logreset.allow_log_reset`, which production refuses.
"""

import uuid

from django.conf import settings
from django.db import models


class ActionLog(models.Model):
    seq = models.BigIntegerField("序号", primary_key=True)
    time = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_name = models.CharField("操作人名称", max_length=150)
    actor_role = models.CharField("角色", max_length=40, blank=True)
    actor_agency = models.CharField("单位", max_length=200, blank=True)
    action = models.CharField("动作", max_length=100, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=300, blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    data = models.JSONField("附加信息", default=dict, blank=True)
    group = models.UUIDField("操作批次", default=uuid.uuid4)
    ip = models.CharField("IP", max_length=64, blank=True)
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        # A person's latest entries (the workbench's 我最近的操作) without sorting all of them: at a
        # million entries the actor index alone sorted ~40,000 rows of a city official per home page.
        indexes = [models.Index(fields=["actor", "-seq"], name="actionlog_actor_latest")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"


class LogHead(models.Model):
    """One row: the chain's head. Appending locks it, which serializes writers and keeps seq gap-free."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = "日志链头"

    def __str__(self) -> str:
        return f"#{self.seq} {self.digest[:12]}"
