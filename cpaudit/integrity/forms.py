from django import forms

from cpaudit.registry.models import ConsultingAgency, Enterprise

from .models import TieKind


class TieForm(forms.Form):
    """One tie; the party is named by its 统一社会信用代码 (an enterprise or a consulting agency)."""

    kind = forms.ChoiceField(label="关系", required=False, choices=[("", "——")] + list(TieKind.choices))
    code = forms.CharField(label="企业或咨询机构的统一社会信用代码", required=False, max_length=40)
    detail = forms.CharField(label="具体情况", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        code = (data.get("code") or "").strip().upper().replace(" ", "")
        if not code and not data.get("kind"):
            return data  # an empty row
        if not data.get("kind"):
            self.add_error("kind", "请选择关系")
        if not code:
            self.add_error("code", "请填写统一社会信用代码")
            return data
        enterprise = Enterprise.objects.filter(uscc=code).only("pk", "name").first()
        agency = None if enterprise else ConsultingAgency.objects.filter(uscc=code).only("pk", "name").first()
        if enterprise is None and agency is None:
            self.add_error("code", "该代码未在企业名录或咨询机构名录中登记；未登记的关系请写在说明中")
        data["enterprise_id"] = enterprise.pk if enterprise else None
        data["consulting_agency_id"] = agency.pk if agency else None
        return data

    def tie(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        return {"kind": data["kind"], "enterprise_id": data.get("enterprise_id"),
                "consulting_agency_id": data.get("consulting_agency_id"), "detail": data.get("detail", "")}


TieFormSet = forms.formset_factory(TieForm, extra=3)


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="没有利益关系时可不填关系，直接提交即为“无利益关系”")
    confirm = forms.BooleanField(label="本人承诺以上申报真实、完整，如有变化及时更新", required=True)


def initial_ties(declaration) -> list[dict]:
    if declaration is None:
        return []
    return [{"kind": t.kind, "code": (t.enterprise or t.consulting_agency).uscc, "detail": t.detail}
            for t in declaration.ties.all()]
