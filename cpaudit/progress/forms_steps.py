"""Forms of the step pages: recording a step, the branch's review, uploading evidence, time nodes."""

from django import forms

from .models import StepStatus
from .steps import stages


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StepRecordForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=StepStatus.choices)
    start_date = forms.DateField(label="开始日期", required=False, widget=DateInput())
    completion_date = forms.DateField(label="完成日期", required=False, widget=DateInput(),
                                      help_text="状态为“已完成”时必填")
    note = forms.CharField(label="说明", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def initial_for(cls, record) -> dict:
        if record is None:
            return {"status": StepStatus.NOT_STARTED}
        return {"status": record.status, "start_date": record.start_date,
                "completion_date": record.completion_date, "note": record.note}


class ReviewForm(forms.Form):
    ACTIONS = [("confirm", "核实"), ("return", "退回"), ("reopen", "重新打开")]
    action = forms.ChoiceField(label="操作", choices=ACTIONS)
    reason = forms.CharField(label="原因", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="退回或重新打开时必填")
    # What the reviewer saw (services.steps.review_version): a decision on an outdated page is refused.
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(label="佐证材料", allow_empty_file=False,
                           error_messages={"required": "请选择要上传的文件", "empty": "文件为空"})
    replaces = forms.TypedChoiceField(label="替换", required=False, coerce=int, empty_value=None,
                                      help_text="选择一个现有文件则作为它的新版本上传，旧版本保留")

    def __init__(self, *args, current=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaces"].choices = [("", "（新增，不替换）")] + [
            (e.pk, e.original_name) for e in current]


class StageTargetsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for stage in stages():
            self.fields[f"stage_{stage.number}"] = forms.DateField(
                label=f"第{stage.number}阶段 {stage.name}", widget=DateInput())

    def targets(self) -> dict:
        return {int(name.removeprefix("stage_")): value for name, value in self.cleaned_data.items()}
