"""Cleaner production options (清洁生产方案) of an enrolment and their expected and achieved benefits.

- The category (无/低费 or 中/高费) is suggested from the investment and the campaign's fee threshold;
  a different category needs a reason.
- The status moves along 提出 → 筛选通过 → 实施中 → 已实施; 放弃 is possible from any state but 已实施.
  A new option starts as 提出. 已实施 needs the actual completion date, 放弃 a reason (验收 needs every
  中/高费 option implemented or abandoned with a reason: selectors.readiness.open_high_options).
- Achieved benefits far above the expected ones (campaign.benefit_flag_factor, default 3×) are
  flagged for the branch to verify, never refused.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.core.logdisplay import register
from cpaudit.org import access

from .. import steps
from ..models import BENEFITS, Option, OptionCategory, OptionStatus
from .figures import check_campaign_open, parse_decimal
from .steps import refuse_if_confirmed

S = OptionStatus
# current status → statuses it may move to (staying where it is is always allowed).
TRANSITIONS: dict[str, frozenset] = {
    S.PROPOSED: frozenset({S.SCREENED, S.ABANDONED}),
    S.SCREENED: frozenset({S.IMPLEMENTING, S.ABANDONED}),
    S.IMPLEMENTING: frozenset({S.IMPLEMENTED, S.ABANDONED}),
    S.IMPLEMENTED: frozenset(),
    S.ABANDONED: frozenset(),
}
INITIAL_STATUS = S.PROPOSED

BENEFIT_FIELDS = [f"{kind}_{suffix}" for kind in ("expected", "achieved") for suffix, _ in BENEFITS]
OPTION_FIELDS = ["name", "category", "category_reason", "source_step_id", "investment", "status", "planned_date",
                 "actual_date", "abandon_reason", "other_pollutant", *BENEFIT_FIELDS]
# How far ahead a planned completion may lie, in years after the campaign year.
PLANNED_MAX_YEARS = 5


def _flags_text(entry) -> str:
    flags = (entry.data or {}).get("flags") or []
    if not flags:
        return ""
    return "效益异常提示：" + "；".join(
        f"{f['label']} 预期{f['expected'] or '未填'}，实际{f['achieved']}" for f in flags)


register("progress.option.created", "新增清洁生产方案", detail=_flags_text)
register("progress.option.updated", "修改清洁生产方案", detail=_flags_text)


def plain(number) -> str:
    """A decimal as people write it: 3.00 → "3", 2.50 → "2.5", 1E+3 → "1000"."""
    if number is None:
        return ""
    return format(Decimal(number).normalize(), "f")


def suggest_category(investment, campaign: Campaign) -> str:
    """无/低费 below the campaign's threshold (万元), 中/高费 at or above it."""
    amount = Decimal(investment or 0)
    return OptionCategory.LOW if amount < campaign.fee_threshold else OptionCategory.HIGH


def allowed_statuses(current: str | None) -> list[str]:
    """The statuses an option in `current` may be saved with (None: a new option), in display order."""
    if current is None:
        return [INITIAL_STATUS]
    reachable = TRANSITIONS[current] | {current}
    return [value for value in S.values if value in reachable]


def compute_flags(option: Option, factor) -> list[dict]:
    """The benefits whose achieved figure exceeds factor × expected, or is positive where nothing was
    expected."""
    factor = Decimal(factor)
    flags = []
    for suffix, label in BENEFITS:
        expected = getattr(option, f"expected_{suffix}")
        achieved = getattr(option, f"achieved_{suffix}")
        if achieved is None or achieved <= 0:
            continue
        if expected is None or expected <= 0 or achieved > factor * expected:
            flags.append({"field": suffix, "label": label, "expected": plain(expected), "achieved": plain(achieved),
                          "factor": plain(factor)})
    return flags


def _status_label(value) -> str:
    return S(value).label if value in S.values else str(value)


