"""The pure draw (cpaudit/spotchecks/draw.py): shares per stratum, replay, recusal, cross-county teams."""

import pytest

from cpaudit.spotchecks import draw


def _pool(strata=None, inspectors=(1, 2, 3, 4), recused=None, inspector_county=None):
    strata = strata or {"general": list(range(100, 140))}
    counties = {e: "130602" for ids in strata.values() for e in ids}
    return draw.Pool.build(strata, inspectors, counties,
                           inspector_county or {i: ("130602" if i < 3 else "") for i in inspectors}, recused or {})


def test_shares_round_up_per_stratum_and_count_tops_up_the_general_stratum():
    pool = _pool({"complaints": [1, 2, 3], "late": list(range(10, 30)), "general": list(range(100, 141))})
    rule = draw.Rule((("complaints", "50"), ("late", "10"), ("general", "5")))
    assert draw.stratum_counts(rule, pool) == {"complaints": 2, "late": 2, "general": 3}  # ceil: at least the share
    rule = draw.Rule((("complaints", "50"), ("late", "10"), ("general", "5")), count=10)
    assert draw.stratum_counts(rule, pool) == {"complaints": 2, "late": 2, "general": 6}
    assert draw.stratum_counts(draw.Rule((("general", "100"),), count=500), pool)["general"] == 41


def test_the_same_seed_gives_the_same_draw_and_strata_are_drawn_from_their_own_lists():
    pool = _pool({"complaints": [1, 2, 3, 4], "general": list(range(100, 160))})
    rule = draw.Rule((("complaints", "50"), ("general", "10")))
    first = draw.select(rule, pool, "ab" * 16)
    assert first == draw.select(draw.Rule.from_dict(rule.as_dict()), draw.Pool.from_dict(pool.as_dict()), "ab" * 16)
    assert [k for k, _, _ in first] == ["complaints"] * 2 + ["general"] * 6
    assert all(e in (1, 2, 3, 4) for k, e, _ in first if k == "complaints")
    assert len({tuple(e for _, e, _ in draw.select(rule, pool, f"{n:032x}")) for n in range(20)}) > 1


def test_recused_inspectors_are_never_drawn_for_that_enterprise():
    pool = _pool({"general": [7, 8]}, recused={7: [1, 2]})
    for n in range(50):
        for _, enterprise, team in draw.select(draw.Rule((("general", "100"),)), pool, f"{n:032x}"):
            assert len(team) == 2 and len(set(team)) == 2
            if enterprise == 7:
                assert set(team) == {3, 4}


def test_cross_county_teams_hold_an_inspector_from_another_county():
    pool = _pool({"general": [7, 8, 9]})
    rule = draw.Rule((("general", "100"),), cross_county=True)
    for n in range(50):
        for _, _, team in draw.select(rule, pool, f"{n:032x}"):
            assert any(i >= 3 for i in team)  # 1 and 2 sit in the enterprises' county


def test_too_few_inspectors_or_no_enterprise_is_refused_in_chinese():
    with pytest.raises(draw.DrawRefused, match="检查人员只有1名"):
        draw.select(draw.Rule((("general", "100"),)), _pool({"general": [7]}, inspectors=(1,)), "0" * 32)
    with pytest.raises(draw.DrawRefused, match="外县"):
        draw.select(draw.Rule((("general", "100"),), cross_county=True),
                    _pool({"general": [7]}, inspectors=(1, 2)), "0" * 32)
    with pytest.raises(draw.DrawRefused, match="0家"):
        draw.select(draw.Rule((("general", "5"),)), _pool({"general": []}), "0" * 32)


def test_digests_change_with_the_lists():
    assert _pool().digests()["enterprises"] != _pool({"general": [1]}).digests()["enterprises"]
    assert _pool().digests() == _pool().digests()


def test_each_enterprise_falls_in_the_first_stratum_the_plan_samples_more():
    from cpaudit.spotchecks.models import Plan
    from cpaudit.spotchecks.selectors import strata_of

    rows = [{"pk": 10 + n, "enterprise_id": n, "is_stale": n == 3, "is_behind": n == 4} for n in range(1, 6)]
    # 1: complaint and flagged; 2: flagged; 3: stalled; 4: behind schedule; 5: nothing.
    plan = Plan(strata={"consistency": "50", "late": "20"}, complaint_enterprises=[1])
    assert strata_of(plan, rows, flagged={11, 12}) == {"consistency": [1, 2], "late": [3, 4], "general": [5]}
    plan = Plan(strata={"complaints": "100", "late": "0"}, complaint_enterprises=[1])
    assert strata_of(plan, rows, flagged={11, 12}) == {"complaints": [1], "general": [2, 3, 4, 5]}
