"""Forms of the options (清洁生产方案) and the baseline / after-implementation figures pages.

The forms only parse input; the services (progress.services.options / .figures) check rights and
validate the rules, and their ValidationErrors are shown next to these fields."""

from django import forms

from . import steps
from .models import BENEFITS, Option, OptionCategory, OptionStatus
from .services.figures import FIGURES, INVESTMENT_FIELD, INVESTMENT_LABEL, MAX_PRODUCTS
from .services.options import allowed_statuses, plain, suggest_category

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BASIC_FIELDS = ["name", "source_step", "investment", "category", "category_reason", "status", "planned_date",
                "actual_date", "abandon_reason", "other_pollutant"]


def quantity_field(label: str) -> forms.DecimalField:
    # No min_value: a negative figure reaches the service, which names the field in its refusal.
    return forms.DecimalField(label=label, required=False, max_digits=16, decimal_places=4,
                              widget=forms.NumberInput(attrs={"step": "any"}))


def _step_choices():
    return [("", "—")] + [(s.number, f"{s.number}. {s.name}（第{s.stage}阶段 {s.stage_name}）") for s in steps.all_steps()]


class OptionForm(forms.Form):
    name = forms.CharField(label="方案名称", max_length=200)
    source_step = forms.TypedChoiceField(label="产生步骤", required=False, coerce=int, empty_value=None)
    investment = forms.DecimalField(label="投资（万元）", max_digits=14, decimal_places=2,
                                    widget=forms.NumberInput(attrs={"step": "any"}))
    category = forms.ChoiceField(label="方案类别", required=False)
    category_reason = forms.CharField(label="类别调整理由", required=False, max_length=300,
                                      help_text="类别与按投资额建议的不一致时必填")
    status = forms.ChoiceField(label="状态")
    planned_date = forms.DateField(label="计划完成日期", required=False, widget=DATE)
    actual_date = forms.DateField(label="实际完成日期", required=False, widget=DATE,
                                  help_text="状态为“已实施”时必填，不能晚于今天")
    abandon_reason = forms.CharField(label="放弃理由", required=False, max_length=300,
                                     help_text="状态为“放弃”时必填：为何不再实施")
    other_pollutant = forms.CharField(label="其他污染物名称", required=False, max_length=50,
                                      help_text="填写“削减其他污染物”时必填，如 总磷、SO₂")

    def __init__(self, *args, campaign, option: Option | None = None, **kwargs):
        if option is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(option, campaign)
        super().__init__(*args, **kwargs)
        threshold = plain(campaign.fee_threshold)
        self.fields["source_step"].choices = _step_choices()
        self.fields["category"].choices = [("", "按投资额自动判定")] + list(OptionCategory.choices)
        self.fields["category"].help_text = f"本批次分界：投资低于{threshold}万元为无/低费，{threshold}万元及以上为中/高费"
        if option is None:
            del self.fields["status"]  # a new option starts as 提出
            del self.fields["abandon_reason"]
        else:
            self.fields["status"].choices = [(s, OptionStatus(s).label) for s in allowed_statuses(option.status)]
        for suffix, label in BENEFITS:
            self.fields[f"expected_{suffix}"] = quantity_field(f"预期{label}")
            self.fields[f"achieved_{suffix}"] = quantity_field(f"实际{label}")

    @staticmethod
    def initial_from(option: Option, campaign) -> dict:
        initial = {name: getattr(option, name) for name in BASIC_FIELDS if name not in ("source_step",)}
        initial["source_step"] = option.source_step_id
        initial["investment"] = plain(option.investment)
        # A category equal to the suggestion is shown as "automatic", so changing the investment
        # moves it along; an override stays an override.
        if option.category == suggest_category(option.investment, campaign):
            initial["category"] = ""
        for suffix, _ in BENEFITS:
            for kind in ("expected", "achieved"):
                initial[f"{kind}_{suffix}"] = plain(getattr(option, f"{kind}_{suffix}"))
        return initial

    def basic_fields(self):
        return [self[name] for name in BASIC_FIELDS if name in self.fields]

    def benefit_rows(self):
        """(label with unit, expected bound field, achieved bound field) per benefit."""
        return [(label, self[f"expected_{suffix}"], self[f"achieved_{suffix}"]) for suffix, label in BENEFITS]

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class FiguresForm(forms.Form):
    """`after`: the after-implementation form, which also asks for the implemented options' total
    investment as the audit report states it."""

    year = forms.IntegerField(label="年份", help_text="如 2019")

    def __init__(self, *args, after: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, unit in FIGURES:
            self.fields[name] = quantity_field(f"{label}（{unit}）")
        if after:
            self.fields[INVESTMENT_FIELD] = forms.DecimalField(
                label=INVESTMENT_LABEL, required=False, max_digits=14, decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "any"}),
                help_text="审核报告中已实施方案（无/低费和中/高费）的投资合计；与方案清单不一致时将提示核实")
        self.fields["raw_materials"] = forms.CharField(
            label="主要原辅材料及消耗", required=False, widget=forms.Textarea(attrs={"rows": 3}),
            help_text="每行一种：名称、年消耗量及单位")

    @staticmethod
    def initial_from(figures) -> dict:
        if figures is None:
            return {}
        initial = {"year": figures.year, "raw_materials": figures.raw_materials,
                   INVESTMENT_FIELD: plain(figures.implemented_investment_wan)}
        for name, _, _ in FIGURES:
            initial[name] = plain(getattr(figures, name))
        return initial


class ProductForm(forms.Form):
    name = forms.CharField(label="主要产品", required=False, max_length=100)
    unit = forms.CharField(label="单位", required=False, max_length=20, help_text="如 吨、千升、万米")
    quantity = forms.DecimalField(label="年产量", required=False, max_digits=16, decimal_places=4,
                                  widget=forms.NumberInput(attrs={"step": "any"}))


ProductFormSet = forms.formset_factory(ProductForm, extra=3, max_num=MAX_PRODUCTS, absolute_max=MAX_PRODUCTS)


def products_initial(figures) -> list[dict]:
    if figures is None:
        return []
    return [{"name": p.name, "unit": p.unit, "quantity": plain(p.quantity)} for p in figures.products.all()]
