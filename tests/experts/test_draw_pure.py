"""The pure selection function: composition, determinism and an even spread over the eligible experts.

The draw is uniform over the panels that meet the rule; the expected frequency of each expert is
computed here by enumerating those panels, independently of the implementation."""

import itertools
from collections import Counter

import pytest

from cpaudit.experts import draw

SEEDS = [f"{n:032x}" for n in range(3000)]


def _chi_square(counts: Counter, ids, expected: float) -> float:
    return sum((counts[i] - expected) ** 2 / expected for i in ids)


def test_same_seed_same_panel():
    pool = draw.Pool.build(range(1, 21), environment=range(1, 6), industry=range(6, 11))
    rule = draw.Rule(5, 1, 2)
    picked = draw.select(rule, pool, "abc")
    assert picked == draw.select(rule, pool, "abc")
    assert picked != draw.select(rule, pool, "abd") or picked != draw.select(rule, pool, "abe")
    assert len(set(picked)) == 5
    assert sum(1 for i in picked if i in range(1, 6)) >= 1 and sum(1 for i in picked if i in range(6, 11)) >= 2


def test_unknown_algorithm_is_refused():
    pool = draw.Pool.build(range(1, 6), environment=[1], industry=[2])
    with pytest.raises(ValueError):
        draw.select(draw.Rule(3, 1, 1, algorithm="older"), pool, "s")


def test_not_enough_says_how_many():
    pool = draw.Pool.build([1, 2, 3], environment=[1], industry=[2])
    with pytest.raises(draw.NotEnoughExperts) as exc:
        draw.select(draw.Rule(4, 1, 1), pool, "s")
    assert (exc.value.needed, exc.value.eligible) == (4, 3) and "4名" in exc.value.message
    with pytest.raises(draw.NotEnoughExperts) as exc:
        draw.select(draw.Rule(3, 2, 1), pool, "s")
    assert "环境" in exc.value.message


def test_expert_with_both_specialities_never_leaves_the_industry_minimum_unmet():
    # 1 knows both; 2, 3 environment only; industry minimum 1 can only be met by 1.
    pool = draw.Pool.build([1, 2, 3, 4], environment=[1, 2, 3], industry=[1])
    rule = draw.Rule(3, 1, 1)
    for seed in SEEDS[:300]:
        picked = draw.select(rule, pool, seed)
        assert 1 in picked  # the only industry expert
        assert {2, 3} & set(picked)  # and an environment expert besides


def _exact(rule, pool) -> dict[int, float]:
    """Each expert's probability of sitting on a panel drawn uniformly among the valid panels."""
    env, ind = set(pool.environment), set(pool.industry)
    valid = [c for c in itertools.combinations(pool.eligible, rule.size) if draw.meets(rule, c, env, ind)]
    return {i: sum(1 for c in valid if i in c) / len(valid) for i in pool.eligible}


@pytest.mark.parametrize(("env", "ind", "both", "other", "rule"), [
    (6, 6, 0, 0, draw.Rule(3, 1, 1)),   # symmetric: every expert 1/4
    (0, 0, 0, 20, draw.Rule(5, 0, 0)),  # plain sample: 1/4
    (4, 4, 0, 4, draw.Rule(3, 1, 1)),
    (10, 10, 3, 8, draw.Rule(3, 1, 1)),  # experts with both specialities, experts with neither
])
def test_frequencies_match_a_uniform_choice_among_valid_panels(env, ind, both, other, rule):
    ids = list(range(1, env + ind + both + other + 1))
    e, i, b = ids[:env], ids[env:env + ind], ids[env + ind:env + ind + both]
    pool = draw.Pool.build(ids, environment=e + b, industry=i + b)
    counts, leaders = Counter(), Counter()
    for seed in SEEDS:
        picked = draw.select(rule, pool, seed)
        assert len(set(picked)) == rule.size and draw.meets(rule, picked, set(e + b), set(i + b))
        counts.update(picked)
        leaders[picked[0]] += 1
    exact = _exact(rule, pool)
    n = len(SEEDS)
    for expert, p in exact.items():
        sd = (n * p * (1 - p)) ** 0.5
        # 4.5 standard deviations: a correct draw fails this with probability well under 1e-4 overall.
        assert abs(counts[expert] - n * p) < 4.5 * sd + 1, (expert, counts[expert], n * p)
    # The leader is any member with equal chance: P(lead) = P(member) / size.
    for expert, p in exact.items():
        q = p / rule.size
        assert abs(leaders[expert] - n * q) < 4.5 * (n * q * (1 - q)) ** 0.5 + 1, (expert, leaders[expert])
    if not both and not other or not env:
        assert max(counts.values()) - min(counts.values()) < 0.15 * n * rule.size / len(ids)


def test_digest_is_sm3_of_the_canonical_list():
    import hashlib

    pool = draw.Pool.build([3, 1, 2], environment=[1], industry=[2])
    assert pool.eligible == (1, 2, 3)
    assert pool.digest() == hashlib.new("sm3", pool.canonical()).hexdigest()
    assert draw.Pool.build([1, 2, 3], environment=[1], industry=[3]).digest() != pool.digest()
