"""The chain's one table (cpaudit.applications.transitions): every state has exactly one owner in every
configuration of the route, the table refuses what it does not hold, and nothing else in the code
assigns an application's status."""

import itertools
import re
from pathlib import Path

import pytest

from cpaudit.applications import transitions
from cpaudit.applications.models import Level, Outcome, Status
from cpaudit.core.errors import InvalidState
from cpaudit.org.roles import AgencyKind, Role


class FakeAgency:
    def __init__(self, pk, name, kind):
        self.pk, self.name, self.kind = pk, name, kind

    def __str__(self):
        return self.name


BRANCH = FakeAgency(1, "竞秀区分局", AgencyKind.COUNTY)
CITY = FakeAgency(2, "保定市生态环境局", AgencyKind.CITY)
PROVINCE = FakeAgency(3, "河北省生态环境厅", AgencyKind.PROVINCE)
DIRECT = FakeAgency(4, "定州市生态环境局", AgencyKind.DIRECT_COUNTY)


def routes():
    """Every configuration a route can have: ordinary or 省直管县, organizer level, paper levels."""
    for direct, organizer_level, paper in itertools.product(
            (False, True), (Level.BRANCH, Level.CITY, Level.PROVINCE),
            (frozenset(), {Level.CITY}, {Level.PROVINCE}, {Level.CITY, Level.PROVINCE})):
        branch = DIRECT if direct else BRANCH
        city = DIRECT if direct else CITY
        paper = frozenset(paper) - ({Level.CITY} if direct else set())
        agencies = {Level.BRANCH: branch, Level.CITY: city, Level.PROVINCE: PROVINCE}
        yield transitions.Route(agencies=agencies, organizer_level=organizer_level, organizer=agencies[organizer_level],
                                paper=paper, direct=direct, enterprise_id=9, enterprise_name="某企业")


ROUTES = list(routes())


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{'direct' if r.direct else 'county'}-"
                         f"{r.organizer_level}-{'+'.join(sorted(r.paper)) or 'online'}")
def test_every_state_has_exactly_one_owner(route):
    for state in Status:
        rows = transitions.rows_in(state, route)
        if state in transitions.FINAL_STATES:
            assert rows == [] and transitions.owner(state, route) is None
            continue
        owners = {(r.party, r.desk, r.paper) for r in rows}
        assert len(owners) == 1, (state, owners)
        turn = transitions.owner(state, route)
        assert turn is not None and turn.role in set(Role)
        if turn.role != Role.ENTERPRISE:
            assert turn.agency is not None, state
            # Nobody records a paper reply of its own level, and a paper level never acts itself.
            assert turn.agency not in [route.agencies[lv] for lv in route.paper] or turn.agency is DIRECT, state


def test_final_states_are_exactly_the_results():
    assert transitions.FINAL_STATES == {Status.PASSED, Status.FAILED}


def test_every_target_is_a_state_and_every_state_is_reached():
    targets = {row.target for row in transitions.TRANSITIONS}
    assert targets <= set(Status.values)
    assert set(Status) - {Status.DRAFT} <= targets  # every state but the first is entered by some row


def test_a_paper_level_is_taken_by_the_level_below():
    route = next(r for r in ROUTES if not r.direct and r.paper == {Level.PROVINCE})
    assert transitions.owner(Status.PROVINCE_REVIEW, route).agency is CITY
    assert transitions.owner(Status.PROVINCE_REVIEW, route).role == Role.CITY_STAFF
    both = next(r for r in ROUTES if not r.direct and r.paper == {Level.PROVINCE, Level.CITY})
    assert transitions.owner(Status.PROVINCE_REVIEW, both).agency is BRANCH
    assert transitions.owner(Status.CITY_REVIEW, both).role == Role.BRANCH_STAFF


@pytest.mark.parametrize("route", ROUTES[:12] + ROUTES[-12:], ids=lambda r: f"{r.organizer_level}-{sorted(r.paper)}")
def test_find_refuses_every_action_the_table_does_not_hold_in_a_state(route):
    actions = {(row.action, row.outcome) for row in transitions.TRANSITIONS if not row.system and not row.aside}
    for state in Status:
        allowed = {(r.action, r.outcome) for r in transitions.rows_in(state, route)}
        for action, outcome in actions:
            if (action, outcome) in allowed:
                assert transitions.find(state, route, action, outcome).source == state
            else:
                with pytest.raises(InvalidState):
                    transitions.find(state, route, action, outcome)


def test_voiding_returns_to_the_branch_from_every_state_after_its_review_and_nowhere_else():
    route = ROUTES[0]
    for state in Status:
        if state in transitions.FINAL_STATES or state in (Status.DRAFT, Status.RETURNED, Status.BRANCH_REVIEW):
            with pytest.raises(InvalidState):
                transitions.find(state, route, "void")
        else:
            assert transitions.find(state, route, "void").target == Status.BRANCH_REVIEW


def test_apply_refuses_a_row_of_another_state():
    class App:
        status = Status.BRANCH_REVIEW

    row = next(r for r in transitions.TRANSITIONS if r.source == Status.CITY_REVIEW and r.outcome == Outcome.AGREE)
    with pytest.raises(InvalidState):
        transitions.apply(App(), row)
    assert App.status == Status.BRANCH_REVIEW


def test_direct_county_skips_its_own_letter():
    direct = next(r for r in ROUTES if r.direct and not r.paper)
    row = transitions.find(Status.BRANCH_APPROVAL, direct, "branch_approval", Outcome.AGREE)
    assert row.target == Status.CITY_REVIEW
    county = next(r for r in ROUTES if not r.direct and not r.paper)
    assert transitions.find(Status.BRANCH_APPROVAL, county, "branch_approval", Outcome.AGREE).target == \
        Status.BRANCH_BATCH


def test_only_the_table_assigns_an_application_status():
    """`transitions.apply` is the one place: no other module of the package sets `.status` on an
    application (the tests may, to set up a state)."""
    package = Path(transitions.__file__).resolve().parent.parent
    pattern = re.compile(r"\b(application|app|a)\.status\s*=[^=]")
    offenders = []
    for path in package.rglob("*.py"):
        if path.name == "transitions.py" or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(package)}:{number}: {line.strip()}")
    assert offenders == []
