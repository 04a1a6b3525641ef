"""Campaigns (审核批次) and the enrolment of an enterprise in one."""

import calendar
import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def notice_citation(title: str, number: str = "", issuer: str = "") -> str:
    """How a document cites the campaign's notice: 《title》（number）, or issuer《title》 when the notice
    has no number ("" without a title). Also used on frozen content, hence a plain function."""
    title, number, issuer = (title or "").strip(), (number or "").strip(), (issuer or "").strip()
    if not title:
        return ""
    if number:
        return f"《{title}》（{number}）"
    return f"{issuer}《{title}》"


class Campaign(models.Model):
    class Status(models.TextChoices):
        # 进行中: enrolments and progress are open. 已结束: history, read-only.
        ACTIVE = "active", "进行中"
        CLOSED = "closed", "已结束"

    slug = models.SlugField("批次标识", max_length=50, unique=True)
    name = models.CharField("批次名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    document_number = models.CharField("名单企业“省级文号”", max_length=100, blank=True)
    # The notice that set the campaign going (the seed: 保定市生态环境局办公室《关于加快推进实施清洁生产审核
    # 工作的通知》, 2020-07-21). Reports cite it; it is not the campaign's name, nor the list's 省级文号.
    notice_title = models.CharField("通知标题", max_length=200, blank=True,
                                    help_text="部署本批次工作的通知的标题，不加书名号，如：关于加快推进实施清洁生产审核工作的通知")
    notice_number = models.CharField("通知文号", max_length=100, blank=True,
                                     help_text="该通知自身的发文字号，如：保环办函〔2020〕68号；原件未标文号的留空")
    notice_issuer = models.CharField("发文单位", max_length=100, blank=True, help_text="如：保定市生态环境局办公室")
    notice_date = models.DateField("发文日期", null=True, blank=True)
    # The agency that issued the list: only it (or the province) changes the campaign.
    owner_agency = models.ForeignKey("org.Agency", verbose_name="制定单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    industries = models.ManyToManyField("registry.Industry", verbose_name="行业范围", related_name="+")
    report_day = models.PositiveSmallIntegerField(
        "月报截止日", default=30, validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="每月该日前报送；当月天数不足时为当月最后一天",
    )
    evaluation_deadline = models.DateField("评估完成期限")
    acceptance_deadline = models.DateField("验收完成期限")
    audit_start_date = models.DateField("审核启动日期", null=True, blank=True,
                                        help_text="阶段时间节点从此日期起排；留空则为当年1月1日")
    benefit_flag_factor = models.DecimalField("效益异常倍数", max_digits=5, decimal_places=2, default=3,
                                              validators=[MinValueValidator(1)],
                                              help_text="实际效益超过预期的此倍数时提示分局核实")
    reminder_days = models.PositiveSmallIntegerField("月报提醒提前天数", default=5,
                                                     help_text="截止日前多少天在站内提醒分局报送月报")
    stale_days = models.PositiveSmallIntegerField("停滞天数", default=30, validators=[MinValueValidator(1)],
                                                  help_text="超过此天数无进展的企业列入停滞清单")
    fee_threshold = models.DecimalField("无/低费与中/高费分界（万元）", max_digits=10, decimal_places=2, default=50,
                                        validators=[MinValueValidator(0)])
    # 评估/验收 (issue 5). The time limit to apply for 验收 after passing 评估: practice is one year, at
    # most two; an application outside it must carry an explanation (Table 2 "或有相关说明").
    acceptance_time_limit_days = models.PositiveSmallIntegerField(
        "评估通过后申请验收时限（天）", default=365, validators=[MinValueValidator(1), MaxValueValidator(730)])
    panel_size = models.PositiveSmallIntegerField("专家组人数", default=3,
                                                  validators=[MinValueValidator(1), MaxValueValidator(15)])
    panel_min_environment = models.PositiveSmallIntegerField("其中环境专业专家至少（人）", default=1)
    panel_min_industry = models.PositiveSmallIntegerField("其中行业专业专家至少（人）", default=1)
    # The scope as data (issue 13, 应开展未开展): the industries above, the counties flagged in_basin, and
    # these. An enterprise that meets them all and is not enrolled is listed by cpaudit.coverage.
    scope_water_related = models.BooleanField("仅限涉水企业", default=True)
    scope_double_only = models.BooleanField("仅限双超/双有企业", default=False,
                                            help_text="勾选后，对照名录中未标明双超/双有的企业列为需人工核定")
    scope_note = models.CharField("其他纳入条件", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "slug"]
        verbose_name = "审核批次"
        verbose_name_plural = "审核批次"

    def __str__(self) -> str:
        return self.name

    def notice_citation(self) -> str:
        return notice_citation(self.notice_title, self.notice_number, self.notice_issuer)

    def report_due_date(self, year: int, month: int) -> dt.date:
        last = calendar.monthrange(year, month)[1]
        return dt.date(year, month, min(self.report_day, last))


class CampaignCounty(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="county_links")
    county = models.ForeignKey("org.Division", verbose_name="县（市、区）", on_delete=models.PROTECT, related_name="+")
    in_basin = models.BooleanField("白洋淀流域", default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "county"], name="campaign_county_unique")]
        verbose_name = "批次范围县"

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.county_id}"


