"""The pure selection function: composition, determinism and an even spread over the eligible experts."""

from collections import Counter

import pytest

from cpaudit.experts import draw

SEEDS = [f"{n:032x}" for n in range(3000)]


def _chi_square(counts: Counter, ids, expected: float) -> float:
    return sum((counts[i] - expected) ** 2 / expected for i in ids)


def test_same_seed_same_panel_and_leader_is_environment():
    pool = draw.Pool.build(range(1, 21), environment=range(1, 6), industry=range(6, 11))
    rule = draw.Rule(5, 1, 2)
    picked = draw.select(rule, pool, "abc")
    assert picked == draw.select(rule, pool, "abc")
    assert len(set(picked)) == 5 and picked[0] in range(1, 6)
    assert sum(1 for i in picked if i in range(6, 11)) >= 2


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
        assert 1 in picked[1:2]  # drawn as the industry expert
        assert picked[0] in (2, 3)


@pytest.mark.parametrize(("env", "ind", "other", "rule"), [
    (6, 6, 0, draw.Rule(3, 1, 1)),   # every expert: 1/6 + 5/6 · 1/10 = 1/4
    (0, 0, 20, draw.Rule(5, 0, 0)),  # plain sample: 1/4
    (4, 4, 4, draw.Rule(3, 1, 1)),   # equal within each speciality
])
def test_even_frequency_over_3000_draws(env, ind, other, rule):
    ids = list(range(1, env + ind + other + 1))
    groups = [ids[:env], ids[env:env + ind], ids[env + ind:]]
    pool = draw.Pool.build(ids, environment=groups[0], industry=groups[1])
    counts = Counter()
    for seed in SEEDS:
        picked = draw.select(rule, pool, seed)
        assert len(set(picked)) == rule.size
        counts.update(picked)
    assert sum(counts.values()) == rule.size * len(SEEDS)
    for group in (g for g in groups if g):
        expected = sum(counts[i] for i in group) / len(group)
        # Each count is ≈ binomial(3000, p ≤ 1/3): sd ≤ 26; 15% of ≥ 500 is ≥ 3 sd and the chi-square bound
        # (≈ p 1e-6 for ≤ 12 degrees of freedom) are met by a correct draw with overwhelming probability.
        assert max(abs(counts[i] - expected) / expected for i in group) < 0.15, counts
        assert _chi_square(counts, group, expected) < 45, counts
    if env == 6:  # the symmetric pool: every expert ≈ 750
        assert all(abs(counts[i] - 750) < 112 for i in ids), counts
    if env == 4 and other == 4:  # environment 1/4 + 3/4 · 1/10 = 0.325; neither speciality 1/10
        assert abs(counts[1] / 3000 - 0.325) < 0.05 and abs(counts[12] / 3000 - 0.1) < 0.03, counts


def test_digest_is_sm3_of_the_canonical_list():
    import hashlib

    pool = draw.Pool.build([3, 1, 2], environment=[1], industry=[2])
    assert pool.eligible == (1, 2, 3)
    assert pool.digest() == hashlib.new("sm3", pool.canonical()).hexdigest()
    assert draw.Pool.build([1, 2, 3], environment=[1], industry=[3]).digest() != pool.digest()
