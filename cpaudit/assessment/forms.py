"""Forms of the assessment pages (they only parse input; the services decide)."""

from django import forms

from cpaudit.campaigns.models import Campaign

from .models import Target

DATE = forms.DateInput(attrs={"type": "date"})


class ScorecardForm(forms.Form):
    campaign = forms.ModelChoiceField(label="审核批次", queryset=Campaign.objects.all(), required=False,
                                      empty_label=None)
    month = forms.CharField(label="考核月份", required=False, max_length=7, help_text="YYYY-MM，如 2020-09")


class CircularForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    number = forms.CharField(label="文号", max_length=100, required=False, help_text="如：保环办函〔2020〕75号")
    addressee = forms.CharField(label="主送", max_length=200, required=False)
    opening = forms.CharField(label="通报情况", widget=forms.Textarea(attrs={"rows": 6}), required=False,
                              help_text="一行一段；考核得分表、滞后单位和企业清单按起草时的考核数据自动列出")
    requirements = forms.CharField(label="工作要求", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    for_public = forms.BooleanField(label="签发后在公示页面公开", required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="退回原因", widget=forms.Textarea(attrs={"rows": 2}))


class SummonsForm(forms.Form):
    summoned = forms.ModelChoiceField(label="被约谈单位", queryset=None, empty_label=None)
    attendees = forms.CharField(label="被约谈人", max_length=300, help_text="职务，如：分局一把手、分管局长、股长")
    scheduled_for = forms.DateField(label="约谈日期", widget=DATE)
    place = forms.CharField(label="地点", max_length=200, required=False)
    reason = forms.CharField(label="约谈事由", widget=forms.Textarea(attrs={"rows": 3}))
    circular = forms.ModelChoiceField(label="所据通报", queryset=None, required=False)

    def __init__(self, *args, agencies, circulars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summoned"].queryset = agencies
        self.fields["circular"].queryset = circulars


class SummonsRecordForm(forms.Form):
    held_on = forms.DateField(label="约谈时间", widget=DATE)
    record = forms.CharField(label="约谈情况", widget=forms.Textarea(attrs={"rows": 4}))
    commitments = forms.CharField(
        label="承诺事项", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="一行一项：完成期限（YYYY-MM-DD）＋空格＋事项，如：2020-10-31 督促3家滞后企业完成第4阶段")

    def clean_commitments(self):
        import datetime as dt

        items = []
        for line in self.cleaned_data["commitments"].splitlines():
            line = line.strip()
            if not line:
                continue
            day, _, text = line.partition(" ")
            try:
                items.append((text.strip(), dt.date.fromisoformat(day)))
            except ValueError:
                raise forms.ValidationError(f"“{line}”应以完成期限（YYYY-MM-DD）开头") from None
        return items


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label="完成情况", widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionForm(forms.Form):
    enrolment = forms.ModelChoiceField(label="审核批次", queryset=None, empty_label=None)
    target = forms.ChoiceField(label="延期事项", choices=Target.choices)
    requested_date = forms.DateField(label="申请延至", widget=DATE)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = enrolments
        self.fields["enrolment"].label_from_instance = lambda e: str(e.campaign)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="意见", choices=[("yes", "同意"), ("no", "不同意")], widget=forms.RadioSelect)
    opinion = forms.CharField(label="审核（审批）意见", widget=forms.Textarea(attrs={"rows": 2}))


class SuspensionForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))
