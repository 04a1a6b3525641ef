from django import forms

from .models import Exemption


class RegisterForm(forms.Form):
    file = forms.FileField(label="外部名录（.xlsx）", help_text="表头按名称识别：企业名称、统一社会信用代码（或排污许可证编号）、"
                           "行业代码或行业名称、区划代码或所在区县、是否涉水（是/否）；其他列不使用")


class CountyFilterForm(forms.Form):
    county = forms.ChoiceField(label="县（市、区）", required=False)

    def __init__(self, *args, counties: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", "全部")] + [(c, f"{n}（{c}）") for c, n in sorted(counties.items())]


class ExemptionForm(forms.Form):
    name = forms.CharField(label="企业名称", max_length=200)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    county = forms.ChoiceField(label="所在县（市、区）")
    reason = forms.ChoiceField(label="豁免情形", choices=Exemption.Reason.choices)
    explanation = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label="证明材料", help_text="PDF、图片或Word：关停、停产、搬迁的文件，或本周期内审核验收的文件")

    def __init__(self, *args, counties: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [(c, f"{n}（{c}）") for c, n in sorted(counties.items())]


class DecisionForm(forms.Form):
    note = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="不批准时必填")
