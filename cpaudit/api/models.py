"""Personal API tokens: a user's own credential for scripts, with the user's role and jurisdiction.

Only the SHA-256 digest of the secret is stored; the secret is shown once, when the token is made.
A token ends when it expires (CPAUDIT_API_TOKEN_DAYS after creation) or is revoked, whichever comes
first; a revoked or expired row stays as history (who made which token, when it ended).
"""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT,
                             related_name="api_tokens")
    name = models.CharField("用途", max_length=60)
    # The first characters of the secret, shown in lists so a user can tell their tokens apart.
    prefix = models.CharField("令牌前缀", max_length=16)
    digest = models.CharField("SHA-256", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间")
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def state(self, now) -> str:
        """active | expired | revoked (as of `now`)."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if now < self.expires_at else "expired"
