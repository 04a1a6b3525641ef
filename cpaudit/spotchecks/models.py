"""双随机抽查 (issue 13 § Spot checks): the inspector roster, check plans with their draw, the enterprises
drawn with their inspectors, findings with evidence files, and rectification tasks.

A plan is made by the province (for the province) or a city-level agency (for its own counties); its
staff draw it once (draw.py: seed, eligible lists and their SM3 digests kept on the plan and in the
log); the drawn list is seen only by the planning agency until the check date; the inspectors record
findings; the planning agency's leader approves the results, which then go to the public page.
"""

from django.conf import settings
from django.db import models


class Inspector(models.Model):
    """A government user flagged as an inspector (检查人员) by its own agency's people. The flag is
    withdrawn, never deleted: past draws name the row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="工作人员", on_delete=models.PROTECT,
                                related_name="inspector")
    active = models.BooleanField("可抽取", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField("设置时间")

    class Meta:
        ordering = ["user_id"]
        verbose_name = "检查人员"

    def __str__(self) -> str:
        return f"检查人员{self.user}"


class PlanStatus(models.TextChoices):
    # Being prepared: scope and shares may still change.
    DRAFT = "draft", "草拟"
    # Drawn and committed: never drawn again (a new, reasoned plan replaces it).
    DRAWN = "drawn", "已抽取"
    # The leader of the planning agency approved the results: public.
    APPROVED = "approved", "结果已审定"
    # Replaced by a new plan (its reason on the new plan); its draw stays as history.
    SUPERSEDED = "superseded", "已被新方案取代"


class Stratum(models.TextChoices):
    # In priority order: an enterprise belongs to the first that applies.
    COMPLAINTS = "complaints", "有投诉举报"
    CONSISTENCY = "consistency", "数据一致性存疑"
    LATE = "late", "进度滞后"
    GENERAL = "general", "一般企业"


class Plan(models.Model):
    agency = models.ForeignKey("org.Agency", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name="审核批次", on_delete=models.PROTECT,
                                 related_name="+")
    title = models.CharField("方案名称", max_length=100)
    # Scope: county codes (within the agency's jurisdiction and the campaign), industry code prefixes
    # (empty: all), reached stages 0–7 (empty: all).
    counties = models.JSONField("抽查范围（县）", default=list)
    industries = models.JSONField("行业代码", default=list, blank=True)
    stages = models.JSONField("已实施到阶段", default=list, blank=True)
    share_percent = models.DecimalField("抽查比例（%）", max_digits=5, decimal_places=2, default=5)
    count = models.PositiveIntegerField("抽查家数（至少）", default=0)
    # {stratum key: share percent} for the strata sampled more; an absent stratum is general.
    strata = models.JSONField("重点抽查比例", default=dict, blank=True)
    complaint_enterprises = models.JSONField("有投诉举报的企业", default=list, blank=True)
    per_enterprise = models.PositiveSmallIntegerField("每家企业检查人员数", default=2)
    cross_county = models.BooleanField("至少一名外县（市、区）检查人员", default=False)
    include_subordinates = models.BooleanField("从下级单位抽取检查人员", default=False)
    check_date = models.DateField("检查日期")
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    replaces = models.OneToOneField("self", verbose_name="取代的方案", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="replaced_by")
    reason = models.CharField("重新抽取原因", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("制定时间")
    # The draw, reproducible: the rule, the pool (strata, inspectors, counties, recusals), its digests,
    # the seed; the exclusions with their reasons (for people, not for the replay).
    rule = models.JSONField("抽取规则", null=True, blank=True)
    pool = models.JSONField("可抽取名单", null=True, blank=True)
    digests = models.JSONField("名单SM3", default=dict, blank=True)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    excluded = models.JSONField("排除情况", default=list, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    approval_note = models.TextField("审定意见", blank=True)

    class Meta:
        ordering = ["-check_date", "-pk"]
        verbose_name = "抽查方案"

    def __str__(self) -> str:
        return self.title


class ItemStatus(models.TextChoices):
    TO_CHECK = "to_check", "待检查"
    RECORDED = "recorded", "已录入检查结果"


class Item(models.Model):
    """One enterprise drawn by a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="items")
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="+")
    enrolment = models.ForeignKey("campaigns.Enrolment", on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField("抽取类别", max_length=12, choices=Stratum.choices)
    order = models.PositiveSmallIntegerField("抽取顺序")
    status = models.CharField("状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.TO_CHECK)
    summary = models.TextField("检查结论", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("录入时间", null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "order"]
        verbose_name = "抽查企业"
        constraints = [models.UniqueConstraint(fields=["plan", "enterprise"], name="spotcheck_item_unique")]

    def __str__(self) -> str:
        return f"{self.plan}：{self.enterprise}"


class Assignment(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="assignments")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人员", on_delete=models.PROTECT,
                                  related_name="+")
    order = models.PositiveSmallIntegerField("顺序")

    class Meta:
        ordering = ["item_id", "order"]
        verbose_name = "检查人员分派"
        constraints = [models.UniqueConstraint(fields=["item", "inspector"], name="spotcheck_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.item}：{self.inspector}"


class Aspect(models.TextChoices):
    OPTIONS = "options", "清洁生产方案是否真实实施"
    FIGURES = "figures", "填报数据是否真实"
    EQUIPMENT = "equipment", "设备设施是否在位运行"


class Outcome(models.TextChoices):
    CONFORM = "conform", "属实"
    NONCONFORM = "nonconform", "不属实/存在问题"
    NOT_APPLICABLE = "na", "不适用"


class Finding(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="findings")
    aspect = models.CharField("检查内容", max_length=12, choices=Aspect.choices)
    outcome = models.CharField("检查结果", max_length=12, choices=Outcome.choices)
    note = models.TextField("情况说明", blank=True)

    class Meta:
        ordering = ["item_id", "aspect"]
        verbose_name = "检查发现"
        constraints = [models.UniqueConstraint(fields=["item", "aspect"], name="spotcheck_finding_unique")]

    def __str__(self) -> str:
        return f"{self.get_aspect_display()}：{self.get_outcome_display()}"


class EvidenceFile(models.Model):
    """A file taken at the check (photo, record), kept in core.storedfiles under its SM3."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="files")
    digest = models.CharField("SM3", max_length=64)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        ordering = ["item_id", "uploaded_at", "pk"]
        verbose_name = "检查佐证材料"

    def __str__(self) -> str:
        return self.name


class RectificationStatus(models.TextChoices):
    OPEN = "open", "整改中"
    # The enterprise reported what it did; the branch still has to close it.
    REPORTED = "reported", "企业已报告整改情况"
    CLOSED = "closed", "已销号"


class Rectification(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="rectifications")
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="+")
    requirement = models.TextField("整改要求")
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=10, choices=RectificationStatus.choices,
                              default=RectificationStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("下达时间")
    report = models.TextField("整改情况", blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    closing_note = models.TextField("销号意见", blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = "整改任务"

    def __str__(self) -> str:
        return f"{self.enterprise}整改任务"

    @property
    def county_id(self):
        return self.enterprise.county_id
