"""The spot-check draw (双随机) as a pure function of (rule, pool, seed): no database, no clock.

Like the expert draw (cpaudit/experts/draw.py): the seed comes fresh from `secrets` at every draw, a
seeded `random.Random` only expands it, every list is sorted by id, so anyone holding the stored rule,
pool and seed re-runs the draw and must obtain the same enterprises and inspectors (`select`).

Enterprises: the eligible enrolments are split into strata (each enterprise in the first stratum it
belongs to, in the plan's order: complaints, consistency flags, late steps; the rest in the general
stratum). A stratum of n enterprises with share p% gives ceil(n·p/100) picks (at least the share, never
more than n); the general stratum gives at least the plan's count minus the strata's picks. Each stratum
is sampled uniformly (`rng.sample`), strata in order.

Inspectors: for each drawn enterprise, in drawing order, `per_enterprise` inspectors sampled uniformly
from the pool minus those recused for that enterprise; when `cross_county`, a team must hold at least one
inspector from another county than the enterprise: a sample that does not is discarded whole (rejection
sampling, so every valid team is equally likely).
"""

import hashlib
import json
import math
import random
from dataclasses import dataclass

ALGORITHM = "strata-sample-v1"  # stored with each rule: a replay must use the algorithm of its draw
MAX_ATTEMPTS = 100_000


class DrawRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Rule:
    # [(stratum key, share percent as text)] in priority order, the general stratum ("general") last.
    shares: tuple[tuple[str, str], ...]
    count: int = 0  # at least this many enterprises in all (0: the shares alone)
    per_enterprise: int = 2
    cross_county: bool = False
    algorithm: str = ALGORITHM

    def as_dict(self) -> dict:
        return {"shares": [list(s) for s in self.shares], "count": self.count, "per_enterprise": self.per_enterprise,
                "cross_county": self.cross_county, "algorithm": self.algorithm}

    @classmethod
    def from_dict(cls, data: dict) -> "Rule":
        return cls(tuple((str(k), str(v)) for k, v in data["shares"]), int(data.get("count", 0)),
                   int(data["per_enterprise"]), bool(data.get("cross_county", False)),
                   data.get("algorithm", ALGORITHM))


@dataclass(frozen=True)
class Pool:
    """What the draw may pick from, each list sorted by id.

    strata: stratum key → enterprise ids; inspectors: inspector (user) ids; enterprise_county:
    enterprise id → county code; inspector_county: inspector id → the county code of its agency ("" for
    a city or province agency: never the enterprise's county); recused: enterprise id → inspector ids
    that must stand aside for it."""

    strata: dict
    inspectors: tuple[int, ...]
    enterprise_county: dict
    inspector_county: dict
    recused: dict

    @classmethod
    def build(cls, strata: dict, inspectors, enterprise_county: dict, inspector_county: dict,
              recused: dict) -> "Pool":
        return cls({str(k): sorted(set(v)) for k, v in strata.items()}, tuple(sorted(set(inspectors))),
                   {str(k): v for k, v in enterprise_county.items()},
                   {str(k): v or "" for k, v in inspector_county.items()},
                   {str(k): sorted(set(v)) for k, v in recused.items() if v})

    def as_dict(self) -> dict:
        return {"strata": self.strata, "inspectors": list(self.inspectors),
                "enterprise_county": self.enterprise_county, "inspector_county": self.inspector_county,
                "recused": self.recused}

    @classmethod
    def from_dict(cls, data: dict) -> "Pool":
        return cls.build(data["strata"], data["inspectors"], data["enterprise_county"], data["inspector_county"],
                         data.get("recused", {}))

    def canonical(self, part: str | None = None) -> bytes:
        data = self.as_dict() if part is None else self.as_dict()[part]
        return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()

    def digest(self, part: str | None = None) -> str:
        return hashlib.new("sm3", self.canonical(part)).hexdigest()

    def digests(self) -> dict:
        """SM3 of the whole pool and of each list (the enterprises, the inspectors), as logged before the draw."""
        return {"pool": self.digest(), "enterprises": self.digest("strata"), "inspectors": self.digest("inspectors"),
                "recused": self.digest("recused")}


def stratum_counts(rule: Rule, pool: Pool) -> dict[str, int]:
    """stratum key → how many enterprises it gives (see the module docstring)."""
    counts = {}
    for key, share in rule.shares:
        n = len(pool.strata.get(key, []))
        counts[key] = min(n, math.ceil(n * float(share) / 100 - 1e-9)) if n else 0
    if "general" in counts and rule.count:
        others = sum(v for k, v in counts.items() if k != "general")
        counts["general"] = min(len(pool.strata.get("general", [])), max(counts["general"], rule.count - others))
    return counts


def _team(rng, rule: Rule, pool: Pool, enterprise: int) -> list[int]:
    banned = set(pool.recused.get(str(enterprise), []))
    eligible = [i for i in pool.inspectors if i not in banned]
    county = pool.enterprise_county.get(str(enterprise), "")
    outside = {i for i in eligible if pool.inspector_county.get(str(i), "") != county}
    if len(eligible) < rule.per_enterprise:
        raise DrawRefused(f"企业（编号{enterprise}）可抽取的检查人员只有{len(eligible)}名（已排除需回避的"
                          f"{len(banned)}名），每家企业需要{rule.per_enterprise}名")
    if rule.cross_county and not outside:
        raise DrawRefused(f"企业（编号{enterprise}）没有可抽取的外县（市、区）检查人员")
    for _ in range(MAX_ATTEMPTS):
        team = rng.sample(eligible, rule.per_enterprise)
        if not rule.cross_county or any(i in outside for i in team):
            return team
    raise DrawRefused("可抽取的外县（市、区）检查人员过少，请扩充检查人员名录或调整方案")


def select(rule: Rule, pool: Pool, seed: str) -> list[tuple[str, int, list[int]]]:
    """The draw: [(stratum key, enterprise id, [inspector ids])], in drawing order."""
    if rule.algorithm != ALGORITHM:
        raise ValueError(f"unknown draw algorithm {rule.algorithm!r}")
    if rule.per_enterprise < 1:
        raise ValueError("invalid rule")
    counts = stratum_counts(rule, pool)
    if not sum(counts.values()):
        raise DrawRefused("符合方案范围的企业为0家，无可抽取的企业")
    rng = random.Random(seed)
    picked = []
    for key, _ in rule.shares:
        for enterprise in rng.sample(pool.strata.get(key, []), counts[key]):
            picked.append((key, enterprise))
    return [(key, enterprise, _team(rng, rule, pool, enterprise)) for key, enterprise in picked]
