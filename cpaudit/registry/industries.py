"""GB/T 4754-2017 industry codes and the six industries of the 2020 campaign, from registry/data.

The campaign's scope is six industries (酿造、制药、印染、纺织、制革、造纸), each a set of 小类
(data/six_industries_gbt4754.csv). A registered code decides the scope only if it is precise enough:
a 小类, or a 中类/大类 all of whose 小类 fall in one and the same of the six groups
(`is_scope_precise`, `scope_group`). A 门类, or a 大类 like 17 纺织业 (印染 and 纺织), is not.
"""

import csv
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

SIX_GROUPS = ("酿造", "制药", "印染", "纺织", "制革", "造纸")
# Breakdown buckets besides the six groups.
OUTSIDE = "六行业以外"
UNDETERMINED = "代码层级不足"
CLASS_LEVEL = 4


@dataclass(frozen=True)
class Code:
    code: str
    level: int
    level_name: str
    name: str


def read_codes(filename: str) -> dict[str, Code]:
    with (DATA / filename).open(encoding="utf-8") as fh:
        return {r["code"]: Code(r["code"], int(r["level"]), r["level_name"], r["name"]) for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def codes_2017() -> dict[str, Code]:
    return read_codes("gbt4754_2017.csv")


def load_industries(Industry) -> int:
    existing = set(Industry.objects.values_list("code", flat=True))
    with (DATA / "gbt4754_2017.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"] not in existing]
    rows.sort(key=lambda r: (int(r["level"]), r["code"]))
    Industry.objects.bulk_create(
        [Industry(code=r["code"], level=int(r["level"]), level_name=r["level_name"], name=r["name"],
                  parent_id=r["parent_code"] or None, section=r["section"]) for r in rows],
        batch_size=1000,
    )
    return len(rows)


def six_industry_codes() -> list[tuple[str, str]]:
    """(industry group, 4-digit code) for the six industries of the seed's campaign."""
    with (DATA / "six_industries_gbt4754.csv").open(encoding="utf-8") as fh:
        return [(r["industry_group"], r["code"]) for r in csv.DictReader(fh)]


@lru_cache(maxsize=1)
def _groups_under() -> dict[str, frozenset[str]]:
    """Every 2017 code → the six-industry groups its 小类 fall in ("" for a 小类 outside the six)."""
    six = {code: group for group, code in six_industry_codes()}
    section_of = {}
    with (DATA / "gbt4754_2017.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["level"] == "2":
                section_of[r["code"]] = r["section"]
    groups: dict[str, set[str]] = {}
    for code, row in codes_2017().items():
        if row.level == CLASS_LEVEL:
            for holder in (code, code[:3], code[:2], section_of.get(code[:2], "")):
                groups.setdefault(holder, set()).add(six.get(code, ""))
    return {code: frozenset(groups.get(code, ())) for code in codes_2017()}


def _code(industry) -> str:
    return industry if isinstance(industry, str) else industry.code


def groups_under(industry) -> frozenset[str]:
    """The six-industry groups the code's 小类 fall in ("" stands for 小类 outside the six)."""
    return _groups_under().get(_code(industry), frozenset())


def scope_group(industry) -> str | None:
    """The one group of the six the code falls under (a 小类 of it, or a 中类/大类 wholly inside it)."""
    groups = groups_under(industry)
    if len(groups) == 1:
        (group,) = groups
        return group or None
    return None


def is_scope_precise(industry) -> bool:
    """Precise enough for the campaign scope check: a 小类, or a code wholly inside one of the six."""
    row = codes_2017().get(_code(industry))
    return row is not None and (row.level == CLASS_LEVEL or scope_group(industry) is not None)


def bucket(industry) -> str:
    """The breakdown bucket: one of SIX_GROUPS, OUTSIDE, or UNDETERMINED."""
    group = scope_group(industry)
    if group:
        return group
    return OUTSIDE if is_scope_precise(industry) else UNDETERMINED


@cache
def codes_in_bucket(name: str) -> tuple[str, ...]:
    """Every 2017 code (any level) whose bucket is `name`, for filtering in SQL."""
    return tuple(sorted(code for code in codes_2017() if bucket(code) == name))


def level_warning(industry) -> str:
    """What to tell a person whose enterprise is registered with a code coarser than a 小类 ("" if none)."""
    row = codes_2017().get(_code(industry))
    if row is None or row.level == CLASS_LEVEL:
        return ""
    head = f"所属行业代码“{row.code}”是{row.level_name}（{row.name}）"
    group = scope_group(row.code)
    if group:
        return f"{head}，可确定属“{group}”行业；建议补填4位小类代码"
    named = [g for g in SIX_GROUPS if g in groups_under(row.code)]
    spans = f"，涉及六行业中的{'、'.join(named)}" if named else ""
    return f"{head}{spans}；核定是否属于审核范围需要4位小类代码，请补填"
