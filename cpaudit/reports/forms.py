"""Forms of the monthly report pages. They parse and validate input; the services do the work."""

import datetime as dt

from django import forms
from django.core.validators import RegexValidator

MONTH = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "请按“YYYY-MM”格式填写月份，如 2020-06")


def month_value(day: dt.date) -> str:
    return f"{day:%Y-%m}"


class PeriodForm(forms.Form):
    """Which campaign and month to open (a GET form)."""

    campaign = forms.ChoiceField(label="审核批次", error_messages={"required": "请选择审核批次",
                                                                  "invalid_choice": "没有这个审核批次"})
    month = forms.CharField(label="月份", max_length=7, validators=[MONTH],
                            error_messages={"required": "请填写月份"},
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}))

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [(c.slug, c.name) for c in campaigns]

    def clean_month(self) -> dt.date:
        value = self.cleaned_data["month"]
        year, month = int(value[:4]), int(value[5:7])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise forms.ValidationError("月份应为2000年至2100年之间的有效月份，如 2020-07")
        return dt.date(year, month, 1)


class DraftForm(forms.Form):
    """The free text staff write and the 文号; the counts and sentences come from the data. Nothing is
    required to save a draft: what the report cannot be submitted without is refused at submission."""

    document_number = forms.CharField(label="文号", max_length=100, required=False)
    problems = forms.CharField(
        label="存在的问题", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="报送时必填；报告照录所填内容（辖区内没有发现问题的，如实写明）",
    )
    remarks = forms.CharField(label="其他说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, city: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_number"].help_text = (
            "市局汇总报告报送时必填，印在发文机关标志下，如：保环报〔2026〕41号" if city
            else "本单位发文有文号的填写，印在发文机关标志下")


def posted_seen(data) -> str:
    """What the page showed the decider (cpaudit.reports.seen), posted back with the decision in a
    hidden "seen" input. The template writes it from the page's own context, so a page shown again
    after a refusal carries the new value; an empty or stale one is refused by the service."""
    return str(data.get("seen") or "").strip()[:100]


class SubmitForm(forms.Form):
    """The leader approves and submits; a correction after an earlier submission needs a reason."""

    reason = forms.CharField(label="更正原因", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="已报送过的报告再次报送（更正）时必填")

    def __init__(self, *args, correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.correction = correction
        if correction:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = "再次报送（更正）须填写更正原因"
        else:  # a first submission has nothing to correct
            del self.fields["reason"]


class ReturnForm(forms.Form):
    """City staff send a branch report back with a reason."""

    report = forms.IntegerField(widget=forms.HiddenInput())
    reason = forms.CharField(label="退回原因", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "退回须填写原因"})

    def clean_reason(self) -> str:
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError("退回须填写原因")
        return value


class AcceptForm(forms.Form):
    report = forms.IntegerField(widget=forms.HiddenInput())


class ScanForm(forms.Form):
    """The scan of the sealed copy that was faxed or sent."""

    file = forms.FileField(label="盖章扫描件", error_messages={"required": "请选择要上传的盖章扫描件",
                                                               "empty": "文件为空"},
                           help_text="加盖单位公章的报送件扫描件：PDF 或图片（PNG、JPEG、GIF）")


class ResultsPeriodForm(forms.Form):
    """Which campaign and phase (评估/验收) to open (a GET form)."""

    campaign = forms.ChoiceField(label="审核批次", error_messages={"required": "请选择审核批次",
                                                                  "invalid_choice": "没有这个审核批次"})
    kind = forms.ChoiceField(label="阶段", choices=[("evaluation", "评估"), ("acceptance", "验收")],
                             error_messages={"invalid_choice": "阶段应为评估或验收"})

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [(c.slug, c.name) for c in campaigns]


class ResultsDraftForm(forms.Form):
    """What staff write on a results summary; the list and the counts come from the applications."""

    document_number = forms.CharField(label="文号", max_length=100, required=False)
    remarks = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="如逾期、未通过企业的原因和整改安排；照录于汇总")

    def __init__(self, *args, city: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_number"].help_text = (
            "市局汇总报送时必填，印在发文机关标志下" if city else "本单位发文有文号的填写，印在发文机关标志下")


class ResultsReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "退回须填写原因"})
