"""The six industries of the seed's campaign (酿造、制药、印染、纺织、制革、造纸) as groups of GB/T 4754-2017
codes, for breaking progress down by them (dashboards, lists, exports).

The groups are those of registry/data/six_industries_gbt4754.csv (小类 codes). An enterprise recorded
with a 大类 or 中类 code belongs to a group when every 小类 under that code is in the same group
(151 酒的制造 is 酿造; 171 棉纺织及印染精加工 mixes 纺织 and 印染, so it is 其他 like any code outside
the six).
"""

from functools import lru_cache

from django.db.models import Case, CharField, Q, Value, When

from cpaudit.registry.industries import codes_in_bucket

# In the order the notice names them.
GROUPS = ("酿造", "制药", "印染", "纺织", "制革", "造纸")
OTHER = "其他"
OTHER_KEY = "other"  # the filter value for enterprises outside the six


@lru_cache(maxsize=1)
def group_codes() -> dict[str, tuple[str, ...]]:
    """group → its codes: the 小类 of the data file, plus every 大类 or 中类 whose 小类 all fall in that
    group (27 医药制造业 is 制药) — the registry's one rule (registry.industries.scope_group)."""
    return {group: codes_in_bucket(group) for group in GROUPS}


def group_of(code: str | None) -> str:
    """The group of one industry code, 其他 when outside the six."""
    for group, codes in group_codes().items():
        if code in codes:
            return group
    return OTHER


def group_expr(path: str = "enterprise__industry_id"):
    """The group as a SQL expression over the industry code at `path` ("" outside the six)."""
    return Case(*[When(**{f"{path}__in": codes}, then=Value(group)) for group, codes in group_codes().items()],
                default=Value(""), output_field=CharField())


def group_q(key: str, path: str = "enterprise__industry_id") -> Q:
    """Rows of one group, or (OTHER_KEY) of none of the six."""
    if key == OTHER_KEY:
        return ~Q(**{f"{path}__in": [c for codes in group_codes().values() for c in codes]})
    return Q(**{f"{path}__in": group_codes()[key]})


def choices() -> list[tuple[str, str]]:
    return [(group, group) for group in GROUPS] + [(OTHER_KEY, f"{OTHER}（六行业以外）")]