def _clean_status(option: Option, current: str | None, errors: dict) -> None:
    status = option.status
    if status not in S.values:
        errors["status"] = ["请选择方案状态"]
        return
    if current is None and status != INITIAL_STATUS:
        errors["status"] = [f"新方案的状态应为“{_status_label(INITIAL_STATUS)}”，之后按 提出→筛选通过→实施中→已实施 逐步更新"]
        return
    if current is not None and status not in allowed_statuses(current):
        if current in (S.IMPLEMENTED, S.ABANDONED):
            errors["status"] = [f"方案已{_status_label(current)}，状态不能再改为“{_status_label(status)}”"]
        else:
            nexts = "、".join(f"“{_status_label(s)}”" for s in allowed_statuses(current) if s != current)
            errors["status"] = [f"方案当前为“{_status_label(current)}”，只能改为{nexts}，不能改为“{_status_label(status)}”"]
        return
    if status == S.ABANDONED and not option.abandon_reason:
        errors["abandon_reason"] = ["方案状态为“放弃”时须填写放弃理由"]
    elif status != S.ABANDONED and option.abandon_reason:
        errors["abandon_reason"] = ["只有状态为“放弃”的方案才填写放弃理由"]


def _clean_dates(option: Option, enrolment: Enrolment, errors: dict) -> None:
    today = clock.today()
    earliest = enrolment.start_date or dt.date(enrolment.campaign.year - 1, 1, 1)
    latest_planned = dt.date(enrolment.campaign.year + PLANNED_MAX_YEARS, 12, 31)
    if option.planned_date is not None:
        if option.planned_date < earliest:
            errors["planned_date"] = [f"计划完成日期不能早于开始审核时间（{earliest:%Y-%m-%d}）"]
        elif option.planned_date > latest_planned:
            errors["planned_date"] = [f"计划完成日期不能晚于{latest_planned:%Y-%m-%d}"]
    if option.status == S.IMPLEMENTED and option.actual_date is None:
        errors["actual_date"] = ["方案状态为“已实施”时须填写实际完成日期"]
    elif option.actual_date is not None:
        if option.status != S.IMPLEMENTED:
            errors["actual_date"] = ["方案尚未实施完成，不应填写实际完成日期"]
        elif option.actual_date > today:
            errors["actual_date"] = [f"实际完成日期不能晚于今天（{today:%Y-%m-%d}）"]
        elif option.actual_date < earliest:
            errors["actual_date"] = [f"实际完成日期不能早于开始审核时间（{earliest:%Y-%m-%d}）"]


def _apply(option: Option, data: dict, errors: dict) -> None:
    """Copy `data` onto the option, parsing numbers; problems go to `errors` by field."""
    if "name" in data:
        option.name = (data.get("name") or "").strip()
    for key in ("category_reason", "other_pollutant", "abandon_reason"):
        if key in data:
            setattr(option, key, (data.get(key) or "").strip())
    if "status" in data and data["status"]:
        option.status = data["status"]
    for key in ("planned_date", "actual_date"):
        if key in data:
            setattr(option, key, data[key] or None)
    if "source_step" in data or "source_step_id" in data:
        raw = data.get("source_step", data.get("source_step_id"))
        number = getattr(raw, "pk", raw)
        if number in (None, ""):
            option.source_step_id = None
        else:
            try:
                number = int(number)
            except (TypeError, ValueError):
                number = 0
            if not 1 <= number <= len(steps.all_steps()):
                errors["source_step"] = ["请选择产生方案的审核步骤（1–35）"]
            else:
                option.source_step_id = number
    if "investment" in data:
        try:
            option.investment = parse_decimal(data.get("investment"), "投资（万元）", places=2, required=True)
        except ValidationError as exc:
            errors["investment"] = exc.messages
    for field in BENEFIT_FIELDS:
        if field in data:
            label = Option._meta.get_field(field).verbose_name
            try:
                setattr(option, field, parse_decimal(data.get(field), label))
            except ValidationError as exc:
                errors[field] = exc.messages


