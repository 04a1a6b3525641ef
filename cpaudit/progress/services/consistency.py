"""Consistency checks on an enterprise's own figures (事中有控): contradictions between its baseline and
after-implementation figures (审核数据) and its options (清洁生产方案) that a reviewer or an expert should
see before deciding. They refuse nothing, except what the 验收 blockers already refuse (open 中/高费
options, services.derived.acceptance_blockers), which is listed here too.

Pure functions over one enrolment's `Audit` (loaded in bulk by selectors.consistency). Each check
returns `Flag`s whose message names the numbers it compared, with their units (and the tolerance
where one applies); `numbers` holds the same figures for lists and exports.

Units: every figure is stored in the unit its label names (吨, 吨标准煤, 千瓦时, 万元) and a benefit is
the same quantity per year, so a saving and the annual figure it comes from compare directly. Nothing
converts between quantities: the model says nothing of how electricity enters 综合能耗 (the factor
depends on the standard an enterprise follows), so 节电 is compared with 用电量 only, 节能 with 综合能耗.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..models import Figures, Option, OptionCategory, OptionStatus
from .options import plain

# Severities: what a flag means for the decision.
BLOCKING = "blocking"  # the platform refuses the application until it is resolved
CONTRADICTION = "contradiction"  # the figures cannot all be true
ATTENTION = "attention"  # allowed, but out of the expected order: look at it
SEVERITIES = {BLOCKING: "阻止申请", CONTRADICTION: "数据矛盾", ATTENTION: "请核实"}

SAVING_EXCEEDS_BASELINE = "saving_exceeds_baseline"
BALANCE_MISMATCH = "balance_mismatch"
INVESTMENT_MISMATCH = "investment_mismatch"
BENEFIT_NOT_IMPLEMENTED = "benefit_not_implemented"
HIGH_OPTION_OPEN_AT_ACCEPTANCE = "high_option_open_at_acceptance"
IMPLEMENTED_BEFORE_EVALUATION = "option_implemented_before_evaluation"
CHECKS = {  # code → label, in the order flags are listed
    SAVING_EXCEEDS_BASELINE: "实际节约/削减量大于基准年数值",
    BALANCE_MISMATCH: "基准年、实施后与方案效益不平衡",
    INVESTMENT_MISMATCH: "已实施方案投资合计与审核数据不一致",
    BENEFIT_NOT_IMPLEMENTED: "未实施的方案填报了实际效益",
    HIGH_OPTION_OPEN_AT_ACCEPTANCE: "申请验收时中/高费方案未完成",
    IMPLEMENTED_BEFORE_EVALUATION: "中/高费方案在评估通过前实施",
}

# (benefit suffix, figure field, saving's name, figure's name, unit): the savings that come out of one
# annual figure. 削减其他污染物 has no baseline figure and 经济效益 no physical one: not compared.
PAIRS = [
    ("energy_tce", "energy_tce", "节能", "综合能耗", "吨标准煤"),
    ("electricity_kwh", "electricity_kwh", "节电", "用电量", "千瓦时"),
    ("water_t", "water_use_t", "节水", "新鲜水用量", "吨"),
    ("wastewater_t", "wastewater_t", "减少废水", "废水排放量", "吨"),
    ("cod_t", "cod_t", "削减COD", "COD排放量", "吨"),
    ("nh3n_t", "nh3n_t", "削减氨氮", "氨氮排放量", "吨"),
]
# Every achieved benefit, for "claimed but not implemented" (with its unit).
ACHIEVED = [(suffix, name, f"{unit}/年") for suffix, _, name, _, unit in PAIRS] + [
    ("other_t", "削减其他污染物", "吨/年"), ("economic_wan", "经济效益", "万元/年")]
# Two amounts of money in 万元 with two decimals are equal or they differ: no tolerance.
CENT = Decimal("0.01")


def tolerance() -> Decimal:
    """The allowed relative gap of a balance (settings.CPAUDIT_CONSISTENCY_TOLERANCE_PERCENT, e.g. 0.10)."""
    percent = settings.CPAUDIT_CONSISTENCY_TOLERANCE_PERCENT
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ImproperlyConfigured(f"CPAUDIT_CONSISTENCY_TOLERANCE_PERCENT 应为0至100之间的整数，实际为{percent!r}")
    return Decimal(percent) / 100


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str
    message: str
    numbers: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return CHECKS[self.code]

    @property
    def severity_label(self) -> str:
        return SEVERITIES[self.severity]


@dataclass
class Audit:
    """What the checks read of one enrolment. `options` carry status, category, name, investment,
    actual_date, abandon_reason and the achieved benefits; the figures their products (prefetched).
    `evaluation_passed_on`: the date its latest passed 评估 got its result; `acceptance_applied`: a
    验收 application of it has been submitted and has not failed; `campaign_active`: its campaign is
    still running."""

    baseline: Figures | None = None
    after: Figures | None = None
    options: list[Option] = field(default_factory=list)
    evaluation_passed_on: object = None
    acceptance_applied: bool = False
    campaign_active: bool = True


def num(value, unit: str = "") -> str:
    """12000.0000 → "12000 吨": a figure as typed (thousands not separated). A computed one (a scaled
    baseline, a difference) keeps two decimals, or four below 1."""
    value = Decimal(value)
    text = plain(value.quantize(Decimal("0.01") if abs(value) >= 1 else Decimal("0.0001")))
    return f"{text} {unit}" if unit else text


def _day(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _implemented(options: Iterable[Option]) -> list[Option]:
    return [o for o in options if o.status == OptionStatus.IMPLEMENTED]


def _claimed(options: Iterable[Option], suffix: str) -> list[tuple[Option, Decimal]]:
    return [(o, getattr(o, f"achieved_{suffix}")) for o in options if (getattr(o, f"achieved_{suffix}") or 0) > 0]


def saving_exceeds_baseline(audit: Audit) -> list[Flag]:
    """The implemented options' achieved saving of a quantity, summed, above the baseline year's figure
    of that quantity: one cannot save more water than one used."""
    baseline = audit.baseline
    if baseline is None:
        return []
    flags = []
    implemented = _implemented(audit.options)
    for suffix, figure, saving, name, unit in PAIRS:
        base = getattr(baseline, figure)
        claimed = _claimed(implemented, suffix)
        total = sum((amount for _, amount in claimed), Decimal(0))
        if base is None or not claimed or total <= base:
            continue
        biggest, amount = max(claimed, key=lambda pair: pair[1])
        alone = f"，其中「{biggest.name}」一项即为{num(amount, unit)}/年" if amount > base and len(claimed) > 1 else ""
        message = (f"已实施方案申报的实际{saving}合计{num(total, unit)}/年（{len(claimed)}项方案{alone}），"
                   f"大于审核基准年（{baseline.year}年）{name}{num(base, unit)}：节约或削减量不应超过基准年的"
                   f"{name}，请核实")
        flags.append(Flag(SAVING_EXCEEDS_BASELINE, CONTRADICTION, message, {
            "figure": figure, "unit": unit, "baseline": base, "baseline_year": baseline.year, "achieved": total,
            "options": len(claimed)}))
    return flags


def _output_ratio(baseline: Figures, after: Figures):
    """(after output / baseline output, product name, unit, baseline qty, after qty) when both years give
    the same first product in the same unit with a positive output; None otherwise (compare as is)."""
    first = [next(iter(f.products.all()), None) for f in (baseline, after)]
    if None in first:
        return None
    before, now = first
    if (before.name, before.unit) != (now.name, now.unit) or not before.quantity or not now.quantity:
        return None
    return now.quantity / before.quantity, before.name, before.unit, before.quantity, now.quantity


def balance_mismatch(audit: Audit, allowed: Decimal) -> list[Flag]:
    """Baseline, after implementation and the implemented options' savings should balance: after +
    savings ≈ baseline, within `allowed` (a fraction) of the baseline. The baseline is first scaled to
    the after year's output of the main product (the first product, when both years name the same one
    in the same unit): savings are annual figures at today's production. Only figures some implemented
    option claims a saving of are compared: without a claim there is nothing to contradict."""
    baseline, after = audit.baseline, audit.after
    if baseline is None or after is None:
        return []
    ratio = _output_ratio(baseline, after)
    implemented = _implemented(audit.options)
    flags = []
    for suffix, figure, saving, name, unit in PAIRS:
        base, now = getattr(baseline, figure), getattr(after, figure)
        claimed = _claimed(implemented, suffix)
        if base is None or now is None or not claimed:
            continue
        savings = sum((amount for _, amount in claimed), Decimal(0))
        scaled = base * ratio[0] if ratio else base
        gap = now + savings - scaled
        limit = allowed * scaled
        if abs(gap) <= limit:
            continue
        scale_text = ""
        if ratio:
            _, product, product_unit, before_qty, now_qty = ratio
            scale_text = (f"；按主要产品「{product}」产量折算（{baseline.year}年{num(before_qty, product_unit)}，"
                          f"{after.year}年{num(now_qty, product_unit)}），基准年{name}相当于{num(scaled, unit)}")
        direction = ("实施后数据未体现所申报的节约量" if gap > 0 else "实施后的降幅大于所申报的节约量")
        message = (f"{name}：审核基准年（{baseline.year}年）{num(base, unit)}，方案实施后（{after.year}年）"
                   f"{num(now, unit)}{scale_text}；已实施方案申报实际{saving}合计{num(savings, unit)}/年。"
                   f"实施后数值加节约量应约等于基准年数值，两者相差{num(abs(gap), unit)}，超过允许偏差"
                   f"{num(allowed * 100)}%（{num(limit, unit)}）：{direction}，请核实")
        flags.append(Flag(BALANCE_MISMATCH, CONTRADICTION, message, {
            "figure": figure, "unit": unit, "baseline": base, "baseline_year": baseline.year, "after": now,
            "after_year": after.year, "achieved": savings, "scaled_baseline": scaled, "difference": gap,
            "tolerance_percent": allowed * 100, "output_ratio": ratio[0] if ratio else None}))
    return flags


def investment_mismatch(audit: Audit) -> list[Flag]:
    """The total investment of implemented options stated with the after-implementation figures against
    the sum of the implemented options' investment in the option list."""
    after = audit.after
    stated = getattr(after, "implemented_investment_wan", None) if after is not None else None
    if stated is None:
        return []
    implemented = _implemented(audit.options)
    listed = sum((o.investment or Decimal(0) for o in implemented), Decimal(0))
    difference = stated - listed
    if abs(difference) < CENT:
        return []
    message = (f"方案实施后数据（{after.year}年）填报的已实施方案总投资为{num(stated, '万元')}，方案清单中"
               f"{len(implemented)}项已实施方案的投资合计为{num(listed, '万元')}，相差{num(abs(difference), '万元')}，请核实")
    return [Flag(INVESTMENT_MISMATCH, CONTRADICTION, message, {
        "unit": "万元", "stated": stated, "listed": listed, "difference": difference, "options": len(implemented)})]


