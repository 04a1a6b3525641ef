from decimal import Decimal, InvalidOperation

from django import forms

from cpaudit.org.models import User
from cpaudit.org.roles import Role
from cpaudit.registry.models import Industry

from .models import Expert, Speciality


class ExpertFilterForm(forms.Form):
    q = forms.CharField(label="姓名或工作单位", required=False)
    speciality = forms.ChoiceField(label="专业", required=False,
                                   choices=[("", "全部")] + list(Speciality.choices))
    active = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部"), ("1", "在库可抽取"), ("0", "暂停抽取")])


class ExpertForm(forms.ModelForm):
    industry_codes = forms.CharField(label="熟悉行业代码", required=False,
                                     help_text="GB/T 4754-2017 代码，多个用逗号分隔，如 1511, 2221")

    class Meta:
        model = Expert
        fields = ["name", "employer", "title", "phone", "environment", "energy", "industry", "active", "user"]
        help_texts = {"user": "“专家”角色的账号：专家登录后只看到所在专家组的申请"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        linked = Expert.objects.exclude(pk=self.instance.pk).filter(user__isnull=False).values("user_id")
        self.fields["user"].queryset = User.objects.filter(role=Role.EXPERT).exclude(pk__in=linked).order_by(
            "username")
        self.fields["user"].label_from_instance = lambda u: f"{u.username}（{u.full_name}）"
        if self.instance.pk:
            self.fields["industry_codes"].initial = ", ".join(self.instance.industries.values_list("code", flat=True))

    def clean_industry_codes(self):
        raw = self.cleaned_data["industry_codes"].replace("，", ",")
        codes = [c.strip().upper() for c in raw.split(",") if c.strip()]
        found = set(Industry.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(f"行业代码不在GB/T 4754-2017中：{'、'.join(missing)}")
        return codes

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "industry_codes"}

    def validate_unique(self):
        """The service checks the account link."""


class DrawForm(forms.Form):
    size = forms.IntegerField(label="专家组人数", min_value=1, max_value=15)
    min_environment = forms.IntegerField(label="其中环境专业至少（人）", min_value=0, max_value=15)
    min_industry = forms.IntegerField(label="其中行业专业至少（人）", min_value=0, max_value=15)
    reason = forms.CharField(label="抽取说明", required=False, max_length=200,
                             help_text="重新抽取或不按本批次规则抽取时必填，如：专家因故不能参会")


class MeetingForm(forms.Form):
    meeting_date = forms.DateField(label="评审日期", widget=forms.DateInput(attrs={"type": "date"}))
    meeting_place = forms.CharField(label="评审地点", max_length=200)
    opinion = forms.CharField(label="专家组意见", required=False, widget=forms.Textarea(attrs={"rows": 5}))


class ScoreForm(forms.Form):
    """One field per scored item (item_<id>), the veto items as checkboxes, the opinion."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.scored = [i for i in items if not i.is_veto]
        self.veto_items = [i for i in items if i.is_veto]
        for item in self.scored:
            self.fields[f"item_{item.pk}"] = forms.DecimalField(
                label=f"{item.order}. {item.text}", min_value=0, max_value=item.max_points, decimal_places=1,
                help_text=f"满分{item.max_points}分")
        self.fields["vetoes"] = forms.TypedMultipleChoiceField(
            label="否决项（有下列情形之一的，不予通过）", required=False, coerce=int,
            widget=forms.CheckboxSelectMultiple, choices=[(i.pk, i.text) for i in self.veto_items])
        self.fields["opinion"] = forms.CharField(label="评审意见", required=False,
                                                 widget=forms.Textarea(attrs={"rows": 5}))
        # What the page showed: the version, its files, the enterprise's figures (applications.services.basis).
        self.fields["seen"] = forms.CharField(widget=forms.HiddenInput, required=False)

    def points(self) -> dict:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.scored}

    @property
    def max_total(self) -> Decimal:
        return sum((item.max_points for item in self.scored), Decimal(0))

    def running_total(self) -> Decimal | None:
        """The sum of the points the form holds (posted, else saved), counting what reads as a number
        (a bad entry is the field's error, not the total's); None when nothing is filled in yet. The
        page shows it beside the button, and score-total.js keeps it current while the expert types."""
        values = []
        for item in self.scored:
            name = f"item_{item.pk}"
            raw = self.data.get(name) if self.is_bound else self.initial.get(name)
            try:
                value = Decimal(str(raw).strip())
            except (InvalidOperation, ValueError):
                continue
            if value.is_finite():
                values.append(value)
        return sum(values, Decimal(0)) if values else None


class SheetForm(forms.Form):
    name = forms.CharField(label="评分表名称", max_length=100)
    pass_mark = forms.DecimalField(label="合格分数线", min_value=0, decimal_places=1)


class SheetItemForm(forms.Form):
    text = forms.CharField(label="评分项", max_length=300, required=False)
    max_points = forms.DecimalField(label="分值", min_value=0, decimal_places=1, required=False)
    is_veto = forms.BooleanField(label="否决项", required=False)


SheetItemFormSet = forms.formset_factory(SheetItemForm, extra=3)
