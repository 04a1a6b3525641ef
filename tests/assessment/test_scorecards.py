"""Scorecard figures on crafted data (helpers.craft), the weighted score, the rankings, extensions
followed, and a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpaudit.assessment.models import Extension, ExtensionStatus
from cpaudit.assessment.scorecards import scorecards
from cpaudit.org.roles import Role
from tests.factories import make_enterprise

from .helpers import MONTH, TODAY, craft, enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards(world, settings):
    settings.CPAUDIT_TODAY = TODAY
    craft(world)
    return lambda role=Role.CITY_STAFF: scorecards(world.users[role], world.campaign, MONTH, dt.date(2020, 12, 31))


def by_code(result):
    return {c.code: c for c in result.branches}


def test_each_figure_of_each_branch(cards):
    result = cards()
    assert result.day == dt.date(2020, 9, 30)
    assert result.passed_stages == [1, 2, 3, 4, 5]
    a, b = by_code(result)["130602"], by_code(result)["130606"]
    assert (a.enrolled, a.behind, a.on_schedule, a.stale) == (2, 1, 1, 1)
    assert a.stage_done == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    assert (a.evaluation_due, a.evaluation_in_time, a.acceptance_due, a.late_applications) == (2, 1, 0, 1)
    assert a.report_state == "on_time"
    assert (b.enrolled, b.behind, b.stale, b.evaluation_due, b.evaluation_in_time, b.late_applications) == \
        (1, 0, 0, 1, 0, 1)
    assert b.report_state == "missing"
    assert (a.spotcheck_findings, a.coverage_gaps) == (0, 0)


def test_weighted_score_and_city_ranking(cards):
    a, b = by_code(cards())["130602"], by_code(cards())["130606"]
    # 35×½ + 15×½ + 10×1 + 20×½ + 20×1 (nothing due for 验收) = 65; 莲池: 35 + 15 + 0 + 0 + 20 = 70
    assert (a.score, b.score) == (65.0, 70.0)
    assert (b.rank, a.rank) == (1, 2)


def test_weights_are_configurable(cards, settings):
    settings.CPAUDIT_SCORECARD_WEIGHTS = {**settings.CPAUDIT_SCORECARD_WEIGHTS, "report_on_time": 50}
    a, b = by_code(cards())["130602"], by_code(cards())["130606"]
    assert (a.score, b.score) == (105.0, 70.0) and a.rank == 1


def test_a_branch_sees_its_own_card_and_the_province_ranks_cities(cards):
    assert [c.code for c in cards(Role.BRANCH_STAFF).branches] == ["130602"]
    province = cards(Role.PROVINCE_STAFF)
    assert {c.code for c in province.branches} == {"130602", "130606", "130682", "130102"}
    assert province.whole_province and all(c.province_rank for c in province.branches)
    cities = {c.code: c for c in province.cities}
    assert cities["130600"].enrolled == 3 and cities["130600"].reports == {"on_time": 1, "missing": 1}


def test_an_approved_extension_moves_the_dates(cards, world):
    stalled = enrolment(world, "same_county")
    for target in ["evaluation", "stage_1", "stage_2", "stage_3", "stage_4", "stage_5"]:
        Extension.objects.create(enrolment=stalled, target=target, original_date=dt.date(2020, 8, 20),
                                 requested_date=dt.date(2020, 10, 31), reason="停产检修", status=ExtensionStatus.APPROVED,
                                 requested_by=world.users[Role.ENTERPRISE], requested_at=dt.datetime(2020, 8, 1, tzinfo=dt.UTC))
    a = by_code(cards())["130602"]
    assert (a.behind, a.evaluation_due, a.evaluation_in_time, a.late_applications) == (0, 1, 1, 0)
    assert a.score == 92.5


def test_a_pending_extension_changes_nothing(cards, world):
    Extension.objects.create(enrolment=enrolment(world, "same_county"), target="evaluation",
                             original_date=dt.date(2020, 8, 20), requested_date=dt.date(2020, 10, 31), reason="停产检修",
                             requested_by=world.users[Role.ENTERPRISE], requested_at=dt.datetime(2020, 8, 1, tzinfo=dt.UTC))
    assert by_code(cards())["130602"].late_applications == 1


def test_fixed_number_of_queries(cards, world):
    with CaptureQueriesContext(connection) as small:
        cards(Role.PROVINCE_STAFF)
    for n in range(20):
        enterprise = make_enterprise("130602" if n % 2 else "130606")
        world.campaign.enrolments.create(enterprise=enterprise)
    with CaptureQueriesContext(connection) as large:
        cards(Role.PROVINCE_STAFF)
    assert len(large) == len(small) <= 25


def _finding(w, rel, status="approved", outcome="nonconform", aspect="figures"):
    from cpaudit.spotchecks.models import Finding, Item, Plan

    plan, _ = Plan.objects.get_or_create(
        agency=w.baoding, campaign=w.campaign, title=f"抽查{status}", defaults={
            "check_date": dt.date(2020, 9, 10), "status": status, "created_by": w.users[Role.CITY_STAFF],
            "created_at": dt.datetime(2020, 9, 1, tzinfo=dt.UTC),
            "approved_at": dt.datetime(2020, 9, 20, tzinfo=dt.UTC) if status == "approved" else None})
    item, _ = Item.objects.get_or_create(plan=plan, enterprise=w.enterprises[rel], defaults={
        "enrolment": enrolment(w, rel), "stratum": "general", "order": 1})
    return Finding.objects.create(item=item, aspect=aspect, outcome=outcome)


def test_approved_spot_check_findings_are_deducted(cards, world):
    _finding(world, "own")
    _finding(world, "own", aspect="options")
    _finding(world, "own", aspect="equipment", outcome="conform")  # not a problem
    _finding(world, "other_county", status="drawn")  # results not approved: not counted
    a, b = by_code(cards())["130602"], by_code(cards())["130606"]
    assert (a.spotcheck_findings, b.spotcheck_findings) == (2, 0)
    assert a.score == 65.0 - 2 * 2
    from cpaudit.assessment.selectors import agency_records

    record = agency_records(world.users[Role.CITY_STAFF], dt.date(2020, 12, 31), agency_id=world.consulting.pk)[0]
    assert record.findings == 2 and record.deductions["spotcheck_finding"] == 16


def test_coverage_gaps_are_deducted(cards, world):
    make_enterprise("130602", industry="1511", water_related=True, name="应开展未开展测试企业有限公司")
    a, b = by_code(cards())["130602"], by_code(cards())["130606"]
    assert (a.coverage_gaps, b.coverage_gaps) == (1, 0)
    assert a.score == 65.0 - 2


def test_acceptance_against_its_hard_date(world, settings):
    from cpaudit.applications.models import Kind

    from .helpers import application

    settings.CPAUDIT_TODAY = TODAY
    craft(world)
    application(world, "own", kind=Kind.ACCEPTANCE, result_date=dt.date(2020, 11, 15))
    application(world, "same_county", kind=Kind.ACCEPTANCE, result_date=dt.date(2020, 11, 25))
    result = scorecards(world.users[Role.CITY_STAFF], world.campaign, dt.date(2020, 11, 1), dt.date(2020, 12, 31))
    a = by_code(result)["130602"]
    assert result.day == dt.date(2020, 11, 30) and result.passed_stages == [1, 2, 3, 4, 5, 6, 7]
    assert (a.acceptance_due, a.acceptance_in_time) == (2, 1)
    # late: same_county's 评估 still undecided, its 验收 decided after 11-20
    assert a.late_applications == 2
