"""The audit's own numbers: the baseline year (steps 5–7, 12–13) and the same figures after
implementation (step 30), with the output of the main products. Per-unit-of-product figures are derived.

`figures_save` is the one way to write them (rights, lock, validation in Chinese per field, one log
entry); `per_unit` derives the per-unit values for display and for later consistency checks.
"""

import decimal
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.log import diff, log_action
from cpaudit.core.logdisplay import register
from cpaudit.org import access

from ..models import Figures, ProductOutput
from .steps import refuse_if_confirmed

# (field, name, unit) of each figure; the per-unit value is "<unit>/<product unit>".
FIGURES = [
    ("water_use_t", "新鲜水用量", "吨"),
    ("wastewater_t", "废水排放量", "吨"),
    ("energy_tce", "综合能耗", "吨标准煤"),
    ("electricity_kwh", "用电量", "千瓦时"),
    ("cod_t", "COD排放量", "吨"),
    ("nh3n_t", "氨氮排放量", "吨"),
    ("hazardous_waste_t", "危险废物产生量", "吨"),
]
FIGURE_FIELDS = [name for name, _, _ in FIGURES]
# Stated with the after-implementation figures only (the audit report's total for the implemented
# options); the consistency checks compare it with the option list.
INVESTMENT_FIELD = "implemented_investment_wan"
INVESTMENT_LABEL = "已实施方案总投资（万元）"
STATE_FIELDS = ["year", *FIGURE_FIELDS, "raw_materials", INVESTMENT_FIELD]
# A baseline year at most this many years before the campaign year (the audit looks at recent data).
BASELINE_MAX_AGE = 5
MAX_PRODUCTS = 20

register("progress.figures.saved", "填报审核基准年/方案实施后数据")