class EnterpriseType(models.TextChoices):
    DOUBLE_EXCEED = "shuangchao", "双超企业"
    DOUBLE_HAZARD_1 = "shuangyou1", "双有企业：第一类"
    DOUBLE_HAZARD_2 = "shuangyou2", "双有企业：第二类"
    DOUBLE_HAZARD_3 = "shuangyou3", "双有企业：第三类"
    DOUBLE_HAZARD_4 = "shuangyou4", "双有企业：第四类"
    DOUBLE_HAZARD_5 = "shuangyou5", "双有企业：第五类"
    OTHER = "other", "其他企业"


class AuditMode(models.TextChoices):
    ENTRUSTED = "entrusted", "委托"
    SELF = "self", "自审"


class Enrolment(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name="审核批次", on_delete=models.PROTECT,
                                 related_name="enrolments")
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="enrolments")
    audit_round = models.PositiveSmallIntegerField("审核轮次", default=1, validators=[MinValueValidator(1)])
    mode = models.CharField("开展审核方式", max_length=10, choices=AuditMode.choices, default=AuditMode.SELF)
    consulting_agency = models.ForeignKey("registry.ConsultingAgency", verbose_name="咨询机构名称", null=True,
                                          blank=True, on_delete=models.PROTECT, related_name="enrolments")
    start_date = models.DateField("开始审核时间", null=True, blank=True)
    end_date = models.DateField("完成审核时间", null=True, blank=True)
    enterprise_type = models.CharField("企业类型", max_length=12, choices=EnterpriseType.choices,
                                       default=EnterpriseType.OTHER)
    has_deadline_project = models.BooleanField("清洁生产审核过程中是否有限期治理项目", default=False)
    deadline_project_done = models.BooleanField("清洁生产审核过程中限期治理项目是否已完成", null=True, blank=True)
    has_violation = models.BooleanField("清洁生产审核过程中是否有其他环保违规处罚事件", default=False)
    # An enterprise outside the campaign's scope (a county outside the basin) is enrolled only with a reason.
    scope_reason = models.CharField("范围外纳入理由", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign_id", "enterprise_id"]
        verbose_name = "审核企业"
        verbose_name_plural = "审核企业"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "enterprise"], name="enrolment_unique"),
            models.CheckConstraint(
                name="enrolment_agency_iff_entrusted",
                condition=models.Q(mode="entrusted", consulting_agency__isnull=False)
                | models.Q(mode="self", consulting_agency__isnull=True),
            ),
            models.CheckConstraint(
                name="enrolment_dates_in_order",
                condition=models.Q(start_date__isnull=True) | models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.campaign.year}"
