"""Monthly progress reports (每月工作进度): a branch's report per campaign and month, and the city's
consolidation. The report row holds the editable draft; every submission freezes a ReportVersion whose
`content` (see content.py) is the record — it never changes when the data changes later."""

from django.conf import settings
from django.db import models


class ReportKind(models.TextChoices):
    BRANCH = "branch", "分局月报"
    CITY = "city", "市局汇总"


class ReportStatus(models.TextChoices):
    # 编辑中 → (leader) 已报送 → (city staff) 已接收 | 已退回 → (a correction) 编辑中 again, new version.
    # The city's consolidation: 编辑中 → (city leader) 已报送 (to the province).
    DRAFT = "draft", "编辑中"
    SUBMITTED = "submitted", "已报送"
    ACCEPTED = "accepted", "已接收"
    RETURNED = "returned", "已退回"


class MonthlyReport(models.Model):
    kind = models.CharField("类型", max_length=10, choices=ReportKind.choices)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="monthly_reports")
    agency = models.ForeignKey("org.Agency", verbose_name="报送单位", on_delete=models.PROTECT,
                               related_name="monthly_reports")
    month = models.DateField("月份", help_text="该月1日")
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # The free text staff write; the counts and sentences always come from the data (content.py).
    problems = models.TextField("存在的问题", blank=True, help_text="报送时必填，照录于报告")
    remarks = models.TextField("其他说明", blank=True)
    # 发文字号, printed under the masthead; the city's consolidation cannot be submitted without one.
    document_number = models.CharField("文号", max_length=100, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    return_reason = models.TextField("退回原因", blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "agency_id"]
        verbose_name = "月度进度报告"
        constraints = [models.UniqueConstraint(fields=["kind", "campaign", "agency", "month"],
                                               name="monthlyreport_unique")]

    def __str__(self) -> str:
        return f"{self.agency} {self.month:%Y年%m月} {self.get_kind_display()}"

    @property
    def county_code(self) -> str:
        return self.agency.division_id


class ReportVersion(models.Model):
    """A submitted report, frozen. A correction after submission is a new version with a reason."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("版本")
    content = models.JSONField("报告内容")
    digest = models.CharField("SM3", max_length=64)
    reason = models.TextField("更正原因", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间")
    # The sealed copy that was faxed or sent (a scan: PDF or image), stored by SM3 outside the web root
    # (core.storedfiles). A later upload replaces it here; the log keeps every digest.
    scan_digest = models.CharField("盖章扫描件SM3", max_length=64, blank=True)
    scan_name = models.CharField("盖章扫描件文件名", max_length=255, blank=True)
    scan_content_type = models.CharField(max_length=100, blank=True)
    scan_size = models.PositiveIntegerField(null=True, blank=True)
    scan_uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    scan_uploaded_at = models.DateTimeField("上传时间", null=True, blank=True)
    # Withdrawn by its leader before the city acted on it (reports.services.report_withdraw): it stays
    # in the history, marked, and the next submission is a new version.
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        ordering = ["report_id", "number"]
        verbose_name = "报告版本"
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="reportversion_unique")]

    def __str__(self) -> str:
        return f"{self.report} 第{self.number}版"


class Notification(models.Model):
    """An in-app message (reminders of due reports, returns)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField("内容", max_length=300)
    link = models.CharField("链接", max_length=300, blank=True)
    key = models.CharField("去重键", max_length=120, blank=True, db_index=True,
                           help_text="同一提醒只发一次，如 reminder:<report>:<user>")
    # The item it is about, as the action log names objects ("applications.application:12"): when the
    # person (or a colleague at the same desk) acts on that item, it is marked read (workbench.notify).
    subject = models.CharField("事项", max_length=120, blank=True, db_index=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "站内通知"
        constraints = [models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""),
                                               name="notification_once")]

    def __str__(self) -> str:
        return self.text


# --- 评估/验收 results roll-up (seed § 二: "最终的评估、验收汇总结果由各分局…上报市局，市局汇总后上报省厅") ---

class ResultsLevel(models.TextChoices):
    # A county branch's summary of its enterprises (a 省直管县's too: it reports straight to the province).
    BRANCH = "branch", "分局汇总"
    # A city-level agency's consolidation of its branches, to the province.
    CITY = "city", "市局汇总"


class ResultsSummary(models.Model):
    """The 评估 or 验收 results of one campaign as one unit reports them up the chain, per phase.

    Same chain and vocabulary as a monthly report (ReportStatus): staff draft → the unit's leader
    submits (a frozen ResultsVersion) → staff of the agency above accept or return → a returned one is
    corrected and submitted again as version n+1 with a reason. The counts and the list come from the
    applications on the day of each submission; only the free text and the 文号 are written here."""

    level = models.CharField("层级", max_length=10, choices=ResultsLevel.choices)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="results_summaries")
    # applications.models.Kind: 评估 (phase 1, by the evaluation deadline) or 验收 (phase 2).
    kind = models.CharField("阶段", max_length=12, choices=[("evaluation", "评估"), ("acceptance", "验收")])
    agency = models.ForeignKey("org.Agency", verbose_name="报送单位", on_delete=models.PROTECT,
                               related_name="results_summaries")
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    remarks = models.TextField("情况说明", blank=True)
    document_number = models.CharField("文号", max_length=100, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    return_reason = models.TextField("退回原因", blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign_id", "kind", "level", "agency_id"]
        verbose_name = "评估/验收结果汇总"
        constraints = [models.UniqueConstraint(fields=["level", "campaign", "kind", "agency"],
                                               name="resultssummary_unique")]

    def __str__(self) -> str:
        return f"{self.agency}{self.get_kind_display()}结果汇总"


class ResultsVersion(models.Model):
    """A submitted results summary, frozen with the SM3 of its content; a correction is a new version."""

    summary = models.ForeignKey(ResultsSummary, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("版本")
    content = models.JSONField("汇总内容")
    digest = models.CharField("SM3", max_length=64)
    reason = models.TextField("更正原因", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间")

    class Meta:
        ordering = ["summary_id", "number"]
        verbose_name = "结果汇总版本"
        constraints = [models.UniqueConstraint(fields=["summary", "number"], name="resultsversion_unique")]

    def __str__(self) -> str:
        return f"{self.summary} 第{self.number}版"
