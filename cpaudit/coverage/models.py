"""应开展未开展: external registers compared with a campaign, and exemptions from it.

A `Register` is an imported external list (e.g. the pollutant discharge permit list) as the rows read
from it (`rows`: name, code, industry, county, 涉水 after mapping, with what could not be mapped), kept
so the comparison page can show it again; the file itself is identified by its SM3. An `Exemption`
takes an enterprise out of the 应开展未开展 list for one campaign (closed, halted, relocated, audited
within the cycle): proposed by staff with a reason and evidence, approved by the branch leader of the
enterprise's county, and listed apart.
"""

from django.conf import settings
from django.db import models


class Register(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name="审核批次", on_delete=models.PROTECT,
                                 related_name="+")
    agency = models.ForeignKey("org.Agency", verbose_name="导入单位", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField("文件名", max_length=255)
    sm3 = models.CharField("文件SM3", max_length=64)
    # [{row, name, uscc, uscc_note, industry, industry_note, county, county_note, water, double, problems}]
    rows = models.JSONField("名录行", default=list)
    # File-level and header notices ("第1行 …"), kept with the rows.
    notices = models.JSONField("导入说明", default=list)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = "外部名录"
        verbose_name_plural = "外部名录"

    def __str__(self) -> str:
        return f"外部名录“{self.filename}”（{len(self.rows)}行）"


class Exemption(models.Model):
    class Reason(models.TextChoices):
        CLOSED = "closed", "已关闭"
        HALTED = "halted", "已停产"
        RELOCATED = "relocated", "已搬迁"
        AUDITED = "audited", "本周期内已完成审核"

    class State(models.TextChoices):
        # Proposed by staff with evidence: waits for the branch leader of the enterprise's county.
        PROPOSED = "proposed", "待分局负责人审批"
        # Approved: listed apart, no longer 应开展未开展.
        APPROVED = "approved", "已批准豁免"
        # Refused with the leader's note: the enterprise stays 应开展未开展.
        REJECTED = "rejected", "未批准"

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name="审核批次", on_delete=models.PROTECT,
                                 related_name="+")
    # The enterprise by its code and name as listed (it may not be in the platform's registry).
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name="企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    name = models.CharField("企业名称", max_length=200)
    county = models.ForeignKey("org.Division", verbose_name="所在县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    reason = models.CharField("豁免情形", max_length=10, choices=Reason.choices)
    explanation = models.TextField("情况说明")
    evidence_sm3 = models.CharField("证明材料SM3", max_length=64)
    evidence_name = models.CharField("证明材料文件名", max_length=255)
    evidence_type = models.CharField("证明材料类型", max_length=100)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT,
                                    related_name="+")
    proposed_at = models.DateTimeField("提出时间")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        ordering = ["campaign_id", "county_id", "name"]
        verbose_name = "应开展未开展豁免"
        verbose_name_plural = "应开展未开展豁免"
        constraints = [
            # One open or approved exemption per enterprise and campaign; refused ones stay as history.
            models.UniqueConstraint(fields=["campaign", "name"], condition=~models.Q(state="rejected"),
                                    name="exemption_one_live_per_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_reason_display()}）"
