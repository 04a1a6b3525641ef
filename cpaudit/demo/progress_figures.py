"""Demo baseline and after-implementation figures (审核数据) of one enrolment, in balance with its
options so that the consistency checks (progress.services.consistency) find nothing — except on the
one enrolment planted to show them. A mixin of progress_data.CampaignLoader, which holds what it reads
and fills: rng, campaign, people, group_of, figures, planted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from cpaudit.campaigns.models import Enrolment
from cpaudit.progress.models import Figures, Option, OptionStatus, ProductOutput, StepRecord, StepStatus
from cpaudit.progress.services.consistency import PAIRS

from .progress_options import q

if TYPE_CHECKING:
    from .progress_data import Plan

AFTER_STEP = 30  # 验证已实施的中/高费方案的成果: the 'after' figures
BASELINE_HEADROOM = 3  # a baseline figure at least 3× what the options save of it
# Water intensity (t fresh water per 万元 revenue) and product unit by industry group.
WATER_INTENSITY = {"造纸": (25, 60), "印染": (20, 45), "制革": (15, 35), "纺织": (4, 12), "酿造": (8, 20),
                   "制药": (6, 18)}
PRODUCT_UNITS = {"造纸": ("吨", 0.25), "印染": ("万米", 0.02), "制革": ("万标张", 0.004), "纺织": ("吨", 0.05),
                 "酿造": ("吨", 0.12), "制药": ("吨", 0.01)}  # unit, quantity per 万元 revenue
RAW_MATERIALS = {
    "造纸": "废纸、商品木浆、淀粉、助留剂", "印染": "坯布、活性染料、分散染料、烧碱、助剂",
    "制革": "原皮、铬鞣剂、硫化钠、石灰、加脂剂", "纺织": "棉花、涤纶短纤、浆料",
    "酿造": "高粱、小麦、大米、稻壳", "制药": "原料药中间体、乙醇、丙酮、活性炭",
}


def _claims(options: list[Option]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """(figure → the larger of what the options still counted expect and what the implemented ones
    achieved, figure → what the implemented ones achieved), for the figures a saving comes out of."""
    planned: dict[str, Decimal] = {}
    saved: dict[str, Decimal] = {}
    for suffix, figure, *_ in PAIRS:
        expected = sum((getattr(o, f"expected_{suffix}") or 0 for o in options
                        if o.status != OptionStatus.ABANDONED), Decimal(0))
        achieved = sum((getattr(o, f"achieved_{suffix}") or 0 for o in options
                        if o.status == OptionStatus.IMPLEMENTED), Decimal(0))
        if expected or achieved:
            planned[figure] = max(expected, achieved)
        if achieved:
            saved[figure] = achieved
    return planned, saved


class FigureBuilder:
    def build_figures(self, enrolment: Enrolment, plan: Plan, records_by_step: dict[int, StepRecord],
                      options: list[Option]) -> None:
        """The baseline from the enterprise's revenue, large enough for what its options save; the after
        figures that baseline at the after year's output less the implemented options' savings (and up
        to 3% more), so that the consistency checks find them in balance — except on the planted
        enrolment."""
        if not plan.complete and plan.reached <= 3:
            return
        rng = self.rng
        enterprise = enrolment.enterprise
        group = self.group_of.get(enterprise.industry_id, "纺织")
        revenue = float(enterprise.main_business_revenue or 1000)
        low, high = WATER_INTENSITY[group]
        water = revenue * rng.uniform(low, high)
        wastewater = water * rng.uniform(0.65, 0.85) if enterprise.water_related else water * 0.1
        unit, per_wan = PRODUCT_UNITS[group]
        baseline = {
            "water_use_t": water, "wastewater_t": wastewater, "energy_tce": revenue * rng.uniform(0.05, 0.3),
            "electricity_kwh": revenue * rng.uniform(300, 1500), "cod_t": wastewater * rng.uniform(0.00004, 0.00012),
            "nh3n_t": wastewater * rng.uniform(0.000004, 0.000015),
            "hazardous_waste_t": revenue * rng.uniform(0.0005, 0.004),
        }
        product = (enterprise.main_products or "主要产品").split("、")[0][:100]
        output = revenue * per_wan * rng.uniform(0.8, 1.2)
        year = self.campaign.year - 1
        planned, saved = _claims(options)
        for name, amount in planned.items():
            baseline[name] = max(baseline[name], float(amount) * BASELINE_HEADROOM)
        baseline["water_use_t"] = max(baseline["water_use_t"], baseline["wastewater_t"] / 0.8)
        planted = enrolment.pk == self.planted and saved
        if planted:  # water (else another figure) saves a quarter of its baseline: hard to miss after
            contradicted = "water_use_t" if "water_use_t" in saved else next(iter(saved))
            baseline[contradicted] = float(saved[contradicted]) * 4
        self._figures(enrolment, Figures.Kind.BASELINE, year, baseline, product, unit, output)
        after_record = records_by_step.get(AFTER_STEP)
        if after_record is not None and after_record.status == StepStatus.COMPLETED:
            drift = {k: rng.uniform(0.85, 0.97) for k in baseline}
            growth = rng.uniform(1.0, 1.08)
            after = {k: max(v * growth * (1 - (0.97 - drift[k]) / 4) - float(saved.get(k, 0)), 0)
                     for k, v in baseline.items()}
            if planted:  # the savings claimed never show: the figure stays where production puts it
                after[contradicted] = baseline[contradicted] * growth
            invested = sum((o.investment for o in options if o.status == OptionStatus.IMPLEMENTED), Decimal(0))
            if enrolment.pk == self.planted:  # and the report's total is not the option list's
                invested += max(q(float(invested) * 0.2), Decimal(10))
            self._figures(enrolment, Figures.Kind.AFTER, after_record.completion_date.year, after, product, unit,
                          output * growth, invested=invested)

    def _figures(self, enrolment, kind, year, values, product, unit, output, invested=None) -> None:
        places = {"cod_t": "0.001", "nh3n_t": "0.0001", "hazardous_waste_t": "0.001", "energy_tce": "0.1"}
        figures = Figures(enrolment=enrolment, kind=kind, year=year, raw_materials=RAW_MATERIALS.get(
            self.group_of.get(enrolment.enterprise.industry_id, ""), ""),
            recorded_by=self.people.recorder(enrolment), implemented_investment_wan=invested,
            **{k: q(v, places.get(k, "1")) for k, v in values.items()})
        self.figures.append((figures, ProductOutput(name=product, unit=unit, quantity=q(output, "0.01"))))