@transaction.atomic
def option_save(*, actor, enrolment: Enrolment, option: Option | None = None, data: dict) -> Option:
    """Create (option=None) or change an option of `enrolment`. `data` holds any of: name, category
    ("" or missing: the suggestion), category_reason, source_step (step number), investment (万元),
    status, planned_date, actual_date, abandon_reason (required with 放弃), other_pollutant,
    expected_<benefit>, achieved_<benefit>.
    Returns the option with `flags` recomputed; one log entry when anything changed."""
    access.check(actor, "progress.option.change")
    enrolment = Enrolment.objects.select_for_update().select_related("campaign", "enterprise").get(pk=enrolment.pk)
    access.check(actor, "progress.option.change", enrolment)
    created = option is None
    if created:
        option = Option(enrolment=enrolment, status=INITIAL_STATUS)
        before, current = {}, None
    else:
        option = Option.objects.select_for_update().get(pk=option.pk)
        if option.enrolment_id != enrolment.pk:
            raise ValidationError("该方案不属于此审核企业")
        before, current = snapshot(option, OPTION_FIELDS), option.status
    check_campaign_open(enrolment, "填报清洁生产方案")

    errors: dict[str, list] = {}
    achieved_before = {f"achieved_{s}": getattr(option, f"achieved_{s}") for s, _ in BENEFITS}
    _apply(option, data, errors)
    if any(getattr(option, k) != v for k, v in achieved_before.items()):
        # Achieved benefits are what steps 29 (无/低费) and 30 (中/高费) verify.
        refuse_if_confirmed(enrolment, (29,) if option.category == OptionCategory.LOW else (30,), "已实施方案的实际效益")
    if not option.name:
        errors["name"] = ["请填写方案名称"]
    _clean_status(option, current, errors)
    _clean_dates(option, enrolment, errors)
    if (option.expected_other_t or option.achieved_other_t) and not option.other_pollutant:
        errors["other_pollutant"] = ["填写了其他污染物削减量，请注明污染物名称"]

    campaign = enrolment.campaign
    suggestion = suggest_category(option.investment if "investment" not in errors else 0, campaign)
    category = data.get("category") if "category" in data else (option.category or None)
    if not category:
        category = suggestion
    if category not in OptionCategory.values:
        errors["category"] = ["请选择方案类别"]
    else:
        option.category = category
        if category == suggestion:
            option.category_reason = ""  # nothing to justify
        elif not option.category_reason and "investment" not in errors:
            errors["category_reason"] = [
                f"投资{plain(option.investment)}万元，按本批次分界（{plain(campaign.fee_threshold)}万元）应为"
                f"“{OptionCategory(suggestion).label}”；选择“{OptionCategory(category).label}”须填写调整理由"]
    if errors:
        raise ValidationError(errors)
    try:
        option.full_clean(exclude=["enrolment", "recorded_by", "flags"])
    except ValidationError as exc:
        raise ValidationError({name.removesuffix("_id"): msgs for name, msgs in exc.message_dict.items()}) from None

    old_flags = [] if created else list(option.flags or [])
    option.flags = compute_flags(option, campaign.benefit_flag_factor)
    after = snapshot(option, OPTION_FIELDS)
    if old_flags or option.flags:  # a changed verdict is a change (e.g. after the factor was changed)
        if not created:
            before["flags"] = old_flags
        after["flags"] = option.flags
    changes = diff(before, after)
    if not changes:
        return option
    option.recorded_by = actor if getattr(actor, "_meta", None) is not None else None
    option.save()
    log_action(actor=actor, action="progress.option." + ("created" if created else "updated"), obj=option,
               changes=changes, data={"enrolment": enrolment.pk, "campaign": campaign.slug,
                                      "enterprise": enrolment.enterprise.uscc, "suggested_category": suggestion,
                                      "flags": option.flags})
    from cpaudit.applications.services.basis import basis_changed  # applications imports progress

    basis_changed(actor=actor, enrolment_id=enrolment.pk, cause=f"清洁生产方案「{option.name}」"
                  + ("新增" if created else "变更"))
    return option