def benefit_not_implemented(audit: Audit) -> list[Flag]:
    """An option not implemented (提出, 筛选通过, 实施中, 放弃) with an achieved benefit above zero."""
    flags = []
    for option in audit.options:
        if option.status == OptionStatus.IMPLEMENTED:
            continue
        claimed = [(name, getattr(option, f"achieved_{suffix}"), unit) for suffix, name, unit in ACHIEVED
                   if (getattr(option, f"achieved_{suffix}") or 0) > 0]
        if not claimed:
            continue
        listed = "、".join(f"{name}{num(amount, unit)}" for name, amount, unit in claimed)
        message = (f"方案「{option.name}」状态为“{option.get_status_display()}”，却填报了实际效益：{listed}；"
                   "未实施完成的方案不应有实际效益，请核实")
        flags.append(Flag(BENEFIT_NOT_IMPLEMENTED, CONTRADICTION, message, {
            "option": option.name, "status": option.status,
            "achieved": {name: amount for name, amount, _ in claimed}}))
    return flags


def is_open_high(option: Option) -> bool:
    """A 中/高费 option that blocks 验收: neither implemented nor abandoned with a reason."""
    if option.category != OptionCategory.HIGH:
        return False
    if option.status == OptionStatus.ABANDONED:
        return not option.abandon_reason
    return option.status != OptionStatus.IMPLEMENTED


