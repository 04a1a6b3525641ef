"""Filter forms of the dashboard's lists (enrolments, options). They only parse the query string; the
selectors (progress.selectors.dashboards / option_lists) apply the filters."""

from django import forms
from django.core.validators import RegexValidator

from cpaudit.campaigns.models import EnterpriseType
from cpaudit.registry.models import ManagementLevel

from . import industry_groups
from .models import BENEFITS, OptionCategory, OptionStatus
from .steps import stages

ALL = [("", "全部")]
# GB/T 4754 codes: a 门类 letter, or 2–4 digits (the registry also holds 门类-level codes such as "C").
INDUSTRY_PREFIX = RegexValidator(r"^(?:[A-Ta-t]|\d{1,4})$",
                                 "请输入行业代码前缀（门类字母，或1–4位数字，如大类“22”或小类“2221”）")


def stage_choices() -> list[tuple[str, str]]:
    return [("0", "未开始")] + [(str(s.number), f"{s.number} {s.name}") for s in stages()]


def sort_choices() -> list[tuple[str, str]]:
    labels = {"name": "企业名称", "county": "县（市、区）", "stage": "已实施到阶段", "moved": "最近进展"}
    result = []
    for key, label in labels.items():
        result += [(key, f"{label}↑"), (f"-{key}", f"{label}↓")]
    return result


class EnrolmentFilterForm(forms.Form):
    q = forms.CharField(label="名称或代码", required=False, max_length=100)
    county = forms.ChoiceField(label="县（市、区）", required=False)
    industry = forms.CharField(label="行业代码", required=False, max_length=4, validators=[INDUSTRY_PREFIX],
                               widget=forms.TextInput(attrs={"placeholder": "大类如22", "size": 8}))
    industry_group = forms.ChoiceField(label="六行业", required=False, choices=ALL + industry_groups.choices())
    stage = forms.ChoiceField(label="已实施到阶段", required=False)
    stage_done = forms.ChoiceField(label="已完成阶段", required=False)
    management_level = forms.ChoiceField(label="管理级别", required=False, choices=ALL + list(ManagementLevel.choices))
    enterprise_type = forms.ChoiceField(label="企业类型", required=False, choices=ALL + list(EnterpriseType.choices))
    option_status = forms.ChoiceField(label="有方案处于", required=False, choices=ALL + list(OptionStatus.choices))
    started = forms.BooleanField(label="已启动", required=False)
    complete = forms.BooleanField(label="35步全部完成", required=False)
    stale = forms.BooleanField(label="停滞", required=False)
    behind = forms.BooleanField(label="未按时间节点", required=False)
    sort = forms.ChoiceField(label="排序", required=False)

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = ALL + [(d.code, d.name) for d in counties]
        self.fields["stage"].choices = ALL + stage_choices()
        self.fields["stage_done"].choices = ALL + stage_choices()[1:]
        self.fields["sort"].choices = [("", "默认（县、名称）")] + sort_choices()


class OptionFilterForm(forms.Form):
    q = forms.CharField(label="方案或企业名称", required=False, max_length=100)
    enterprise = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    county = forms.ChoiceField(label="县（市、区）", required=False)
    industry = forms.CharField(label="行业代码", required=False, max_length=4, validators=[INDUSTRY_PREFIX],
                               widget=forms.TextInput(attrs={"placeholder": "大类如22", "size": 8}))
    industry_group = forms.ChoiceField(label="六行业", required=False, choices=ALL + industry_groups.choices())
    category = forms.ChoiceField(label="类别", required=False, choices=ALL + list(OptionCategory.choices))
    status = forms.ChoiceField(label="状态", required=False, choices=ALL + list(OptionStatus.choices))
    benefit = forms.ChoiceField(label="效益", required=False, choices=ALL + list(BENEFITS))
    counted = forms.BooleanField(label="不含放弃", required=False)
    flagged = forms.BooleanField(label="效益异常提示", required=False)

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = ALL + [(d.code, d.name) for d in counties]


class ConsistencyFilterForm(forms.Form):
    """The branch's list of consistency flags: by check and by county."""

    check = forms.ChoiceField(label="检查项", required=False)
    county = forms.ChoiceField(label="县（市、区）", required=False)

    def __init__(self, *args, counties, **kwargs):
        from .services.consistency import CHECKS

        super().__init__(*args, **kwargs)
        self.fields["check"].choices = ALL + list(CHECKS.items())
        self.fields["county"].choices = ALL + [(d.code, d.name) for d in counties]
