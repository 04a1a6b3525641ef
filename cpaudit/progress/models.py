"""Audit progress: the 35 steps per enrolment, evidence, stage targets, baseline figures, options."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

NONNEG = [MinValueValidator(0)]


def quantity(label: str, **kwargs):
    """A non-negative figure; units are in the label so forms and exports show them."""
    return models.DecimalField(label, max_digits=16, decimal_places=4, null=True, blank=True, validators=NONNEG,
                               **kwargs)


class AuditStep(models.Model):
    """Reference data, loaded by migration from data/audit_steps.csv (see steps.py)."""

    number = models.PositiveSmallIntegerField("步骤", primary_key=True)
    stage = models.PositiveSmallIntegerField("阶段")
    stage_name = models.CharField("阶段名称", max_length=30)
    name = models.CharField("步骤名称", max_length=60)
    deliverable = models.CharField("成果", max_length=100, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = "审核步骤"

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    COMPLETED = "completed", "已完成"


class ReviewStatus(models.TextChoices):
    # The branch's review of a completed step: none until completed; pending → confirmed (locked) or
    # returned (the enterprise corrects and completes again); a confirmed step is reopened only by
    # branch staff with a reason, which sets it back to in progress.
    NONE = "none", "—"
    PENDING = "pending", "待核实"
    CONFIRMED = "confirmed", "已核实"
    RETURNED = "returned", "已退回"


class StepRecord(models.Model):
    """One step of one enrolment. A missing row means 未开始."""

    enrolment = models.ForeignKey("campaigns.Enrolment", on_delete=models.PROTECT, related_name="step_records")
    step = models.ForeignKey(AuditStep, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=StepStatus.choices, default=StepStatus.NOT_STARTED)
    start_date = models.DateField("开始日期", null=True, blank=True)
    completion_date = models.DateField("完成日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("填报时间", null=True, blank=True)
    review = models.CharField("核实状态", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.NONE)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核实人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("核实时间", null=True, blank=True)
    review_reason = models.TextField("退回或重新打开的原因", blank=True)

    class Meta:
        ordering = ["enrolment_id", "step_id"]
        verbose_name = "审核步骤记录"
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "step"], name="steprecord_unique"),
            models.CheckConstraint(
                name="steprecord_dates_in_order",
                condition=models.Q(start_date__isnull=True) | models.Q(completion_date__isnull=True)
                | models.Q(completion_date__gte=models.F("start_date")),
            ),
        ]
        indexes = [models.Index(fields=["enrolment", "status"])]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.step_id}"

    @property
    def locked(self) -> bool:
        return self.review == ReviewStatus.CONFIRMED


class Evidence(models.Model):
    """A file proving a step. Stored outside the web root under its SM3 digest; replacing a file adds a
    new version and keeps the old one (is_current=False)."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        IMAGE = "image", "图片"
        WORD = "word", "Word"
        EXCEL = "excel", "Excel"

    record = models.ForeignKey(StepRecord, on_delete=models.PROTECT, related_name="evidence")
    digest = models.CharField("SM3", max_length=64, db_index=True)
    original_name = models.CharField("文件名", max_length=255)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    is_current = models.BooleanField("当前版本", default=True)

    class Meta:
        ordering = ["record_id", "-uploaded_at"]
        verbose_name = "佐证材料"

    def __str__(self) -> str:
        return self.original_name


class StageTarget(models.Model):
    """A campaign's time node (按时间节点完成) for a stage; defaults spread from the audit start to the
    phase deadlines (progress.services.targets)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="stage_targets")
    stage = models.PositiveSmallIntegerField("阶段", validators=[MinValueValidator(1), MaxValueValidator(7)])
    target_date = models.DateField("节点日期")

    class Meta:
        ordering = ["campaign_id", "stage"]
        verbose_name = "阶段时间节点"
        constraints = [models.UniqueConstraint(fields=["campaign", "stage"], name="stagetarget_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id} 阶段{self.stage} {self.target_date}"


class Figures(models.Model):
    """The audit's own numbers: the baseline year (steps 5–7, 12–13) and after implementation (step 30)."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", "审核基准年"
        AFTER = "after", "方案实施后"

    enrolment = models.ForeignKey("campaigns.Enrolment", on_delete=models.PROTECT, related_name="figures")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("年份", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    water_use_t = quantity("新鲜水用量（吨）")
    wastewater_t = quantity("废水排放量（吨）")
    energy_tce = quantity("综合能耗（吨标准煤）")
    electricity_kwh = quantity("用电量（千瓦时）")
    cod_t = quantity("COD排放量（吨）")
    nh3n_t = quantity("氨氮排放量（吨）")
    hazardous_waste_t = quantity("危险废物产生量（吨）")
    raw_materials = models.TextField("主要原辅材料及消耗", blank=True)
    # After implementation only: the total the audit report states for the options implemented, which
    # the consistency checks hold against the option list (services.consistency.investment_mismatch).
    implemented_investment_wan = models.DecimalField("已实施方案总投资（万元）", max_digits=14, decimal_places=2,
                                                     null=True, blank=True, validators=NONNEG)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "审核数据"
        constraints = [models.UniqueConstraint(fields=["enrolment", "kind"], name="figures_unique")]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.get_kind_display()}"


class ProductOutput(models.Model):
    figures = models.ForeignKey(Figures, on_delete=models.CASCADE, related_name="products")
    name = models.CharField("主要产品", max_length=100)
    unit = models.CharField("单位", max_length=20)
    quantity = quantity("产量")

    class Meta:
        ordering = ["figures_id", "pk"]
        verbose_name = "主要产品产量"

    def __str__(self) -> str:
        return f"{self.name} {self.quantity}{self.unit}"


