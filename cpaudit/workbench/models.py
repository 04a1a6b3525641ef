"""The daily digest (每日待办摘要): what the worker prepared for one person on one day."""

from django.conf import settings
from django.db import models


class Digest(models.Model):
    """One person's pending work and unread notifications as counted on `day`, kept as sent."""

    class Delivery(models.TextChoices):
        # Kept in the platform only (CPAUDIT_NOTIFY_BACKEND = none, or the person has no address).
        INBOX = "inbox", "仅站内"
        # Handed to the configured backend (e-mail or an SMS adapter), which accepted it.
        SENT = "sent", "已发送"
        # The backend refused or failed: the digest stays in the platform; tomorrow's is tried again.
        FAILED = "failed", "发送失败"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField("日期")
    text = models.TextField("内容")
    counts = models.JSONField("各类待办数", default=dict)
    delivery = models.CharField("发送", max_length=10, choices=Delivery.choices, default=Delivery.INBOX)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        ordering = ["-day", "user_id"]
        verbose_name = "每日待办摘要"
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"
