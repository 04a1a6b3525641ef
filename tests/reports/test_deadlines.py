"""Deadline states and the city overview."""

import datetime as dt

import pytest
from django.utils import timezone

from cpaudit.core.errors import PermissionDenied
from cpaudit.org.roles import Role
from cpaudit.reports import services
from cpaudit.reports.models import MonthlyReport, ReportStatus

from .conftest import D

MAY = D(2020, 5, 1)


def at(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 30)))


@pytest.mark.parametrize("today,state", [
    (D(2020, 5, 29), "pending"), (D(2020, 5, 30), "pending"), (D(2020, 5, 31), "missing"), (D(2020, 7, 1), "missing")])
def test_not_submitted(world, today, state):
    assert services.deadline_state(None, world.campaign, MAY, today) == state
    assert services.DEADLINE_LABELS[state] in ("未报送", "逾期未报送")


@pytest.mark.parametrize("submitted_on,state", [
    (D(2020, 5, 30), "on_time"), (D(2020, 5, 31), "late"), (D(2020, 5, 2), "on_time")])
def test_submitted(world, submitted, submitted_on, state):
    submitted.versions.update(submitted_at=at(submitted_on))
    assert services.deadline_state(submitted, world.campaign, MAY, D(2020, 6, 15)) == state
    submitted.status = ReportStatus.ACCEPTED
    assert services.deadline_state(submitted, world.campaign, MAY, D(2020, 6, 15)) == state


def test_february_due_on_the_29th(world):
    feb = D(2020, 2, 1)
    assert services.deadline_state(None, world.campaign, feb, D(2020, 2, 29)) == "pending"
    assert services.deadline_state(None, world.campaign, feb, D(2020, 3, 1)) == "missing"


def test_a_send_back_does_not_rewrite_timeliness(world, submitted):
    # Judged by the first submission: returning it for correction leaves "on time" on the record.
    before = services.deadline_state(submitted, world.campaign, MAY, D(2020, 6, 20))
    MonthlyReport.objects.filter(pk=submitted.pk).update(status=ReportStatus.RETURNED)
    submitted.refresh_from_db()
    assert services.deadline_state(submitted, world.campaign, MAY, D(2020, 6, 20)) == before


def test_draft_is_not_submitted(world, branch_report):
    assert services.deadline_state(branch_report, world.campaign, MAY, D(2020, 6, 1)) == "missing"


def test_city_overview(world, users, submitted):
    rows = services.city_overview(actor=users[Role.CITY_STAFF], campaign=world.campaign, month=MAY,
                                  today=D(2020, 6, 2))
    assert [(r.agency, r.state, r.label, r.versions) for r in rows] == [
        (world.branch_a, "on_time", "按时报送", 1), (world.branch_b, "missing", "逾期未报送", 0)]
    assert rows[0].report == submitted and rows[0].submitted_at is not None and rows[1].report is None


def test_city_overview_fixed_queries(world, users, submitted, django_assert_num_queries):
    from tests.factories import make_agency

    city_staff = users[Role.CITY_STAFF]
    city_staff.agency  # noqa: B018  (loaded once, as in a request)
    with django_assert_num_queries(3):
        services.city_overview(actor=city_staff, campaign=world.campaign, month=MAY, today=D(2020, 6, 2))
    from cpaudit.campaigns.models import CampaignCounty

    for n, code in enumerate(("130607", "130608", "130609")):
        CampaignCounty.objects.create(campaign=world.campaign, county_id=code)
        agency = make_agency(f"测试分局{n}", "county", code, world.baoding)
        report = MonthlyReport.objects.create(kind="branch", campaign=world.campaign, agency=agency, month=MAY)
        report.versions.create(number=1, content={}, digest="x", submitted_by=users[Role.BRANCH_LEADER],
                               submitted_at=at(D(2020, 5, 3)))
    with django_assert_num_queries(3):
        rows = services.city_overview(actor=city_staff, campaign=world.campaign, month=MAY, today=D(2020, 6, 2))
    assert len(rows) == 5


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.ENTERPRISE])
def test_city_overview_refused(world, users, role):
    with pytest.raises(PermissionDenied):
        services.city_overview(actor=users[role], campaign=world.campaign, month=MAY)