class OptionCategory(models.TextChoices):
    LOW = "low", "无/低费"
    HIGH = "high", "中/高费"


class OptionStatus(models.TextChoices):
    # 提出 → 筛选通过 → 实施中 → 已实施; 放弃 from any state but 已实施.
    PROPOSED = "proposed", "提出"
    SCREENED = "screened", "筛选通过"
    IMPLEMENTING = "implementing", "实施中"
    IMPLEMENTED = "implemented", "已实施"
    ABANDONED = "abandoned", "放弃"


BENEFITS = [  # (field suffix, label with unit) — expected_<suffix> and achieved_<suffix>
    ("energy_tce", "节能（吨标准煤/年）"),
    ("electricity_kwh", "节电（千瓦时/年）"),
    ("water_t", "节水（吨/年）"),
    ("wastewater_t", "减少废水（吨/年）"),
    ("cod_t", "削减COD（吨/年）"),
    ("nh3n_t", "削减氨氮（吨/年）"),
    ("other_t", "削减其他污染物（吨/年）"),
    ("economic_wan", "经济效益（万元/年）"),
]


class Option(models.Model):
    """A cleaner production option (清洁生产方案) of one enrolment, with its expected and achieved benefits."""

    enrolment = models.ForeignKey("campaigns.Enrolment", on_delete=models.PROTECT, related_name="options")
    name = models.CharField("方案名称", max_length=200)
    category = models.CharField("类别", max_length=5, choices=OptionCategory.choices)
    category_reason = models.CharField("类别调整理由", max_length=300, blank=True,
                                       help_text="类别与按投资额和批次分界建议的不一致时必填")
    source_step = models.ForeignKey(AuditStep, verbose_name="产生步骤", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    investment = models.DecimalField("投资（万元）", max_digits=14, decimal_places=2, default=0, validators=NONNEG)
    status = models.CharField("状态", max_length=12, choices=OptionStatus.choices, default=OptionStatus.PROPOSED)
    planned_date = models.DateField("计划完成日期", null=True, blank=True)
    actual_date = models.DateField("实际完成日期", null=True, blank=True)
    # Required when the option goes to 放弃: 验收 needs every 中/高费 option implemented or abandoned
    # with a reason.
    abandon_reason = models.CharField("放弃理由", max_length=300, blank=True)
    other_pollutant = models.CharField("其他污染物名称", max_length=50, blank=True)
    expected_energy_tce = quantity("预期节能（吨标准煤/年）")
    expected_electricity_kwh = quantity("预期节电（千瓦时/年）")
    expected_water_t = quantity("预期节水（吨/年）")
    expected_wastewater_t = quantity("预期减少废水（吨/年）")
    expected_cod_t = quantity("预期削减COD（吨/年）")
    expected_nh3n_t = quantity("预期削减氨氮（吨/年）")
    expected_other_t = quantity("预期削减其他污染物（吨/年）")
    expected_economic_wan = quantity("预期经济效益（万元/年）")
    achieved_energy_tce = quantity("实际节能（吨标准煤/年）")
    achieved_electricity_kwh = quantity("实际节电（千瓦时/年）")
    achieved_water_t = quantity("实际节水（吨/年）")
    achieved_wastewater_t = quantity("实际减少废水（吨/年）")
    achieved_cod_t = quantity("实际削减COD（吨/年）")
    achieved_nh3n_t = quantity("实际削减氨氮（吨/年）")
    achieved_other_t = quantity("实际削减其他污染物（吨/年）")
    achieved_economic_wan = quantity("实际经济效益（万元/年）")
    # Benefits whose achieved figure exceeds the campaign's factor × expected: flagged for the branch.
    flags = models.JSONField("异常提示", default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enrolment_id", "pk"]
        verbose_name = "清洁生产方案"
        indexes = [models.Index(fields=["enrolment", "status"])]

    def __str__(self) -> str:
        return self.name


class EnrolmentProgress(models.Model):
    """What the dashboards and lists count per enrolment, summarized from its step records and evidence.

    Kept by the database itself: triggers on StepRecord (insert, update, delete) and Evidence (insert,
    update) recompute the enrolment's row (migration 0005), so every write path — services, bulk loaders,
    imports, fixtures — leaves it exact. Read-only to Python. Definitions as selectors.dashboards says:
    reached_stage (0 = nothing started), completed_steps, done_<n> (completed steps of stage n),
    record_moved and uploaded (NULL when none), from which the selectors derive last_moved. An
    enrolment without step records has no row (all zero)."""

    enrolment = models.OneToOneField("campaigns.Enrolment", primary_key=True, on_delete=models.DO_NOTHING,
                                     related_name="progress_summary", db_constraint=False)
    reached_stage = models.PositiveSmallIntegerField(default=0)
    completed_steps = models.PositiveSmallIntegerField(default=0)
    done_1 = models.PositiveSmallIntegerField(default=0)
    done_2 = models.PositiveSmallIntegerField(default=0)
    done_3 = models.PositiveSmallIntegerField(default=0)
    done_4 = models.PositiveSmallIntegerField(default=0)
    done_5 = models.PositiveSmallIntegerField(default=0)
    done_6 = models.PositiveSmallIntegerField(default=0)
    done_7 = models.PositiveSmallIntegerField(default=0)
    record_moved = models.DateTimeField(null=True, blank=True)  # latest recorded_at / reviewed_at
    uploaded = models.DateTimeField(null=True, blank=True)  # latest evidence upload

    class Meta:
        verbose_name = "审核进展汇总"

    def __str__(self) -> str:
        return f"{self.enrolment_id}: 阶段{self.reached_stage}"