def open_text(option: Option) -> str:
    """"「name」（status）", as the 验收 blockers name an open option."""
    state = "已放弃但未填写理由" if option.status == OptionStatus.ABANDONED else option.get_status_display()
    return f"「{option.name}」（{state}）"


def high_option_open_at_acceptance(audit: Audit) -> list[Flag]:
    still_open = [open_text(o) for o in audit.options if is_open_high(o)]
    if not still_open:
        return []
    message = (f"申请验收时仍有{len(still_open)}项中/高费方案未完成：{'、'.join(still_open)}；"
               "中/高费方案须已实施，或填写理由后放弃，方可申请验收")
    return [Flag(HIGH_OPTION_OPEN_AT_ACCEPTANCE, BLOCKING, message, {"options": still_open})]


def implemented_before_evaluation(audit: Audit, *, this_application: bool) -> list[Flag]:
    """A 中/高费 option implemented before the 评估 passed (or while it has not): the 评估 judges their
    feasibility before they are implemented. `this_application`: the reader reviews the 评估 itself."""
    passed_on = audit.evaluation_passed_on
    if passed_on is None and not audit.campaign_active and not this_application:
        # A closed campaign whose 评估 the platform never recorded (audits done before it was used):
        # there is no date to hold the options against.
        return []
    implemented = sorted((o for o in audit.options if o.category == OptionCategory.HIGH
                          and o.status == OptionStatus.IMPLEMENTED),
                         key=lambda o: (o.actual_date is None, o.actual_date, o.pk or 0))
    flags = []
    for option in implemented:
        done = f"实际完成日期为{_day(option.actual_date)}" if option.actual_date else "已标为已实施"
        if passed_on is None:
            still = "本次申请的评估尚未通过" if this_application else "该企业的评估尚未通过"
            message = f"中/高费方案「{option.name}」{done}，而{still}：中/高费方案应在评估通过后实施，请核实"
        elif option.actual_date is None or option.actual_date < passed_on:
            message = (f"中/高费方案「{option.name}」{done}，早于评估通过日期（{_day(passed_on)}）："
                       "中/高费方案应在评估通过后实施，请核实")
        else:
            continue
        flags.append(Flag(IMPLEMENTED_BEFORE_EVALUATION, ATTENTION, message, {
            "option": option.name, "actual_date": option.actual_date, "evaluation_passed_on": passed_on}))
    return flags


def check(audit: Audit, kind: str | None = None, *, allowed: Decimal | None = None) -> list[Flag]:
    """Every flag of one enrolment, as seen by the reviewer of an application of `kind` ("evaluation",
    "acceptance") or, with None, by the branch watching the audit. Open 中/高费 options count at a 验收
    application, and for the branch once a 验收 has been applied for."""
    allowed = tolerance() if allowed is None else allowed
    flags = saving_exceeds_baseline(audit) + balance_mismatch(audit, allowed) + investment_mismatch(audit)
    flags += benefit_not_implemented(audit)
    if kind == "acceptance" or (kind is None and audit.acceptance_applied):
        flags += high_option_open_at_acceptance(audit)
    flags += implemented_before_evaluation(audit, this_application=kind == "evaluation")
    return flags
