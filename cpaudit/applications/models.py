"""评估 (Table 1) and 验收 (Table 2) applications and the chain they travel (authority.md § The
application chain): the enterprise submits → branch → city → province → the organizer's panel →
the result. The lifecycle is `Application.status`; every decision along it is a `Decision` row (the
approval as data); every submission freezes an `ApplicationVersion` (the form as submitted, with its
SM3 digest); the branch's and the city's covering letters are `Batch` rows.
"""

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    EVALUATION = "evaluation", "评估"
    ACCEPTANCE = "acceptance", "验收"


FORM_TITLES = {Kind.EVALUATION: "清洁生产审核评估申请表", Kind.ACCEPTANCE: "清洁生产审核验收申请表"}
FORM_NUMBERS = {Kind.EVALUATION: "表1", Kind.ACCEPTANCE: "表2"}
# 评估 通过/不通过; 验收 合格/不合格 (domain README § 5).
RESULT_LABELS = {
    Kind.EVALUATION: {True: "通过", False: "不通过"},
    Kind.ACCEPTANCE: {True: "合格", False: "不合格"},
}


class Status(models.TextChoices):
    # The enterprise (or its engaged consulting agency) prepares; only the enterprise submits.
    DRAFT = "draft", "草稿"
    # Submitted (the form is frozen as a version): branch staff write the branch opinion.
    BRANCH_REVIEW = "branch_review", "待分局审核"
    # Branch staff agreed (同意上报): the branch leader approves forwarding, or returns.
    BRANCH_APPROVAL = "branch_approval", "待分局负责人审批"
    # Approved by the branch leader: waits for the branch's batch (covering letter) to the city.
    # A 省直管县 skips this: its city-level staff review next (two different people).
    BRANCH_BATCH = "branch_batch", "待分局报送市局"
    # In a submitted branch batch: city staff write the 初审 opinion (the form's 设区市（省管县） block).
    CITY_REVIEW = "city_review", "待市局初审"
    CITY_APPROVAL = "city_approval", "待市局负责人审批"
    # Approved by the city leader: waits for the city's batch (letter) to the province.
    CITY_BATCH = "city_batch", "待市局报送省厅"
    # In a submitted city batch: province staff write the 审批 opinion (the province block).
    PROVINCE_REVIEW = "province_review", "待省厅审批"
    PROVINCE_APPROVAL = "province_approval", "待省厅负责人审批"
    # Approved: the organizer (by management level) draws the panel, the experts score.
    ORGANIZING = "organizing", "组织评估/验收中"
    # The organizer's staff proposed the result from the panel: the organizer's leader confirms.
    RESULT_PENDING = "result_pending", "待确认结果"
    PASSED = "passed", "通过"
    FAILED = "failed", "未通过"
    # Sent back at any level with a reason: the enterprise edits and resubmits (the chain restarts).
    RETURNED = "returned", "已退回"


EDITABLE = (Status.DRAFT, Status.RETURNED)
FINAL = (Status.PASSED, Status.FAILED)
# States in which the application is somewhere in the chain (not with the enterprise, not decided).
IN_CHAIN = tuple(s for s in Status if s not in EDITABLE and s not in FINAL)


class Level(models.TextChoices):
    BRANCH = "branch", "县（市、区）生态环境分局"
    CITY = "city", "设区市（省管县）生态环境局"
    PROVINCE = "province", "省生态环境厅"


