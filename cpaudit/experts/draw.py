"""The panel draw as a pure function of (rule, seed, eligible experts): no database, no clock.

Why a seeded `random.Random` is acceptable here: the seed comes fresh from `secrets` (the operating
system's CSPRNG) at every draw, so nobody can predict or choose the panel; the Mersenne Twister only
expands that seed into the picks, which makes the draw replayable — anyone holding the stored seed,
rule and eligible list re-runs it and must obtain the same members (`panel_replay`, 复核抽取). Picks are
made with `rng.sample` over id-ordered lists, so the result depends on nothing but those inputs.

Composition: first `min_environment` experts of the environment speciality, then `min_industry` of the
industry speciality not already picked, then the rest of the panel from everyone left. The first
expert drawn is the leader (组长). An expert with both specialities counts for one of them only.
"""

import hashlib
import json
import math
import random
from dataclasses import dataclass


class NotEnoughExperts(Exception):
    def __init__(self, message: str, *, needed: int, eligible: int):
        super().__init__(message)
        self.message, self.needed, self.eligible = message, needed, eligible


@dataclass(frozen=True)
class Rule:
    size: int
    min_environment: int = 0
    min_industry: int = 0

    def as_dict(self) -> dict:
        return {"size": self.size, "min_environment": self.min_environment, "min_industry": self.min_industry}

    @classmethod
    def from_dict(cls, data: dict) -> "Rule":
        return cls(int(data["size"]), int(data.get("min_environment", 0)), int(data.get("min_industry", 0)))


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


def _environment_picks(rng: random.Random, rule: Rule, pool: Pool) -> list[int]:
    """`min_environment` environment experts, leaving enough industry experts for the next step.

    Experts with both specialities may be taken here only as far as the industry minimum still holds
    afterwards; when that bound bites, the number of them taken is weighted by how many panels each
    number allows, so every admissible choice keeps the same chance."""
    env = list(pool.environment)
    industry = set(pool.industry)
    both = [i for i in env if i in industry]
    only = [i for i in env if i not in industry]
    k = rule.min_environment
    spare = len(industry) - rule.min_industry  # how many industry experts this step may consume
    if len(both) <= spare:
        return rng.sample(env, k)
    counts = range(max(0, k - len(only)), min(k, spare) + 1)
    weights = [math.comb(len(both), j) * math.comb(len(only), k - j) for j in counts]
    j = rng.choices(list(counts), weights=weights)[0]
    return rng.sample(both, j) + rng.sample(only, k - j)


def select(rule: Rule, pool: Pool, seed: str) -> list[int]:
    """The drawn expert ids, leader first."""
    if rule.size < 1 or rule.min_environment < 0 or rule.min_industry < 0:
        raise ValueError("invalid rule")
    if rule.min_environment + rule.min_industry > rule.size:
        raise ValueError("the speciality minimums exceed the panel size")
    check_feasible(rule, pool)
    rng = random.Random(seed)
    picked = _environment_picks(rng, rule, pool)
    taken = set(picked)
    industry = [i for i in pool.industry if i not in taken]
    picked += rng.sample(industry, rule.min_industry)
    taken = set(picked)
    rest = [i for i in pool.eligible if i not in taken]
    picked += rng.sample(rest, rule.size - len(picked))
    return picked
