"""The panel draw as a pure function of (rule, seed, eligible experts): no database, no clock.

Why a seeded `random.Random` is acceptable here: the seed comes fresh from `secrets` (the operating
system's CSPRNG) at every draw, so nobody can predict or choose the panel; the Mersenne Twister only
expands that seed into the picks, which makes the draw replayable — anyone holding the stored seed,
rule and eligible list re-runs it and must obtain the same members (`panel_replay`, 复核抽取). Picks are
made with `rng.sample` over id-ordered lists, so the result depends on nothing but those inputs.

Composition: every panel of `size` eligible experts that meets the minimums (environment, industry;
an expert with both specialities counts for one of them only) is equally likely. The draw samples
`size` experts uniformly and starts again until the sample meets the rule (rejection sampling): a
sample that fails is discarded whole, so no speciality or expert is favoured. The first expert of the
accepted sample (uniform among its members) is the leader (组长).
"""

import hashlib
import json
import random
from dataclasses import dataclass


class NotEnoughExperts(Exception):
    def __init__(self, message: str, *, needed: int, eligible: int):
        super().__init__(message)
        self.message, self.needed, self.eligible = message, needed, eligible


ALGORITHM = "rejection-sample-v1"  # stored with each rule: a replay must use the algorithm of its draw
MAX_ATTEMPTS = 1_000_000


@dataclass(frozen=True)
class Rule:
    size: int
    min_environment: int = 0
    min_industry: int = 0
    algorithm: str = ALGORITHM

    def as_dict(self) -> dict:
        return {"size": self.size, "min_environment": self.min_environment, "min_industry": self.min_industry,
                "algorithm": self.algorithm}

    @classmethod
    def from_dict(cls, data: dict) -> "Rule":
        return cls(int(data["size"]), int(data.get("min_environment", 0)), int(data.get("min_industry", 0)),
                   data.get("algorithm", ALGORITHM))


@dataclass(frozen=True)
class Pool:
    """The eligible experts, each list sorted by id: everyone, and those of each counted speciality."""

    eligible: tuple[int, ...]
    environment: tuple[int, ...]
    industry: tuple[int, ...]

    @classmethod
    def build(cls, eligible, environment=(), industry=()) -> "Pool":
        ids = set(eligible)
        return cls(tuple(sorted(ids)), tuple(sorted(set(environment) & ids)), tuple(sorted(set(industry) & ids)))

    def canonical(self) -> bytes:
        return json.dumps({"eligible_ids": list(self.eligible), "environment": list(self.environment),
                           "industry": list(self.industry)}, separators=(",", ":"), sort_keys=True).encode()

    def digest(self) -> str:
        return hashlib.new("sm3", self.canonical()).hexdigest()


def check_feasible(rule: Rule, pool: Pool) -> None:
    """Raise NotEnoughExperts (with a Chinese message) unless the rule can be met from the pool."""
    env, ind = set(pool.environment), set(pool.industry)
    counted = rule.min_environment + rule.min_industry
    if len(pool.eligible) < rule.size:
        raise NotEnoughExperts(f"专家组需要{rule.size}名专家，可抽取的专家只有{len(pool.eligible)}名",
                               needed=rule.size, eligible=len(pool.eligible))
    if len(env) < rule.min_environment:
        raise NotEnoughExperts(f"专家组需要至少{rule.min_environment}名环境专业专家，可抽取的只有{len(env)}名",
                               needed=rule.min_environment, eligible=len(env))
    if len(ind) < rule.min_industry:
        raise NotEnoughExperts(f"专家组需要至少{rule.min_industry}名行业专业专家，可抽取的只有{len(ind)}名",
                               needed=rule.min_industry, eligible=len(ind))
    if len(env | ind) < counted:
        raise NotEnoughExperts(f"专家组需要环境、行业专业专家合计至少{counted}名（每人只计一个专业），"
                               f"可抽取的只有{len(env | ind)}名", needed=counted, eligible=len(env | ind))


def meets(rule: Rule, panel, environment: set, industry: set) -> bool:
    """Whether distinct members can cover both minimums (Hall's condition for two specialities)."""
    env = sum(1 for i in panel if i in environment)
    ind = sum(1 for i in panel if i in industry)
    either = sum(1 for i in panel if i in environment or i in industry)
    return env >= rule.min_environment and ind >= rule.min_industry and \
        either >= rule.min_environment + rule.min_industry


def select(rule: Rule, pool: Pool, seed: str) -> list[int]:
    """The drawn expert ids, leader first."""
    if rule.size < 1 or rule.min_environment < 0 or rule.min_industry < 0:
        raise ValueError("invalid rule")
    if rule.min_environment + rule.min_industry > rule.size:
        raise ValueError("the speciality minimums exceed the panel size")
    if rule.algorithm != ALGORITHM:
        raise ValueError(f"unknown draw algorithm {rule.algorithm!r}")
    check_feasible(rule, pool)
    rng = random.Random(seed)
    environment, industry = set(pool.environment), set(pool.industry)
    for _ in range(MAX_ATTEMPTS):
        panel = rng.sample(pool.eligible, rule.size)
        if meets(rule, panel, environment, industry):
            return panel
    # Feasible but so rare that a million samples missed: the pool is too thin for the rule.
    raise NotEnoughExperts("可抽取专家中符合专业要求的人数过少，请扩充专家库或调整抽取规则",
                           needed=rule.min_environment + rule.min_industry, eligible=len(environment | industry))