class Application(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name="审核批次", on_delete=models.PROTECT,
                                 related_name="applications")
    enrolment = models.ForeignKey("campaigns.Enrolment", verbose_name="审核企业", on_delete=models.PROTECT,
                                  related_name="applications")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The editable form (keys and labels in formspec.py); frozen copies are ApplicationVersions.
    form_data = models.JSONField("申请表内容", default=dict)
    # 验收 only: the passed 评估 it stands on.
    evaluation = models.ForeignKey("self", verbose_name="通过的评估申请", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="acceptances")
    # Who organizes the review, by the enterprise's management level at submission.
    organizer_level = models.CharField("组织单位级别", max_length=10, choices=Level.choices, blank=True)
    organizer = models.ForeignKey("org.Agency", verbose_name="组织单位", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="organized_applications")
    branch_batch = models.ForeignKey("Batch", verbose_name="分局报送批", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    city_batch = models.ForeignKey("Batch", verbose_name="市局报送批", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    returned_level = models.CharField("退回单位级别", max_length=10, choices=Level.choices, blank=True)
    passed = models.BooleanField("结论", null=True, blank=True)
    result_date = models.DateField("结论日期", null=True, blank=True)
    result_opinion = models.TextField("专家组意见", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign_id", "kind", "enrolment_id"]
        verbose_name = "评估/验收申请"
        verbose_name_plural = "评估/验收申请"
        constraints = [
            # One application per enrolment and kind at a time; a failed one stays as history.
            models.UniqueConstraint(fields=["enrolment", "kind"], condition=~models.Q(status="failed"),
                                    name="application_one_open_per_kind"),
        ]
        indexes = [models.Index(fields=["campaign", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.enrolment.enterprise}{self.get_kind_display()}申请"

    @property
    def form_title(self) -> str:
        return FORM_TITLES[self.kind]

    @property
    def result_label(self) -> str:
        return "" if self.passed is None else RESULT_LABELS[self.kind][self.passed]

    @property
    def status_label(self) -> str:
        """通过/未通过 read 合格/不合格 for a 验收."""
        if self.status in FINAL and self.passed is not None:
            return f"{self.get_kind_display()}{self.result_label}"
        return self.get_status_display()


class ApplicationVersion(models.Model):
    """The form exactly as the enterprise submitted it (content = formspec values + registry echo)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("版本")
    content = models.JSONField("申请表内容")
    digest = models.CharField("SM3", max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("提交时间")

    class Meta:
        ordering = ["application_id", "number"]
        verbose_name = "申请表版本"
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="applicationversion_unique")]

    def __str__(self) -> str:
        return f"{self.application} 第{self.number}版"


class Step(models.TextChoices):
    """Where in the chain a decision was taken (one Decision row per step taken)."""

    BRANCH_REVIEW = "branch_review", "分局审核"
    BRANCH_APPROVAL = "branch_approval", "分局负责人审批"
    CITY_REVIEW = "city_review", "市局初审"
    CITY_APPROVAL = "city_approval", "市局负责人审批"
    PROVINCE_REVIEW = "province_review", "省厅审批"
    PROVINCE_APPROVAL = "province_approval", "省厅负责人审批"
    RESULT_PROPOSAL = "result_proposal", "组织单位提出结论"
    RESULT_CONFIRMATION = "result_confirmation", "组织单位负责人确认结论"


class Outcome(models.TextChoices):
    AGREE = "agree", "同意"
    RETURN = "return", "退回"


class Decision(models.Model):
    """One decision at one step, bound to the exact version it decided on."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    version = models.ForeignKey(ApplicationVersion, on_delete=models.PROTECT, related_name="decisions")
    step = models.CharField("环节", max_length=24, choices=Step.choices)
    outcome = models.CharField("意见", max_length=10, choices=Outcome.choices)
    opinion = models.TextField("意见内容", blank=True)
    # The reviewer's yes/no checks printed on the form (e.g. 提交申请评估资料是否齐全): {key: bool}.
    checks = models.JSONField("核查项", default=dict, blank=True)
    # Who took the step here. For a paper reply: the recorder (its declarations apply).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The name printed on the form: the actor's, or for a paper reply whoever signed it.
    actor_name = models.CharField("签字人", max_length=50)
    # The agency whose decision it is (for a paper reply, the replying agency, not the recorder's).
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("时间")
    # 据来文录入: transcribed from a paper reply of a level that does not use the platform.
    transcribed = models.BooleanField("据来文录入", default=False)
    source_number = models.CharField("来文文号", max_length=100, blank=True)
    source_date = models.DateField("来文日期", null=True, blank=True)
    scan = models.ForeignKey("Attachment", verbose_name="来文扫描件", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    # What the decision relied on beyond the form (services/basis.py): SM3 of the enrolment's evidence
    # files, options and audit figures when it was taken. A later change voids it (before the result)
    # or opens a correction (after).
    basis = models.JSONField("审核依据摘要", default=dict, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=300, blank=True)

    class Meta:
        ordering = ["application_id", "decided_at", "pk"]
        verbose_name = "审核意见"
        constraints = [
            models.CheckConstraint(name="decision_transcribed_has_source",
                                   condition=models.Q(transcribed=False)
                                   | (models.Q(source_date__isnull=False) & models.Q(scan__isnull=False))),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()}：{self.get_outcome_display()}"


class Batch(models.Model):
    """A branch's (to the city) or a city's (to the province) written application: the covering letter
    and the list of enterprises, submitted by the unit's leader."""

    level = models.CharField("级别", max_length=10, choices=[(Level.BRANCH, "分局报市局"), (Level.CITY, "市局报省厅")])
    agency = models.ForeignKey("org.Agency", verbose_name="报送单位", on_delete=models.PROTECT,
                               related_name="application_batches")
    recipient = models.ForeignKey("org.Agency", verbose_name="主送单位", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    number = models.PositiveIntegerField("序号")
    title = models.CharField("标题", max_length=200)
    letter = models.TextField("申请正文")
    # The frozen list (enterprise, code, version digest) the letter covers.
    content = models.JSONField("报送清单")
    digest = models.CharField("SM3", max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间")

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "评估/验收申请报送批"
        constraints = [models.UniqueConstraint(fields=["agency", "campaign", "kind", "number"], name="batch_unique")]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    """A file that belongs to an application: the enterprise's written application (书面申请) and its
    audit report, uploaded with the form and frozen with each submitted version (the version's content
    lists their digests); a scan of a paper reply; the material of a city's assistance. Bytes live in
    core.storedfiles under their SM3 digest."""

    class Purpose(models.TextChoices):
        LETTER = "letter", "企业书面申请"
        REPORT = "report", "清洁生产审核报告"
        REPLY_SCAN = "reply_scan", "来文扫描件"
        ASSISTANCE = "assistance", "协助/协调材料"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="attachments")
    purpose = models.CharField("用途", max_length=12, choices=Purpose.choices)
    digest = models.CharField("SM3", max_length=64, db_index=True)
    original_name = models.CharField("文件名", max_length=255)
    file_kind = models.CharField("类型", max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")
    # A letter or report replaced while the form is editable stays as history (a version may cite it).
    is_current = models.BooleanField("当前", default=True)

    class Meta:
        ordering = ["application_id", "purpose", "-uploaded_at", "-pk"]
        verbose_name = "申请附件"

    def __str__(self) -> str:
        return self.original_name


class PaperAgency(models.Model):
    """A city-level agency or the province that records its decisions on paper — for every campaign
    (campaign empty) or one. Its replies are transcribed by the level below (transitions.py)."""

    agency = models.ForeignKey("org.Agency", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name="审核批次", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text="留空表示所有批次")
    note = models.CharField("说明", max_length=300)
    configured_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                      related_name="+")
    configured_at = models.DateTimeField("设置时间")

    class Meta:
        ordering = ["agency_id", "campaign_id"]
        verbose_name = "纸质办理单位"
        constraints = [
            models.UniqueConstraint(fields=["agency", "campaign"], name="paperagency_unique"),
            models.UniqueConstraint(fields=["agency"], condition=models.Q(campaign__isnull=True),
                                    name="paperagency_unique_all"),
        ]

    def __str__(self) -> str:
        return f"{self.agency}（{self.campaign or '所有批次'}）纸质办理"


class Assistance(models.Model):
    """The city's part in a review it does not organize (seed § 二): for a 省管 enterprise "市局协助实施"
    (who from the city took part, what they did); for a branch-organized review "必要时市局…给予协调",
    requested by the branch and recorded by the city."""

    class Kind(models.TextChoices):
        ASSIST = "assist", "协助实施（省管企业）"
        COORDINATION = "coordination", "协调（分局组织）"

    class State(models.TextChoices):
        REQUESTED = "requested", "已请求，待市局记录"  # a coordination request waiting for the city
        RECORDED = "recorded", "已记录"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="assistance")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices)
    agency = models.ForeignKey("org.Agency", verbose_name="市局", on_delete=models.PROTECT, related_name="+")
    request = models.TextField("协调事项", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField("请求时间", null=True, blank=True)
    participants = models.CharField("参与人员", max_length=300, blank=True)
    work = models.TextField("开展的工作", blank=True)
    work_date = models.DateField("日期", null=True, blank=True)
    material = models.ForeignKey(Attachment, verbose_name="材料", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)

    class Meta:
        ordering = ["application_id", "pk"]
        verbose_name = "市局协助/协调"

    def __str__(self) -> str:
        return f"{self.application}：{self.get_kind_display()}"


class Correction(models.Model):
    """A change to what a confirmed result relied on (evidence, options, figures) after the result: not
    allowed silently — it opens a correction that the organizer reviews, shown beside the result."""

    class State(models.TextChoices):
        OPEN = "open", "待组织单位核查"
        REVIEWED = "reviewed", "已核查"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="corrections")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    cause = models.CharField("变更内容", max_length=300)
    basis_before = models.JSONField("结论依据摘要")
    basis_after = models.JSONField("变更后摘要")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField("发现时间")
    review_note = models.TextField("核查意见", blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField("核查时间", null=True, blank=True)

    class Meta:
        ordering = ["application_id", "-opened_at", "-pk"]
        verbose_name = "结论后变更核查"

    def __str__(self) -> str:
        return f"{self.application}：{self.cause}"
