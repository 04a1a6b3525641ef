"""Forms of the spot-check pages. They only read and shape input; the services decide."""

from django import forms

from cpaudit.campaigns.models import Campaign, CampaignCounty
from cpaudit.org import access
from cpaudit.org.jurisdiction import county_choices
from cpaudit.progress.steps import stages
from cpaudit.registry.models import Enterprise

from .models import Aspect, Outcome, Stratum

STAGE_CHOICES = [("0", "未开始")] + [(str(s.number), f"第{s.number}阶段 {s.name}") for s in stages()]


class PlanForm(forms.Form):
    campaign = forms.ModelChoiceField(label="审核批次", queryset=Campaign.objects.none())
    title = forms.CharField(label="方案名称", max_length=100)
    counties = forms.MultipleChoiceField(label="抽查范围（县、市、区）", widget=forms.CheckboxSelectMultiple)
    industries = forms.CharField(label="行业代码", required=False, max_length=200,
                                 help_text="GB/T 4754-2017 代码或其开头，多个用逗号分隔；不填为批次的全部行业")
    stages = forms.MultipleChoiceField(label="已实施到阶段", required=False, choices=STAGE_CHOICES,
                                       widget=forms.CheckboxSelectMultiple, help_text="不选为全部阶段")
    share_percent = forms.DecimalField(label="抽查比例（%）", initial=5, min_value=0, max_value=100, decimal_places=2)
    count = forms.IntegerField(label="至少抽查家数", required=False, min_value=0, initial=0,
                               help_text="按比例计算的家数不足时补足到此数；0为只按比例")
    share_complaints = forms.DecimalField(label="有投诉举报企业的抽查比例（%）", required=False, min_value=0,
                                          max_value=100, decimal_places=2)
    complaint_usccs = forms.CharField(label="有投诉举报的企业（统一社会信用代码，每行一个）", required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    share_consistency = forms.DecimalField(label="数据一致性存疑企业的抽查比例（%）", required=False, min_value=0,
                                           max_value=100, decimal_places=2)
    share_late = forms.DecimalField(label="进度滞后企业的抽查比例（%）", required=False, min_value=0, max_value=100,
                                    decimal_places=2, help_text="未按时间节点完成或停滞的企业")
    per_enterprise = forms.IntegerField(label="每家企业检查人员数", initial=2, min_value=1, max_value=10)
    cross_county = forms.BooleanField(label="每家企业至少一名外县（市、区）检查人员", required=False)
    include_subordinates = forms.BooleanField(label="从下级单位的检查人员中抽取", required=False)
    check_date = forms.DateField(label="检查日期", widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="检查日期前，抽取结果只有本单位可见")
    reason = forms.CharField(label="重新抽取原因", required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, replaces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.replaces = user, replaces
        self.fields["campaign"].queryset = access.scope(user, Campaign.objects.filter(status=Campaign.Status.ACTIVE))
        # The counties of the active campaigns within the user's jurisdiction (the service checks the campaign).
        in_campaigns = CampaignCounty.objects.filter(campaign__status=Campaign.Status.ACTIVE).values("county_id")
        self.fields["counties"].choices = [(d.code, d.name) for d in county_choices(user).filter(
            code__in=in_campaigns).order_by("code")]
        if replaces is None:
            del self.fields["reason"]
        else:
            del self.fields["campaign"]
            self.fields["reason"].required = True

    def clean_complaint_usccs(self):
        codes = [c.strip().upper() for c in self.cleaned_data.get("complaint_usccs", "").split() if c.strip()]
        found = dict(access.scope(self.user, Enterprise.objects.filter(uscc__in=codes)).values_list("uscc", "pk"))
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(f"以下代码不是您辖区内的企业：{'、'.join(unknown)}")
        return [found[c] for c in codes]

    def plan_data(self) -> dict:
        data = self.cleaned_data
        strata = {key: str(data[f"share_{key}"]) for key in (Stratum.COMPLAINTS, Stratum.CONSISTENCY, Stratum.LATE)
                  if data.get(f"share_{key}")}
        return {"title": data["title"], "counties": data["counties"],
                "industries": [c for c in data["industries"].replace("，", ",").split(",") if c.strip()],
                "stages": [int(s) for s in data["stages"]], "share_percent": data["share_percent"],
                "count": data["count"] or 0, "strata": strata, "complaint_enterprises": data["complaint_usccs"],
                "per_enterprise": data["per_enterprise"], "cross_county": data["cross_county"],
                "include_subordinates": data["include_subordinates"], "check_date": data["check_date"]}


class ApproveForm(forms.Form):
    note = forms.CharField(label="审定意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FindingsForm(forms.Form):
    summary = forms.CharField(label="检查结论", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for aspect in Aspect:
            self.fields[f"{aspect.value}_outcome"] = forms.ChoiceField(
                label=aspect.label, choices=[("", "请选择")] + list(Outcome.choices), required=False)
            self.fields[f"{aspect.value}_note"] = forms.CharField(
                label=f"{aspect.label}：情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
        self.order_fields([*(f"{a.value}_{s}" for a in Aspect for s in ("outcome", "note")), "summary"])

    def results(self) -> dict:
        return {a.value: (self.cleaned_data[f"{a.value}_outcome"], self.cleaned_data[f"{a.value}_note"])
                for a in Aspect}


class FileForm(forms.Form):
    file = forms.FileField(label="检查佐证材料", help_text="现场照片、记录等：PDF、图片、Word 或 Excel")


class RectificationForm(forms.Form):
    requirement = forms.CharField(label="整改要求", widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}))


class ReportForm(forms.Form):
    report = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    note = forms.CharField(label="核查销号意见", widget=forms.Textarea(attrs={"rows": 3}))
