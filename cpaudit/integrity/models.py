"""Declarations of interest (利益关系申报), one model for experts and staff alike (廉政风险防控:
"事前有防"). A person's declaration is versioned: a new one supersedes the last (which stays, for the
record); conflicts are always judged on the current version. The panel draw, the application chain
and, later, the spot checks all ask `conflicts.py` the same question.
"""

from django.conf import settings
from django.db import models


class TieKind(models.TextChoices):
    EMPLOYER = "employer", "现任职单位"
    FORMER_EMPLOYER = "former_employer", "曾任职单位"
    FAMILY = "family", "近亲属任职或持股"
    CONSULTING = "consulting", "咨询服务或合同关系"


class Declaration(models.Model):
    # Whose declaration: an expert of the pool, or a user account (staff, inspectors).
    expert = models.ForeignKey("experts.Expert", verbose_name="专家", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="declarations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="工作人员", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="declarations")
    version = models.PositiveSmallIntegerField("版本")
    is_current = models.BooleanField("现行", default=True)
    note = models.TextField("说明", blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True,
                                    on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField("申报时间")

    class Meta:
        ordering = ["-declared_at", "-pk"]
        verbose_name = "利益关系申报"
        constraints = [
            models.CheckConstraint(name="declaration_one_subject",
                                   condition=models.Q(expert__isnull=False, user__isnull=True)
                                   | models.Q(expert__isnull=True, user__isnull=False)),
            models.UniqueConstraint(fields=["expert", "version"], condition=models.Q(expert__isnull=False),
                                    name="declaration_expert_version"),
            models.UniqueConstraint(fields=["user", "version"], condition=models.Q(user__isnull=False),
                                    name="declaration_user_version"),
            models.UniqueConstraint(fields=["expert"], condition=models.Q(is_current=True, expert__isnull=False),
                                    name="declaration_expert_one_current"),
            models.UniqueConstraint(fields=["user"], condition=models.Q(is_current=True, user__isnull=False),
                                    name="declaration_user_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.expert or self.user} 利益关系申报 第{self.version}版"


class Tie(models.Model):
    """One declared relation with an enterprise or a consulting agency."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="ties")
    kind = models.CharField("关系", max_length=20, choices=TieKind.choices)
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name="企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    consulting_agency = models.ForeignKey("registry.ConsultingAgency", verbose_name="咨询机构", null=True,
                                          blank=True, on_delete=models.PROTECT, related_name="+")
    detail = models.CharField("具体情况", max_length=200, blank=True)

    class Meta:
        ordering = ["declaration_id", "pk"]
        verbose_name = "利益关系"
        constraints = [
            models.CheckConstraint(name="tie_one_party",
                                   condition=models.Q(enterprise__isnull=False, consulting_agency__isnull=True)
                                   | models.Q(enterprise__isnull=True, consulting_agency__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.enterprise or self.consulting_agency}"
