"""Forms of the anomaly review, the working-day calendar and the per-official record."""

from django import forms

from .models import DayKind, Rule


class FindingFilterForm(forms.Form):
    rule = forms.ChoiceField(label="规则", required=False, choices=[("", "全部")] + list(Rule.choices))
    status = forms.ChoiceField(label="状态", required=False, choices=[
        ("", "全部"), ("open", "待核查"), ("reviewed", "已核查"), ("gone", "已不再出现")])
    q = forms.CharField(label="关键词", required=False, max_length=100, help_text="情况或涉及人员")


class ReviewForm(forms.Form):
    note = forms.CharField(label="核查说明", widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="写明核查了什么、结论如何（如：经核实属正常办理，原因是……；或已移交纪检）")


class CalendarDayForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="安排", choices=DayKind.choices)
    name = forms.CharField(label="名称", max_length=50, help_text="如：国庆节、国庆节调休上班")
    source = forms.CharField(label="依据", max_length=200, required=False,
                             help_text="如：国务院办公厅关于某年部分节假日安排的通知")


class YearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100, required=False)


class OfficialSearchForm(forms.Form):
    q = forms.CharField(label="姓名、用户名或单位", required=False, max_length=100)
