"""Forms of the intervention register: recording, the filters of the list, the follow-up."""

from django import forms

from cpaudit.org.models import User
from cpaudit.org.roles import GOVERNMENT_ROLES, Role
from cpaudit.registry.models import Enterprise

from .models import InterventionKind, InterventionState

DATE = forms.DateInput(attrs={"type": "date"})


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        unit = user.agency or user.enterprise or user.consulting_agency
        return f"{user.full_name or user.username}（{user.get_role_display()}{'，' + str(unit) if unit else ''}）"


def people():
    """Who an entry can name: the platform's officials and experts (they take the decisions)."""
    return (User.objects.filter(is_active=True, role__in=sorted(GOVERNMENT_ROLES | {Role.EXPERT}))
            .select_related("agency", "enterprise", "consulting_agency").order_by("agency_id", "role", "pk"))


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[("", "——")] + list(InterventionKind.choices))
    occurred_on = forms.DateField(label="发生日期", widget=DATE)
    intervener = forms.CharField(label="干预人", max_length=100, help_text="姓名、单位及职务（如：某局某科室张某）")
    named_user = PersonChoiceField(
        label="干预人在本平台的账号", queryset=User.objects.none(), required=False, empty_label="（不是本平台用户）",
        help_text="干预人是本平台的工作人员或专家的，请选择其账号：其上级单位和审计管理员可以看到本登记，本人看不到")
    content = forms.CharField(label="干预内容", widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="何时、以何种方式、说了什么、要求什么")
    enterprise_code = forms.CharField(label="涉及企业的统一社会信用代码", required=False, max_length=40)
    application_kind = forms.ChoiceField(label="涉及申请", required=False, choices=[
        ("", "（不涉及申请）"), ("evaluation", "该企业的评估申请"), ("acceptance", "该企业的验收申请")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_user"].queryset = people()

    def clean(self):
        data = super().clean()
        code = (data.get("enterprise_code") or "").strip().upper().replace(" ", "")
        data["enterprise"] = data["application"] = None
        if code:
            data["enterprise"] = Enterprise.objects.filter(uscc=code).first()
            if data["enterprise"] is None:
                self.add_error("enterprise_code", "该代码未在企业名录中登记；未登记的企业请写在干预内容中")
        if data.get("application_kind"):
            if data["enterprise"] is None:
                self.add_error("application_kind", "请先填写涉及企业的统一社会信用代码")
            else:
                from cpaudit.applications.models import Application

                data["application"] = (Application.objects.filter(enrolment__enterprise=data["enterprise"],
                                                                  kind=data["application_kind"])
                                       .select_related("enrolment").order_by("-created_at", "-pk").first())
                if data["application"] is None:
                    self.add_error("application_kind", "该企业没有这类申请")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["kind"], "occurred_on": data["occurred_on"], "intervener": data["intervener"],
                "content": data["content"], "enterprise": data["enterprise"], "application": data["application"],
                "named_user": data.get("named_user")}


class InterventionFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部")] + list(InterventionKind.choices))
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部")] + list(InterventionState.choices)
                              + [("overdue", "整改逾期")])
    q = forms.CharField(label="关键词", required=False, max_length=100, help_text="干预人、内容、企业或被反映人")


class FollowUpForm(forms.Form):
    owner = PersonChoiceField(label="整改责任人", queryset=User.objects.none())
    deadline = forms.DateField(label="整改期限", widget=DATE)
    requirement = forms.CharField(label="整改要求", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners


class CloseForm(forms.Form):
    outcome = forms.CharField(label="整改结果", widget=forms.Textarea(attrs={"rows": 3}))
