from django import forms

from cpaudit.org.jurisdiction import county_choices

from .models import ConsultingAgency, DivisionAlias, Enterprise, Industry
from .selectors import BUCKETS

ENTERPRISE_FORM_FIELDS = [
    "name", "uscc", "uscc_check_accepted", "county", "address", "postcode", "legal_representative",
    "contact_person", "contact_phone", "nature", "industry_code", "registered_capital", "main_business_revenue",
    "annual_output_value", "annual_sales", "main_products", "management_level", "water_related",
]
NATURE_SUGGESTIONS = ["有限责任公司", "股份有限公司", "国有企业", "集体企业", "私营企业", "外商投资企业",
                      "港澳台商投资企业", "个体工商户", "农民专业合作社", "其他"]


class IndustryCodeField(forms.CharField):
    def clean(self, value):
        code = super().clean(value).strip().upper()
        industry = Industry.objects.filter(code=code).first()
        if industry is None:
            raise forms.ValidationError(f"行业代码“{code}”不在GB/T 4754-2017中")
        return industry


def uscc_field(label="企业代码（统一社会信用代码）"):
    # Wider than 18: spaces, hyphens and full-width characters are folded by the service, not refused here.
    return forms.CharField(label=label, max_length=40, help_text="18位，GB 32100-2015")


class EnterpriseForm(forms.ModelForm):
    """Staff form: every registry field. The service re-checks rights and the USCC."""

    uscc = uscc_field()

    industry_code = IndustryCodeField(label="所属行业代码", max_length=5,
                                      help_text="GB/T 4754-2017 代码，应填4位小类代码，如 2221；"
                                                "门类、大类、中类代码不能据以核定是否属于审核范围")

    class Meta:
        model = Enterprise
        fields = [f for f in ENTERPRISE_FORM_FIELDS if f != "industry_code"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = county_choices(user).order_by("code")
        self.fields["county"].label_from_instance = lambda d: f"{d.code} {d.parent.name if d.parent else ''}{d.name}"
        self.fields["county"].queryset = self.fields["county"].queryset.select_related("parent")
        if self.instance.pk:
            self.fields["industry_code"].initial = self.instance.industry_id
        self.order_fields(ENTERPRISE_FORM_FIELDS)
        self.fields["nature"].widget.attrs["list"] = "nature-list"
        self.nature_suggestions = NATURE_SUGGESTIONS

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("county", "industry_code")}
        data["county_id"] = self.cleaned_data["county"].code
        data["industry_id"] = self.cleaned_data["industry_code"].code
        return data

    def validate_unique(self):
        """The service normalizes the code first; uniqueness is checked there and by the database."""


class EnterpriseContactForm(forms.ModelForm):
    """What an enterprise user may correct itself."""

    class Meta:
        model = Enterprise
        fields = ["address", "postcode", "contact_person", "contact_phone", "main_products", "registered_capital",
                  "main_business_revenue", "annual_output_value", "annual_sales"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label="名称或代码", required=False)
    county = forms.ChoiceField(label="县（市、区）", required=False)
    industry = forms.CharField(label="行业代码（GB/T 4754）", required=False, max_length=5,
                               help_text="按代码前缀筛选，如 17、1713")
    group = forms.ChoiceField(label="六行业", required=False)
    level = forms.ChoiceField(label="行业代码层级", required=False, choices=[
        ("", "全部"), ("class", "小类"), ("coarse", "门类、大类或中类（层级不足）")])
    management_level = forms.ChoiceField(label="管理级别", required=False)
    water_related = forms.ChoiceField(label="涉水", required=False, choices=[("", "全部"), ("1", "是"), ("0", "否")])
    sort = forms.ChoiceField(label="排序", required=False, choices=[
        ("county", "按县"), ("name", "按名称"), ("-updated", "最近更新"), ("industry", "按行业")])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import ManagementLevel

        self.fields["county"].choices = [("", "全部")] + [
            (d.code, d.name) for d in county_choices(user).order_by("code")]
        self.fields["management_level"].choices = [("", "全部")] + list(ManagementLevel.choices)
        self.fields["group"].choices = [("", "全部")] + [(b, b) for b in BUCKETS]


class ConsultingAgencyForm(forms.ModelForm):
    uscc = uscc_field("统一社会信用代码")

    class Meta:
        model = ConsultingAgency
        fields = ["name", "uscc", "uscc_check_accepted", "contact_person", "contact_phone", "address"]

    industry_codes = forms.CharField(label="服务行业代码", required=False,
                                     help_text="多个代码用逗号或空格分隔，如 2221, 1713")

    def clean_industry_codes(self):
        raw = self.cleaned_data.get("industry_codes") or ""
        codes = [c.strip().upper() for c in raw.replace("，", ",").replace(" ", ",").split(",") if c.strip()]
        found = {i.code: i for i in Industry.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(f"行业代码不存在：{'、'.join(missing)}")
        return list(found.values())

    def validate_unique(self):
        """Checked by the service after the code is normalized."""


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
    campaign = forms.ChoiceField(label="同时列入审核批次", required=False)
    dry_run = forms.BooleanField(label="仅校验，不导入", required=False)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "不列入")] + [(c.slug, c.name) for c in campaigns]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件")
        return upload


class DivisionAliasForm(forms.ModelForm):
    """A zone name and the county it lies in; the service checks the jurisdiction and uniqueness."""

    class Meta:
        model = DivisionAlias
        fields = ["alias", "county", "note"]
        help_texts = {"alias": "登记表中出现的名称，如“上海化工区”“保定高新区”",
                      "note": "依据或范围说明，如“园区管委会来函：该区企业归××区分局管理”"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from cpaudit.org.models import Division
        from cpaudit.org.roles import Role

        counties = Division.objects.filter(level=Division.Level.COUNTY)
        if getattr(user, "role", None) != Role.SYSTEM_ADMIN:
            counties = county_choices(user)
        self.fields["county"].queryset = counties.select_related("parent__parent").order_by("code")
        self.fields["county"].label_from_instance = lambda d: f"{d.code} {d.full_name}"

    def validate_unique(self):
        """Checked by the service on the normalized text."""

    def service_data(self) -> dict:
        return {"alias": self.cleaned_data["alias"], "county_id": self.cleaned_data["county"].code,
                "note": self.cleaned_data["note"]}
