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


# --- the intervention register (干预登记) -------------------------------------------------------------

class InterventionKind(models.TextChoices):
    GREETING = "greeting", "打招呼、说情"
    FAVOUR = "favour", "请托办事"
    EXTORTION = "extortion", "吃拿卡要"
    OTHER = "other", "其他干预审核的行为"


class InterventionState(models.TextChoices):
    # Recorded; the supervising level has not yet named who rectifies it and by when.
    RECORDED = "recorded", "待落实整改"
    # 立即整改: an owner and a deadline are set (they may be set again); the outcome closes it.
    RECTIFYING = "rectifying", "整改中"
    CLOSED = "closed", "已办结"


class Intervention(models.Model):
    """An attempt to influence a decision, recorded by anyone (the seed: 杜绝打招呼以及带有倾向性的不良行为…
    立即整改). It is seen by the supervising level of the person it names and by the audit
    administrator, never by that person (integrity.supervision); each gets a follow-up tracked to its
    closure."""

    kind = models.CharField("类型", max_length=12, choices=InterventionKind.choices)
    occurred_on = models.DateField("发生日期")
    intervener = models.CharField("干预人", max_length=100, help_text="姓名、单位及职务")
    content = models.TextField("干预内容")
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name="涉及企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey("applications.Application", verbose_name="涉及申请", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # The platform account of the person the entry names (the intervener, when they have one).
    named_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="被反映人账号", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # Who sees and follows it up, fixed when recorded (integrity.supervision.supervision_of).
    supervising_agency = models.ForeignKey("org.Agency", verbose_name="监督单位", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    leaders_only = models.BooleanField("仅限负责人", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("登记时间")
    state = models.CharField("状态", max_length=12, choices=InterventionState.choices,
                             default=InterventionState.RECORDED)
    requirement = models.TextField("整改要求", blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="整改责任人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField("整改期限", null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="部署人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("部署时间", null=True, blank=True)
    outcome = models.TextField("整改结果", blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办结人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = "干预登记"
        verbose_name_plural = "干预登记"

    def __str__(self) -> str:
        # Neutral on purpose: the log shows it, and the log never names the person in the text.
        return f"干预登记第{self.pk}号"
