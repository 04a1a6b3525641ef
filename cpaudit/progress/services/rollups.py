"""The notice's "节能、降耗、减污、增效" in numbers: roll-ups of the options' investment and their expected
vs achieved benefits.

Every function takes an Option queryset the caller has ALREADY scoped, e.g.
    access.scope(user, Option.objects.filter(enrolment__campaign=campaign))
and runs a fixed number of queries whatever the number of options (grouped aggregates, never a
query per row). Amounts are Decimals (0 when nothing was recorded).

Counting rules (the same in every function):
- options that were abandoned (放弃) count nowhere but in `options_by_status`;
- "expected" sums the expected benefits of the other options (提出 … 已实施);
- "achieved" sums the achieved benefits of implemented (已实施) options only: a figure recorded on an
  option still being implemented is not yet a result;
- "expected_implemented" (benefit_totals) is what the implemented options had promised, to compare
  achieved against like for like.
"""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr

from cpaudit.registry.models import Industry

from .. import industry_groups
from ..models import BENEFITS, OptionCategory, OptionStatus

ZERO = Decimal("0")
DIMENSIONS = ("enterprise", "county", "industry", "industry_group", "campaign")
_IMPLEMENTED = Q(status=OptionStatus.IMPLEMENTED)


def _counted(options_qs):
    return options_qs.exclude(status=OptionStatus.ABANDONED).order_by()


# Aggregates are computed under prefixed aliases (an annotation may not reuse a field's name) and
# handed back under the plain names.
_P = "sum__"
_G = "group__"


def _aggregates(*, expected_implemented: bool = False) -> dict:
    aggs = {
        "n_options": Count("pk"),
        "n_implemented": Count("pk", filter=_IMPLEMENTED),
        "investment": Sum("investment"),
        "investment_implemented": Sum("investment", filter=_IMPLEMENTED),
    }
    for suffix, _ in BENEFITS:
        aggs[f"expected_{suffix}"] = Sum(f"expected_{suffix}")
        aggs[f"achieved_{suffix}"] = Sum(f"achieved_{suffix}", filter=_IMPLEMENTED)
        if expected_implemented:
            aggs[f"expected_implemented_{suffix}"] = Sum(f"expected_{suffix}", filter=_IMPLEMENTED)
    return {_P + name: agg for name, agg in aggs.items()}


def _amounts(row: dict) -> dict:
    """The aggregate part of a row under plain names, None → 0."""
    return {name.removeprefix(_P): (value if value is not None else ZERO)
            for name, value in row.items() if name.startswith(_P)}


def _group(**paths) -> dict:
    return {_G + name: F(path) for name, path in paths.items()}


def benefits_by(options_qs, dimension: str) -> list[dict]:
    """One row per enterprise / county / industry (大类, the first two digits of the enterprise's
    industry code) / industry_group (the six industries, then 其他) / campaign:
        {key, label, n_options, n_implemented, investment, investment_implemented,
         expected_<suffix>…, achieved_<suffix>…}
    Keys: enterprise pk, county code (rows also carry "city", the county's parent division name),
    2-digit industry code, the group's name (industry_groups.OTHER_KEY for 其他), campaign slug (rows
    also carry "year"). Order: enterprises by name,
    counties and industries by code, campaigns newest year first. One query (two for "industry":
    the names of the 大类)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}: one of {', '.join(DIMENSIONS)}")
    qs = _counted(options_qs)
    aggs = _aggregates()
    if dimension == "enterprise":
        rows = qs.values(**_group(key="enrolment__enterprise_id", label="enrolment__enterprise__name")).annotate(
            **aggs).order_by(_G + "label", _G + "key")
        return [{"key": r[_G + "key"], "label": r[_G + "label"], **_amounts(r)} for r in rows]
    if dimension == "county":
        rows = qs.values(**_group(key="enrolment__enterprise__county_id", label="enrolment__enterprise__county__name",
                                  city="enrolment__enterprise__county__parent__name")).annotate(
            **aggs).order_by(_G + "key")
        return [{"key": r[_G + "key"], "label": r[_G + "label"], "city": r[_G + "city"] or "", **_amounts(r)}
                for r in rows]
    if dimension == "campaign":
        rows = qs.values(**_group(key="enrolment__campaign__slug", label="enrolment__campaign__name",
                                  year="enrolment__campaign__year")).annotate(**aggs).order_by("-" + _G + "year",
                                                                                               _G + "key")
        return [{"key": r[_G + "key"], "label": r[_G + "label"], "year": r[_G + "year"], **_amounts(r)}
                for r in rows]
    if dimension == "industry_group":
        rows = qs.values(**{_G + "key": industry_groups.group_expr("enrolment__enterprise__industry_id")}).annotate(
            **aggs)
        order = {group: n for n, group in enumerate(industry_groups.GROUPS)}
        found = [{"key": r[_G + "key"] or industry_groups.OTHER_KEY,
                  "label": r[_G + "key"] or industry_groups.OTHER, **_amounts(r)} for r in rows]
        return sorted(found, key=lambda r: order.get(r["key"], len(order)))
    # industry: 大类 = the first two characters of the GB/T 4754 code
    rows = list(qs.values(**{_G + "key": Substr("enrolment__enterprise__industry_id", 1, 2)}).annotate(**aggs)
                .order_by(_G + "key"))
    names = dict(Industry.objects.filter(code__in=[r[_G + "key"] for r in rows]).values_list("code", "name"))
    return [{"key": r[_G + "key"], "label": names.get(r[_G + "key"], r[_G + "key"]), **_amounts(r)} for r in rows]


def options_by_status(options_qs) -> list[dict]:
    """Every category × status (abandoned options included), in the vocabularies' order, with zeros
    where there is none: {category, category_label, status, status_label, n, investment}. One query."""
    found = {
        (r["category"], r["status"]): r
        for r in options_qs.order_by().values("category", "status").annotate(n=Count("pk"),
                                                                             total=Sum("investment"))
    }
    result = []
    for category, category_label in OptionCategory.choices:
        for status, status_label in OptionStatus.choices:
            row = found.get((category, status), {})
            result.append({"category": category, "category_label": category_label, "status": status,
                           "status_label": status_label, "n": row.get("n") or 0,
                           "investment": row.get("total") if row.get("total") is not None else ZERO})
    return result


def benefit_totals(options_qs) -> dict:
    """Totals over the queryset. One query.
        {n_options, n_implemented, investment, investment_implemented,
         benefits: [{field, label, expected, expected_implemented, achieved}] in BENEFITS order}"""
    amounts = _amounts(_counted(options_qs).aggregate(**_aggregates(expected_implemented=True)))
    return {
        "n_options": amounts["n_options"],
        "n_implemented": amounts["n_implemented"],
        "investment": amounts["investment"],
        "investment_implemented": amounts["investment_implemented"],
        "benefits": [
            {"field": suffix, "label": label, "expected": amounts[f"expected_{suffix}"],
             "expected_implemented": amounts[f"expected_implemented_{suffix}"],
             "achieved": amounts[f"achieved_{suffix}"]}
            for suffix, label in BENEFITS
        ],
    }
