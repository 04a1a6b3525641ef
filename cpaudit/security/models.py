"""Login protection and the security log.

The counters (`LoginFailure`, `Lockout`) live in the database so that every application server sees
the same count. `SecurityEvent` is the bounded, rotated security log: what an anonymous client can
cause (failed logins with any username, refused attempts, address lockouts) and what would flood the
action log (authorization failures, reads of sensitive data) goes there, never into the append-only
action log, which an anonymous client must not be able to grow.
"""

from django.conf import settings
from django.db import models


class LoginFailure(models.Model):
    """One failed attempt (password or second factor). Counted over a sliding window; rows older than
    the window are deleted as new ones come in and by the worker."""

    time = models.DateTimeField("时间", db_index=True)
    username = models.CharField("用户名", max_length=150, db_index=True)
    ip = models.CharField("IP", max_length=64, db_index=True)

    class Meta:
        verbose_name = "登录失败记录"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.username}@{self.ip}"


class Lockout(models.Model):
    """An account name or a client address refused until `until`, or until the security administrator
    lifts it. An account name is locked whether or not such an account exists (the refusal must not
    tell)."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", "账号"
        ADDRESS = "address", "IP 地址"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    key = models.CharField("账号或地址", max_length=150)
    locked_at = models.DateTimeField("锁定时间")
    until = models.DateTimeField("锁定至", db_index=True)
    failures = models.PositiveIntegerField("失败次数", default=0)
    unlocked_at = models.DateTimeField("解锁时间", null=True, blank=True)
    unlocked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="解锁人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    unlock_reason = models.CharField("解锁原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "登录锁定"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["kind", "key"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class SecurityEvent(models.Model):
    """One line of the security log. At most CPAUDIT_SECURITY_LOG_MAX_ROWS are kept: each insert
    deletes the rows that fell out of the window (ids are increasing)."""

    time = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("事件", max_length=40, db_index=True)
    username = models.CharField("用户名", max_length=150, blank=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    role = models.CharField("角色", max_length=20, blank=True)
    ip = models.CharField("IP", max_length=64, blank=True, db_index=True)
    method = models.CharField("请求方法", max_length=10, blank=True)
    path = models.CharField("地址", max_length=300, blank=True)
    status = models.PositiveSmallIntegerField("状态码", null=True, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "安全日志"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"
