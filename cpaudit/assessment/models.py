"""考核通报: circulars (通报) drafted from the branch scorecards, summons (约谈) with their commitments,
extensions (延期申请) of an enterprise's hard dates, and the suspension of consulting agencies.

The scorecards themselves are not stored: `selectors.scorecards` computes them from the data (a
circular freezes the figures it cites in its `figures` when drafted, and its whole content at issue).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Target(models.TextChoices):
    """What an extension moves: a phase's hard date (the same codes as applications.Kind) or a stage's
    time node (progress.StageTarget)."""

    EVALUATION = "evaluation", "评估完成期限"
    ACCEPTANCE = "acceptance", "验收完成期限"
    STAGE_1 = "stage_1", "第1阶段时间节点"
    STAGE_2 = "stage_2", "第2阶段时间节点"
    STAGE_3 = "stage_3", "第3阶段时间节点"
    STAGE_4 = "stage_4", "第4阶段时间节点"
    STAGE_5 = "stage_5", "第5阶段时间节点"
    STAGE_6 = "stage_6", "第6阶段时间节点"
    STAGE_7 = "stage_7", "第7阶段时间节点"


class ExtensionStatus(models.TextChoices):
    # The enterprise has asked; the branch (its leader) decides first.
    BRANCH_PENDING = "branch", "待分局审核"
    # The branch agreed; the city level (its leader) decides.
    CITY_PENDING = "city", "待市局审批"
    # Approved by the city: the enterprise's date is `requested_date` from now on.
    APPROVED = "approved", "已批准"
    # Refused by the branch or the city (the reason says which and why).
    REJECTED = "rejected", "未批准"


class Extension(models.Model):
    enrolment = models.ForeignKey("campaigns.Enrolment", verbose_name="审核企业", on_delete=models.PROTECT,
                                  related_name="extensions")
    target = models.CharField("延期事项", max_length=12, choices=Target.choices)
    original_date = models.DateField("原期限")
    requested_date = models.DateField("申请延至")
    reason = models.TextField("延期理由")
    status = models.CharField("状态", max_length=10, choices=ExtensionStatus.choices,
                              default=ExtensionStatus.BRANCH_PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间")
    branch_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    branch_decided_at = models.DateTimeField("分局审核时间", null=True, blank=True)
    branch_opinion = models.TextField("分局意见", blank=True)
    city_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    city_decided_at = models.DateTimeField("市局审批时间", null=True, blank=True)
    city_opinion = models.TextField("市局意见", blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        constraints = [
            # One open request per enrolment and date at a time.
            models.UniqueConstraint(fields=["enrolment", "target"], name="extension_one_open",
                                    condition=Q(status__in=["branch", "city"])),
        ]
        indexes = [models.Index(fields=["enrolment", "target", "status"])]

    def __str__(self) -> str:
        return f"{self.enrolment.enterprise}：{self.get_target_display()}延期申请"

    @property
    def county_id(self):
        return self.enrolment.enterprise.county_id


class CircularStatus(models.TextChoices):
    # Staff edit the draft.
    DRAFT = "draft", "起草中"
    # Submitted to the leader, who approves and issues it, or returns it.
    SUBMITTED = "submitted", "待负责人审批"
    # Approved and issued (签发) by the leader: sealed Word and PDF, frozen content.
    ISSUED = "issued", "已签发"


class Circular(models.Model):
    """通报: a city-level agency's about its branches, or the province's about the cities and branches."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name="审核批次", on_delete=models.PROTECT,
                                 related_name="circulars")
    month = models.DateField("考核月份", help_text="该月1日")
    agency = models.ForeignKey("org.Agency", verbose_name="通报单位", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=CircularStatus.choices, default=CircularStatus.DRAFT)
    title = models.CharField("标题", max_length=200)
    number = models.CharField("文号", max_length=100, blank=True)
    addressee = models.CharField("主送", max_length=200, blank=True)
    opening = models.TextField("通报情况", blank=True)
    requirements = models.TextField("工作要求", blank=True)
    # The scorecard rows and lagging enterprises the draft was made from (frozen when drafted).
    figures = models.JSONField("考核数据", default=dict)
    for_public = models.BooleanField("向社会公开", default=False)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField("起草时间")
    return_reason = models.TextField("退回原因", blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    content = models.JSONField("签发内容", default=dict, blank=True)

    class Meta:
        ordering = ["-month", "-pk"]
        verbose_name = "通报"
        verbose_name_plural = "通报"
        constraints = [models.UniqueConstraint(fields=["agency", "number"], condition=~Q(number=""),
                                               name="circular_number_unique")]

    def __str__(self) -> str:
        return self.title


class SummonsStatus(models.TextChoices):
    # Decided and notified: who is summoned, when, why.
    PLANNED = "planned", "已安排"
    # Held: the commitments made are recorded, each with its deadline.
    HELD = "held", "已约谈"
    # Every commitment followed up to its end.
    CLOSED = "closed", "已办结"


class Summons(models.Model):
    """约谈: by a leader of the level above the unit summoned (a city its branches, the province the
    city-level agencies)."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name="审核批次", on_delete=models.PROTECT,
                                 related_name="summonses")
    agency = models.ForeignKey("org.Agency", verbose_name="约谈单位", on_delete=models.PROTECT, related_name="+")
    summoned = models.ForeignKey("org.Agency", verbose_name="被约谈单位", on_delete=models.PROTECT,
                                 related_name="summonses")
    circular = models.ForeignKey(Circular, verbose_name="所据通报", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="summonses")
    attendees = models.CharField("被约谈人", max_length=300, help_text="职务，如：分局一把手、分管局长")
    scheduled_for = models.DateField("约谈日期")
    place = models.CharField("地点", max_length=200, blank=True)
    reason = models.TextField("约谈事由")
    status = models.CharField("状态", max_length=10, choices=SummonsStatus.choices, default=SummonsStatus.PLANNED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间")
    held_on = models.DateField("约谈时间", null=True, blank=True)
    record = models.TextField("约谈情况", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        verbose_name = "约谈"
        verbose_name_plural = "约谈"

    def __str__(self) -> str:
        return f"约谈{self.summoned}（{self.scheduled_for:%Y-%m-%d}）"


class CommitmentStatus(models.TextChoices):
    OPEN = "open", "整改中"
    DONE = "done", "已完成"


class Commitment(models.Model):
    """A commitment the summoned unit made, followed up to its deadline."""

    summons = models.ForeignKey(Summons, on_delete=models.CASCADE, related_name="commitments")
    text = models.CharField("承诺事项", max_length=300)
    deadline = models.DateField("完成期限")
    status = models.CharField("状态", max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN)
    outcome = models.TextField("完成情况", blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = "约谈承诺事项"
        verbose_name_plural = "约谈承诺事项"

    def __str__(self) -> str:
        return self.text


class Suspension(models.Model):
    """A consulting agency suspended from taking new clients (existing engagements go on). Active while
    `lifted_at` is empty; at most one active per agency."""

    consulting_agency = models.ForeignKey("registry.ConsultingAgency", verbose_name="咨询机构",
                                          on_delete=models.PROTECT, related_name="suspensions")
    reason = models.TextField("暂停原因")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("暂停时间")
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    lifted_at = models.DateTimeField("恢复时间", null=True, blank=True)
    lift_reason = models.TextField("恢复理由", blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "咨询机构暂停承接"
        verbose_name_plural = "咨询机构暂停承接"
        constraints = [models.UniqueConstraint(fields=["consulting_agency"], condition=Q(lifted_at__isnull=True),
                                               name="suspension_one_active")]

    def __str__(self) -> str:
        return f"{self.consulting_agency}暂停承接新业务"
