"""Forms of the application pages. They parse input; formspec and the services validate the business
rules (one source for every message), so the application form itself accepts any text and lets
`application_save` / `application_submit` put their errors next to the fields."""

from django import forms

from cpaudit.registry.models import ManagementLevel

from . import formspec
from .models import RESULT_LABELS as RESULT_CHOICES
from .models import Kind, Outcome, Status

ALL = [("", "全部")]
YES_NO = [("true", "是"), ("false", "否")]
# Groups of states (the summary's columns) offered beside the states themselves in the status filter.
STATUS_GROUPS = [("applied", "已申请（提交过）"), ("drafting", "未提交（草稿）"), ("in_review", "审核中"),
                 ("pending", "未出结论（已申请）")]
SORTS = {
    "name": ("enrolment__enterprise__name", "kind"), "-name": ("-enrolment__enterprise__name", "kind"),
    "county": ("enrolment__enterprise__county_id", "enrolment__enterprise__name"),
    "status": ("status", "enrolment__enterprise__name"),
    "-submitted": ("-submitted_at", "enrolment__enterprise__name"),
    "submitted": ("submitted_at", "enrolment__enterprise__name"),
}
SORT_LABELS = [("", "默认（县、名称）"), ("name", "企业名称↑"), ("-name", "企业名称↓"), ("county", "县（市、区）"),
               ("status", "状态"), ("-submitted", "提交时间（新→旧）"), ("submitted", "提交时间（旧→新）")]


class FilterForm(forms.Form):
    """The index's filters (a GET form)."""

    q = forms.CharField(label="企业名称或代码", required=False, max_length=100)
    campaign = forms.ChoiceField(label="审核批次", required=False)
    kind = forms.ChoiceField(label="类型", required=False, choices=ALL + list(Kind.choices))
    status = forms.ChoiceField(label="状态", required=False,
                               choices=ALL + [("汇总口径", STATUS_GROUPS), ("当前状态", list(Status.choices))])
    county = forms.ChoiceField(label="县（市、区）", required=False)
    city = forms.ChoiceField(label="设区市（省管县）", required=False)
    management_level = forms.ChoiceField(label="管理级别", required=False, choices=ALL + list(ManagementLevel.choices))
    late = forms.BooleanField(label="仅看逾期", required=False)
    sort = forms.ChoiceField(label="排序", required=False, choices=SORT_LABELS)

    def __init__(self, *args, campaigns, counties, cities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = ALL + [(c.slug, c.name) for c in campaigns]
        self.fields["county"].choices = ALL + [(d.code, d.name) for d in counties]
        if cities:
            self.fields["city"].choices = ALL + [(a.division_id, a.name) for a in cities]
        else:  # only the province groups by city level
            del self.fields["city"]


class StartForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices, error_messages={"required": "请选择申请类型（评估或验收）",
                                                                   "invalid_choice": "未知的申请类型"})


def _widget(f: formspec.Field):
    if f.type == formspec.BOOL:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
    if f.key == "enterprise_type":
        return forms.ChoiceField(choices=formspec.TYPE_CHOICES, widget=forms.RadioSelect)
    if f.type == formspec.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}))
    if f.max_length >= 500:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    return forms.CharField()


def _initial(f: formspec.Field, value):
    if f.type == formspec.BOOL:
        return "" if value is None else ("true" if value else "false")
    return "" if value is None else value