def parse_decimal(value, label: str, *, places: int = 4, required: bool = False) -> Decimal | None:
    """A non-negative decimal with `places` decimal places (the column's scale, so that 10 and 10.0000
    compare equal and the log shows no false change), or ValidationError (message only: the caller
    puts it on its field)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"请填写{label}")
        return None
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(str(value).strip().replace(",", "")) if not isinstance(value, Decimal) else value
    except decimal.InvalidOperation:
        raise ValidationError(f"{label}应为数字") from None
    if not number.is_finite():
        raise ValidationError(f"{label}应为数字")
    if number < 0:
        raise ValidationError(f"{label}不能为负数")
    if number.as_tuple().exponent < -places and number != number.quantize(Decimal(1).scaleb(-places),
                                                                           rounding=decimal.ROUND_DOWN):
        raise ValidationError(f"{label}最多保留{places}位小数")
    try:
        return number.quantize(Decimal(1).scaleb(-places))
    except decimal.InvalidOperation:
        raise ValidationError(f"{label}数值过大") from None


def check_campaign_open(enrolment: Enrolment, what: str) -> None:
    if enrolment.campaign.status != Campaign.Status.ACTIVE:
        raise ValidationError(f"审核批次「{enrolment.campaign.name}」已结束，不能再{what}")


def _state(figures: Figures | None, products) -> dict:
    if figures is None:
        return {}
    state = {name: getattr(figures, name) for name in STATE_FIELDS}
    state["products"] = [f"{p.name}：{p.quantity} {p.unit}" for p in products]
    return state


def _clean_products(products: list[dict], kind: str) -> list[ProductOutput]:
    rows, errors = [], []
    for index, row in enumerate(products, start=1):
        name = (row.get("name") or "").strip()
        unit = (row.get("unit") or "").strip()
        raw = row.get("quantity")
        if not name and not unit and (raw is None or str(raw).strip() == ""):
            continue  # an empty row of the form
        problems = []
        if not name:
            problems.append("请填写产品名称")
        elif len(name) > 100:
            problems.append("产品名称不能超过100个字")
        if not unit:
            problems.append("请填写计量单位")
        elif len(unit) > 20:
            problems.append("计量单位不能超过20个字")
        quantity = None
        try:
            quantity = parse_decimal(raw, "产量", required=True)
        except ValidationError as exc:
            problems.extend(exc.messages)
        product = ProductOutput(name=name, unit=unit, quantity=quantity)
        if not problems:
            try:
                product.full_clean(exclude=["figures"])
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            errors.append(f"第{index}行（{name or '未填名称'}）：" + "；".join(problems))
        else:
            rows.append(product)
    if errors:
        raise ValidationError({"products": errors})
    if kind == Figures.Kind.BASELINE and not rows:
        raise ValidationError({"products": "审核基准年数据须至少填写一种主要产品的产量"})
    if len(rows) > MAX_PRODUCTS:
        raise ValidationError({"products": f"主要产品最多填写{MAX_PRODUCTS}种"})
    return rows


def _clean_year(value, kind: str, enrolment: Enrolment, other: Figures | None) -> int:
    """`other` is the enrolment's figures of the other kind, if any: after-implementation data must
    come from a later year than the baseline."""
    if value is None or str(value).strip() == "":
        raise ValidationError({"year": "请填写年份"})
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"year": "年份应为四位数字，如 2019"}) from None
    this_year = clock.today().year
    campaign_year = enrolment.campaign.year
    if year < 2000 or year > this_year:
        raise ValidationError({"year": f"年份应在2000年至{this_year}年之间"})
    if kind == Figures.Kind.BASELINE:
        if year > campaign_year:
            raise ValidationError({"year": f"审核基准年不能晚于审核批次年度（{campaign_year}年）"})
        if year < campaign_year - BASELINE_MAX_AGE:
            raise ValidationError({"year": f"审核基准年应在审核批次年度（{campaign_year}年）前{BASELINE_MAX_AGE}年以内"})
        if other is not None and year >= other.year:
            raise ValidationError({"year": f"审核基准年应早于已填报的方案实施后数据年份（{other.year}年）"})
    elif other is not None and year <= other.year:
        raise ValidationError({"year": f"方案实施后数据的年份应晚于审核基准年（{other.year}年）"})
    return year


def _clean_investment(value, kind: str) -> Decimal | None:
    if kind == Figures.Kind.AFTER:
        return parse_decimal(value, INVESTMENT_LABEL, places=2)
    if value is not None and str(value).strip():
        raise ValidationError(f"{INVESTMENT_LABEL}随方案实施后数据填写，审核基准年数据不填")
    return None


BASELINE_STEPS = (5, 6, 7, 12, 13)
AFTER_STEPS = (30,)


@transaction.atomic
def figures_save(*, actor, enrolment: Enrolment, kind: str, data: dict, products: list[dict]) -> Figures:
    """Create or replace the baseline (kind "baseline") or after-implementation ("after") figures of an
    enrolment. `data`: year, the FIGURE_FIELDS, raw_materials, and for "after" implemented_investment_wan
    (万元, optional); `products`: [{name, unit, quantity}],
    which replace the stored product rows (empty rows are skipped). One log entry when anything changed."""
    access.check(actor, "progress.figures.change")
    enrolment = Enrolment.objects.select_for_update().select_related("campaign", "enterprise").get(pk=enrolment.pk)
    access.check(actor, "progress.figures.change", enrolment)
    check_campaign_open(enrolment, "填报审核数据")
    if kind not in Figures.Kind.values:
        raise ValidationError({"kind": "数据类别应为审核基准年或方案实施后"})
    # The baseline is what steps 5–7 and 12–13 vouch for, the after figures what step 30 does.
    steps_vouching = BASELINE_STEPS if kind == Figures.Kind.BASELINE else AFTER_STEPS
    refuse_if_confirmed(enrolment, steps_vouching, f"{Figures.Kind(kind).label}数据")

    figures = Figures.objects.filter(enrolment=enrolment, kind=kind).first()
    old_products = list(figures.products.all()) if figures else []
    before = _state(figures, old_products)
    other = Figures.objects.filter(enrolment=enrolment).exclude(kind=kind).first()

    errors: dict[str, list] = {}
    values = {}
    try:
        values["year"] = _clean_year(data.get("year"), kind, enrolment, other)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for name, label, unit in FIGURES:
        try:
            values[name] = parse_decimal(data.get(name), f"{label}（{unit}）")
        except ValidationError as exc:
            errors[name] = exc.messages
    values["raw_materials"] = (data.get("raw_materials") or "").strip()
    try:
        values[INVESTMENT_FIELD] = _clean_investment(data.get(INVESTMENT_FIELD), kind)
    except ValidationError as exc:
        errors[INVESTMENT_FIELD] = exc.messages
    try:
        new_products = _clean_products(products, kind)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    if figures is None:
        figures = Figures(enrolment=enrolment, kind=kind)
    for name, value in values.items():
        setattr(figures, name, value)
    figures.full_clean(exclude=["enrolment", "recorded_by"], validate_unique=False, validate_constraints=False)
    after = _state(figures, new_products)
    changes = diff(before, after)
    if not changes:
        return figures
    figures.recorded_by = actor if getattr(actor, "_meta", None) is not None else None
    figures.save()
    figures.products.all().delete()
    for product in new_products:
        product.figures = figures
    ProductOutput.objects.bulk_create(new_products)
    log_action(actor=actor, action="progress.figures.saved", obj=figures, changes=changes,
               data={"kind": kind, "enrolment": enrolment.pk, "campaign": enrolment.campaign.slug,
                     "enterprise": enrolment.enterprise.uscc})
    from cpaudit.applications.services.basis import basis_changed  # applications imports progress

    basis_changed(actor=actor, enrolment_id=enrolment.pk, cause=f"{Figures.Kind(kind).label}数据变更")
    return figures


@dataclass(frozen=True)
class PerUnit:
    field: str
    label: str  # 单位产品新鲜水用量
    unit: str  # 吨/吨产品
    value: Decimal | None


def per_unit(figures: Figures | None) -> dict[str, PerUnit]:
    """Each figure divided by the output of the FIRST main product (the first row entered; an audit
    names its principal product first). The value is None when the figure is missing or the product's
    quantity is missing or zero. Six significant digits. Uses `figures.products.all()`, so a prefetch
    of "products" makes it free of queries."""
    products = list(figures.products.all()) if figures is not None and figures.pk else []
    product = products[0] if products else None
    quantity = product.quantity if product is not None else None
    per_product = f"/{product.unit}" if product is not None else "/单位产品"
    result = {}
    for name, label, unit in FIGURES:
        amount = getattr(figures, name, None) if figures is not None else None
        value = None
        if amount is not None and quantity:
            with decimal.localcontext() as ctx:
                ctx.prec = 6
                value = +(Decimal(amount) / Decimal(quantity))
        result[name] = PerUnit(name, f"单位产品{label}", f"{unit}{per_product}", value)
    return result
