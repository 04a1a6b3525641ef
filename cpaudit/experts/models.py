"""The expert pool, score sheets, and the panel drawn for one application (评估/验收).

A panel is drawn at random from the eligible experts (active, free of declared ties with the
enterprise and its consulting agency); the draw's seed, the eligible list and its SM3 digest are kept
on the panel and in the log, so the draw can be re-run and checked. Each member scores on the
campaign's score sheet; the panel's result is derived (outcome.py), the organizer confirms it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Speciality(models.TextChoices):
    ENVIRONMENT = "environment", "环境"
    ENERGY = "energy", "节能"
    INDUSTRY = "industry", "行业"


class Expert(models.Model):
    name = models.CharField("姓名", max_length=50)
    employer = models.CharField("工作单位", max_length=200)
    title = models.CharField("职称", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    environment = models.BooleanField("环境专业", default=False)
    energy = models.BooleanField("节能专业", default=False)
    industry = models.BooleanField("行业专业", default=False)
    industries = models.ManyToManyField("registry.Industry", verbose_name="熟悉行业", blank=True, related_name="+")
    active = models.BooleanField("在库可抽取", default=True)
    # The expert's login (role 专家): sees only the applications of panels it sits on.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="expert")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "专家"
        verbose_name_plural = "专家库"

    def __str__(self) -> str:
        return self.name

    @property
    def specialities(self) -> list[str]:
        return [s.label for s in Speciality if getattr(self, s.value)]


# What each kind of review may score (stages of progress/steps.py): 评估 comes after the feasibility
# analysis and before the 中/高费 options are implemented, 验收 after they are.
SHEET_STAGES = {"evaluation": (1, 2, 3, 4, 5), "acceptance": (6, 7)}
SHEET_SCOPE = {"evaluation": "审核第1至5阶段（审核准备至方案可行性分析）的工作",
               "acceptance": "中/高费方案的实施及其绩效、持续清洁生产（第6、7阶段）"}
EXAMPLE_LABEL = "示例评分表，请按本省规定配置"


class ScoreSheet(models.Model):
    """Items with maximum points, some of them veto items; a campaign may have its own sheet per kind,
    else the default sheet (campaign empty) applies. A default sheet whose items are not taken from a
    published text (`source` empty) is an example, and says so wherever it is shown."""

    kind = models.CharField("类型", max_length=12, choices=[("evaluation", "评估"), ("acceptance", "验收")])
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name="审核批次", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    pass_mark = models.DecimalField("合格分数线", max_digits=5, decimal_places=1, default=60,
                                    validators=[MinValueValidator(0)])
    source = models.CharField("出处", max_length=300, blank=True,
                              help_text="评分项所取自的已发布文件（名称、文号、附表）；为空的默认评分表是示例")

    class Meta:
        ordering = ["kind", "campaign_id"]
        verbose_name = "评分表"
        constraints = [models.UniqueConstraint(fields=["kind", "campaign"], name="scoresheet_unique",
                                               nulls_distinct=False)]

    def __str__(self) -> str:
        return self.name

    @property
    def is_example(self) -> bool:
        return self.campaign_id is None and not self.source

    @property
    def scope(self) -> str:
        return SHEET_SCOPE.get(self.kind, "")


class ScoreItem(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("序号")
    text = models.CharField("评分项", max_length=300)
    max_points = models.DecimalField("分值", max_digits=5, decimal_places=1, default=0,
                                     validators=[MinValueValidator(0)])
    # A veto item is not scored: ticking it fails the application whatever the points.
    is_veto = models.BooleanField("否决项", default=False)
    # The audit stages (1–7) whose work the item judges; empty when the sheet's keeper did not say.
    stages = models.JSONField("评价的审核阶段", default=list, blank=True)

    class Meta:
        ordering = ["sheet_id", "order"]
        verbose_name = "评分项"
        constraints = [models.UniqueConstraint(fields=["sheet", "order"], name="scoreitem_unique")]

    def __str__(self) -> str:
        return self.text

    @property
    def stage_label(self) -> str:
        from cpaudit.progress.steps import stage_name

        return "、".join(stage_name(n) for n in self.stages)


class Panel(models.Model):
    """The expert panel of one application. A redraw (an expert cannot attend) supersedes the panel;
    the old one stays, `is_current` false."""

    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="panels")
    is_current = models.BooleanField(default=True)
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="+")
    # The draw, reproducible: rule (size and minimum per speciality), seed, eligible ids in order.
    rule = models.JSONField("抽取规则")
    seed = models.CharField("随机种子", max_length=64)
    eligible_ids = models.JSONField("可抽取专家")
    # The specialities the draw relied on ({"environment": [ids], "industry": [ids]}), frozen with the
    # list: a later change to an expert's record must not change what a replay of this draw yields.
    eligible_pools = models.JSONField("可抽取专家专业", default=dict)
    eligible_digest = models.CharField("可抽取名单SM3", max_length=64)
    excluded = models.JSONField("回避专家", default=list, help_text="[{id, reason}]")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("抽取时间")
    # Why this panel replaced the previous one, or departs from the campaign's rule (required then).
    reason = models.CharField("抽取说明", max_length=200, blank=True)
    meeting_date = models.DateField("评审日期", null=True, blank=True)
    meeting_place = models.CharField("评审地点", max_length=200, blank=True)
    opinion = models.TextField("专家组意见", blank=True)

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        verbose_name = "专家组"
        constraints = [models.UniqueConstraint(fields=["application"], condition=models.Q(is_current=True),
                                               name="panel_one_current")]

    def __str__(self) -> str:
        return f"{self.application}专家组"


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="memberships")
    order = models.PositiveSmallIntegerField("顺序")
    is_leader = models.BooleanField("组长", default=False)

    class Meta:
        ordering = ["panel_id", "order"]
        verbose_name = "专家组成员"
        constraints = [models.UniqueConstraint(fields=["panel", "expert"], name="panelmember_unique")]

    def __str__(self) -> str:
        return f"{self.expert}"


class Score(models.Model):
    """One member's score sheet: points per item, the veto items ticked, the opinion."""

    member = models.OneToOneField(PanelMember, on_delete=models.PROTECT, related_name="score")
    points = models.JSONField("各项得分", help_text="{item_id: points}")
    vetoes = models.JSONField("否决项", default=list, help_text="[item_id]")
    total = models.DecimalField("总分", max_digits=6, decimal_places=1,
                                validators=[MinValueValidator(0), MaxValueValidator(1000)])
    opinion = models.TextField("评审意见", blank=True)
    submitted_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = "专家评分"

    def __str__(self) -> str:
        return f"{self.member} {self.total}"