class ApplicationForm(forms.Form):
    """Every field of FIELDS[kind] the enterprise fills, in the seed's order (registry-bound ones are
    shown read-only by the page, not posted). Nothing is required here: a draft may be incomplete;
    submission is validated by the service."""

    def __init__(self, *args, kind: str, data_initial: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.specs = {}
        for f in formspec.FIELDS[kind]:
            if f.registry:
                continue
            field = _widget(f)
            field.label, field.required, field.help_text = f.label, False, f.help
            if data_initial is not None:
                field.initial = _initial(f, data_initial.get(f.key))
            self.fields[f.key] = field
            self.specs[f.key] = f

    def values(self) -> dict:
        """The raw input for application_save (formspec parses 'true'/'false', dates, numbers)."""
        return {key: self.cleaned_data.get(key) for key in self.specs}


class Seen(forms.Form):
    """What the page showed the decider (services.basis.seen_token), posted back with the decision."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class DecisionForm(Seen):
    """A review or an approval: 同意 / 退回 (the button pressed) with the opinion; the branch review also
    ticks the form's yes/no checks. The step taken is posted back so that a decision made on a page
    that has since gone stale is refused by the service (the state moved on)."""

    step = forms.CharField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=Outcome.choices, error_messages={"required": "请选择“同意”或“退回”"})
    opinion = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, kind: str, step: str, with_checks: bool, opinion_help: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].initial = step
        self.fields["opinion"].help_text = opinion_help
        self.check_keys = []
        if with_checks:
            for key, label in formspec.REVIEW_CHECKS[kind]:
                self.fields[f"check_{key}"] = forms.ChoiceField(
                    label=label, choices=YES_NO, widget=forms.RadioSelect,
                    error_messages={"required": f"请选择“{label}”"})
                self.check_keys.append(key)

    def checks(self) -> dict:
        return {key: self.cleaned_data[f"check_{key}"] == "true" for key in self.check_keys}

    def check_fields(self):
        return [self[f"check_{key}"] for key in self.check_keys]


class ProposeForm(Seen):
    opinion = forms.CharField(label="专家组意见", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="留空则采用专家组会议意见")


class ConfirmForm(Seen):
    outcome = forms.ChoiceField(choices=Outcome.choices, error_messages={"required": "请选择“确认”或“退回”"})
    opinion = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="退回重新组织时必填")


class RecordForm(Seen):
    """A paper reply transcribed by the level below (据来文录入): what it decided, the opinion as written,
    who signed it, its date and 文号, and its scan. A result reply says 通过/不通过 (合格/不合格); a
    市管 city reply names who organizes the review."""

    outcome = forms.ChoiceField(label="来文意见", widget=forms.RadioSelect,
                                error_messages={"required": "请选择来文的意见"})
    opinion = forms.CharField(label="意见（按来文原文录入）", widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "请按来文原文录入意见"})
    signer = forms.CharField(label="签发人（审批人员）", max_length=50, error_messages={"required": "请填写来文的签发人"})
    source_date = forms.DateField(label="来文日期", widget=forms.DateInput(attrs={"type": "date"}),
                                  error_messages={"required": "请填写来文日期", "invalid": "日期格式应为 YYYY-MM-DD"})
    source_number = forms.CharField(label="来文文号", max_length=100, required=False)
    scan = forms.FileField(label="来文扫描件（PDF或图片）", error_messages={"required": "请上传来文扫描件"})
    organizer_level = forms.ChoiceField(label="来文确定的组织单位", required=False, widget=forms.RadioSelect,
                                        choices=[("city", "市局组织"), ("branch", "分局组织")])

    def __init__(self, *args, result: bool, kind: str, names_organizer: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if result:
            labels = RESULT_CHOICES[kind]
            self.fields["outcome"].choices = [("passed", labels[True]), ("failed", labels[False])]
        else:
            self.fields["outcome"].choices = [("agree", "同意"), ("return", "退回企业")]
        if not names_organizer:
            del self.fields["organizer_level"]
        else:
            self.fields["organizer_level"].required = True
            self.fields["organizer_level"].error_messages["required"] = "请按来文选择组织评估/验收的单位"


class AssistanceRequestForm(forms.Form):
    request = forms.CharField(label="需要市局协调的事项", widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "请说明需要市局协调的事项"})


class AssistanceRecordForm(forms.Form):
    participants = forms.CharField(label="参与的市局人员", max_length=300,
                                   error_messages={"required": "请填写参与的市局人员"})
    work = forms.CharField(label="开展的工作", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写开展的工作"})
    work_date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"required": "请填写日期", "invalid": "日期格式应为 YYYY-MM-DD"})


class CorrectionReviewForm(forms.Form):
    note = forms.CharField(label="核查意见", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写核查意见（变更是否影响结论）"})


class AttachmentForm(forms.Form):
    purpose = forms.ChoiceField(choices=[("letter", "书面申请"), ("report", "审核报告")],
                                error_messages={"required": "请选择附件类型", "invalid_choice": "未知的附件类型"})
    file = forms.FileField(label="文件", error_messages={"required": "请选择要上传的文件"})


class BatchPickForm(forms.Form):
    """Which campaign and kind the batch is for (a GET form)."""

    campaign = forms.ChoiceField(label="审核批次")
    kind = forms.ChoiceField(label="类型", choices=Kind.choices, widget=forms.RadioSelect)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [(c.slug, c.name) for c in campaigns]


class BatchForm(forms.Form):
    campaign = forms.CharField(widget=forms.HiddenInput, error_messages={"required": "请选择审核批次"})
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.HiddenInput,
                             error_messages={"required": "请选择申请类型"})
    applications = forms.MultipleChoiceField(label="报送的企业申请", widget=forms.CheckboxSelectMultiple,
                                             error_messages={"required": "请至少选择一家企业的申请"})
    title = forms.CharField(label="标题", max_length=200, required=False)
    letter = forms.CharField(label="申请正文", required=False, widget=forms.Textarea(attrs={"rows": 8}),
                             help_text="留空则使用默认正文")

    def __init__(self, *args, waiting=(), seen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [
            (str(a.pk), f"{a.enrolment.enterprise.name}（{a.enrolment.enterprise.county.name}）") for a in waiting]
        # What the page showed of each application (services.basis.seen_token), posted back with it.
        for a in waiting:
            self.fields[f"seen_{a.pk}"] = forms.CharField(widget=forms.HiddenInput, required=False,
                                                          initial=(seen or {}).get(a.pk, ""))

    def seen(self) -> dict[int, str]:
        return {int(pk): self.cleaned_data.get(f"seen_{pk}", "") for pk in self.cleaned_data["applications"]}


class SummaryForm(forms.Form):
    campaign = forms.ChoiceField(label="审核批次")

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [(c.slug, c.name) for c in campaigns]
