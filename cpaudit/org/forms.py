"""Forms of the account and agency pages. They parse input; the services decide and validate."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts

from cpaudit.registry.models import ConsultingAgency, Enterprise

from .account_scope import engaged_agencies_q
from .models import Agency, User
from .roles import ADMIN_ROLES, Role

REASON = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "kind", "division", "supervisor", "head_name", "deputy_name", "section_chief_name",
                  "phone", "fax"]
        widgets = {"division": forms.TextInput(attrs={"placeholder": "6位区划代码"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].help_text = "6位行政区划代码，如 130602"
        self.fields["supervisor"].queryset = Agency.objects.order_by("division_id", "name")

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class AccountForm(forms.Form):
    """Opening an account: the system administrator any business role, branch staff the accounts of
    their county's enterprises (found by USCC) and of the consulting agencies engaged there."""

    username = forms.RegexField(label="用户名", max_length=150, regex=r"^[A-Za-z0-9_.@+-]+$",
                                error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ + -"})
    full_name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="角色")
    agency = forms.ModelChoiceField(label="所属单位（政府工作人员）", queryset=Agency.objects.none(), required=False)
    enterprise_uscc = forms.CharField(label="企业统一社会信用代码（企业用户）", max_length=18, required=False)
    consulting_agency = forms.ModelChoiceField(label="所属咨询机构（咨询机构用户）", queryset=ConsultingAgency.objects.none(),
                                               required=False)
    is_inspector = forms.BooleanField(label="检查人员", required=False)
    phone = forms.CharField(label="手机", max_length=30, required=False)
    invite = forms.BooleanField(label="发激活码（由本人设置密码），不生成初始密码", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if actor.role == Role.BRANCH_STAFF:
            roles = [Role.ENTERPRISE, Role.CONSULTANT]
            for name in ("agency", "is_inspector"):
                del self.fields[name]
            engaged = engaged_agencies_q(actor)
            agencies = ConsultingAgency.objects.filter(engaged) if engaged is not None else ConsultingAgency.objects.none()
        else:
            roles = [r for r in Role if r not in ADMIN_ROLES]
            self.fields["agency"].queryset = Agency.objects.order_by("division_id", "name")
            agencies = ConsultingAgency.objects.all()
        self.fields["consulting_agency"].queryset = agencies.order_by("name")
        self.fields["role"].choices = [("", "请选择")] + [(r.value, r.label) for r in roles]

    def clean_enterprise_uscc(self):
        code = self.cleaned_data["enterprise_uscc"].strip().upper()
        if not code:
            return None
        enterprise = Enterprise.objects.filter(uscc=code).first()
        if enterprise is None:
            raise forms.ValidationError(f"未找到统一社会信用代码为 {code} 的企业")
        return enterprise

    def user(self) -> User:
        """The unsaved account; the fields that do not belong to its role are left empty."""
        data = self.cleaned_data
        role = data["role"]
        return User(
            username=data["username"], full_name=data["full_name"], role=role, phone=data.get("phone", ""),
            agency=data.get("agency") if role not in (Role.ENTERPRISE, Role.CONSULTANT, Role.EXPERT) else None,
            enterprise=data.get("enterprise_uscc") if role == Role.ENTERPRISE else None,
            consulting_agency=data.get("consulting_agency") if role == Role.CONSULTANT else None,
            is_inspector=bool(data.get("is_inspector")))


class AccountEditForm(forms.ModelForm):
    enterprise_uscc = forms.CharField(label="企业统一社会信用代码（企业用户）", max_length=18, required=False)

    class Meta:
        model = User
        fields = ["full_name", "phone", "agency", "consulting_agency", "is_inspector"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        if self.instance.enterprise_id:
            self.initial.setdefault("enterprise_uscc", self.instance.enterprise.uscc)

    clean_enterprise_uscc = AccountForm.clean_enterprise_uscc

    def _post_clean(self):
        pass  # the service applies and validates the change (account_update), not the form

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "enterprise_uscc"}
        data["enterprise"] = self.cleaned_data.get("enterprise_uscc")
        return data


class ReasonForm(forms.Form):
    reason = REASON


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="新角色")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        admin = user.role in ADMIN_ROLES
        self.fields["role"].choices = [(r.value, r.label) for r in Role if (r in ADMIN_ROLES) == admin
                                       and r != user.role]


class HandoverForm(forms.Form):
    colleague = forms.ModelChoiceField(label="接手的同事", queryset=User.objects.none())
    reason = REASON

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = colleagues


class UserFilterForm(forms.Form):
    q = forms.CharField(label="用户名或姓名", required=False, max_length=50)
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部")] + list(Role.choices))
    status = forms.ChoiceField(label="状态", required=False, choices=[
        ("", "全部"), ("active", "启用"), ("disabled", "停用"), ("must_change", "须修改密码")])


class _NewPasswordForm(forms.Form):
    new_password1 = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label="再次输入新密码", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = "；".join(password_validators_help_texts())

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class PasswordChangeForm(_NewPasswordForm):
    old_password = forms.CharField(label="原密码", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))
    field_order = ["old_password", "new_password1", "new_password2"]


class ActivationForm(_NewPasswordForm):
    username = forms.CharField(label="用户名", max_length=150)
    code = forms.CharField(label="激活码", max_length=40)
    field_order = ["username", "code", "new_password1", "new_password2"]

