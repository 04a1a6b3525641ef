"""事后有督: the working-day calendar the anomaly rules read, and the findings of those rules.

A finding is what one rule saw in the action log and the decisions (rules/), identified by a stable key
so that running the rules again updates it instead of duplicating it; it names the entries behind it
(`log_seqs`), the official concerned if any, and who supervises that official (integrity.supervision).
A reviewer marks it reviewed with a note; the review stays when the rules run again.
"""

from django.conf import settings
from django.db import models


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"  # a weekday off (法定节假日、调休放假)
    WORKDAY = "workday", "上班"  # a weekend day worked (调休上班)


class CalendarDay(models.Model):
    """A day that departs from Monday–Friday: a holiday on a weekday, a working weekend day (调休), or a
    weekend day inside a holiday (recorded for its name). Kept by province and city staff: the
    platform fetches nothing online."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("安排", max_length=10, choices=DayKind.choices)
    name = models.CharField("名称", max_length=50, help_text="如：国庆节、国庆节调休上班")
    source = models.CharField("依据", max_length=200, blank=True, help_text="如：国务院办公厅关于2026年部分节假日安排的通知")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="维护人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("维护时间", null=True, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"


class Rule(models.TextChoices):
    QUICK = "quick", "提交后短时间内作出决定"
    OFF_HOURS = "off_hours", "非工作时间作出决定"
    CONCENTRATION = "concentration", "同一审核人集中办理同一咨询机构的项目"
    PAIR = "pair", "同一专家反复评审同一咨询机构的项目"
    ALL_PASS = "all_pass", "咨询机构服务的企业全部通过"
    REOPENED = "reopened", "已核实的步骤被重新打开"
    FIGURES = "figures", "决定后随即修改方案或数据"


class Finding(models.Model):
    rule = models.CharField("规则", max_length=16, choices=Rule.choices)
    key = models.CharField("标识", max_length=120, unique=True)
    summary = models.TextField("情况")
    # The numbers the rule compared ({label: value}), shown as they are.
    details = models.JSONField("比对数据", default=dict)
    log_seqs = models.JSONField("相关日志", default=list, help_text="操作日志序号")
    official = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="涉及人员", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    supervising_agency = models.ForeignKey("org.Agency", verbose_name="监督单位", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    leaders_only = models.BooleanField("仅限负责人", default=False)
    first_found_at = models.DateTimeField("首次发现")
    last_found_at = models.DateTimeField("最近发现")
    # False once a later run no longer sees it (e.g. the agency's next client failed).
    present = models.BooleanField("仍然存在", default=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核查人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("核查时间", null=True, blank=True)
    review_note = models.TextField("核查说明", blank=True)

    class Meta:
        ordering = ["-last_found_at", "-pk"]
        verbose_name = "异常情况"
        verbose_name_plural = "异常情况"
        indexes = [models.Index(fields=["rule", "present"])]

    def __str__(self) -> str:
        return f"异常情况第{self.pk}号（{self.get_rule_display()}）"

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None
