"""The results summaries' reads take a fixed number of queries whatever the number of applications,
summaries and versions (pinned at two data sizes)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpaudit.applications.models import Kind, Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.org.roles import Role
from cpaudit.reports import results, results_selectors
from tests.applications.viewfixtures import make_application
from tests.factories import declare, make_enterprise, make_user

from .conftest import AUG_25
from .results_fixtures import branch_submitted, summary_of

pytestmark = pytest.mark.usefixtures("applied")


def more(world, n: int, county: str) -> None:
    for i in range(n):
        enrolment = Enrolment.objects.create(campaign=world.campaign, enterprise=make_enterprise(county))
        make_application(world, status=Status.PASSED if i % 2 else Status.CITY_APPROVAL, passed=True if i % 2 else None,
                         result_date=AUG_25 if i % 2 else None, enrol=enrolment)


def grow(world) -> None:
    """More applications in both counties, and more submitted (and corrected) summaries."""
    more(world, 12, "130602")
    more(world, 9, "130606")
    u = world.users
    lc_staff = make_user("lc_staff", Role.BRANCH_STAFF, agency=world.branch_b)
    lc_leader = make_user("lc_leader", Role.BRANCH_LEADER, agency=world.branch_b)
    declare(lc_leader)
    summary = results.results_save_draft(actor=lc_staff, summary=summary_of(world, world.branch_b))
    results.results_submit(actor=lc_leader, summary=summary)
    results.results_return(actor=u[Role.CITY_STAFF], summary=summary, reason="补充")
    results.results_save_draft(actor=lc_staff, summary=summary, remarks="已补充")
    results.results_submit(actor=lc_leader, summary=summary, reason="补充")
    results.results_accept(actor=u[Role.CITY_STAFF], summary=summary)


def test_rows_take_two_queries(world, django_assert_num_queries):
    """The summaries in scope and their versions; the units themselves are one more (units())."""
    branch_submitted(world)
    user = world.users[Role.CITY_STAFF]
    agencies = results_selectors.units(user, world.campaign)
    jurisdiction_of(user)  # computed once per user object (one query), as in any request
    with django_assert_num_queries(2):
        small = results_selectors.rows(user, world.campaign, Kind.EVALUATION, agencies)
    grow(world)
    with django_assert_num_queries(2):
        large = results_selectors.rows(user, world.campaign, Kind.EVALUATION, agencies)
    assert [r.version.number if r.version else None for r in small] == [None, 1, None]
    assert [r.version.number if r.version else None for r in large] == [None, 1, 2]


@pytest.mark.parametrize(("role", "agency"), [(Role.CITY_LEADER, "baoding"), (Role.CITY_STAFF, "branch_a")])
def test_pages_take_as_many_queries_with_more_data(world, client, role, agency):
    client.force_login(world.users[role])
    urls = [reverse("reports:results_document", args=[world.campaign.slug, "evaluation", getattr(world, agency).pk]),
            reverse("reports:results_list", args=[world.campaign.slug, "evaluation"])]
    for url in urls:
        client.get(url)  # the first request of a session does its own bookkeeping
    branch_submitted(world)

    def counted():
        sizes = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            sizes.append(len(queries.captured_queries))
        return sizes

    few = counted()
    grow(world)
    assert counted() == few
