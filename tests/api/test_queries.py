"""Every list of the API costs the same number of queries whatever its size (a page of 3 and a page of
many): the query shape lives in the selectors and the list endpoints, never one query per row."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cpaudit.applications.models import Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.core.log import log_action
from cpaudit.org.roles import Role
from cpaudit.reports.models import MonthlyReport, ReportKind
from tests.applications.viewfixtures import make_application
from tests.factories import make_campaign, make_enterprise

from . import objects
from .conftest import ApiClient, secret_for

LISTS = [  # (path, the role that reads it, query)
    ("/enterprises", Role.PROVINCE_STAFF, {}),
    ("/campaigns", Role.PROVINCE_STAFF, {}),
    ("/campaigns/{slug}/enrolments", Role.PROVINCE_STAFF, {}),
    ("/enrolments/{enrolment}/steps", Role.PROVINCE_STAFF, {}),
    ("/options", Role.PROVINCE_STAFF, {}),
    ("/reports", Role.PROVINCE_STAFF, {}),
    ("/applications", Role.PROVINCE_STAFF, {}),
    ("/batches", Role.PROVINCE_STAFF, {}),
    ("/batches/waiting", Role.BRANCH_LEADER, {"campaign": "{slug}", "kind": "evaluation"}),
    ("/log", Role.AUDIT_ADMIN, {}),
]


def grow(world, n: int, start: int) -> None:
    """n more of everything each list shows."""
    for i in range(start, start + n):
        enterprise = make_enterprise("130602", name=f"增补企业{i}有限公司")
        enrolment = Enrolment.objects.create(campaign=world.campaign, enterprise=enterprise)
        make_campaign(slug=f"extra{i}", year=2021)
        objects.option(world, "own")
        objects.step_record(world, "own", number=1 + i % 35)
        make_application(world, "own", Status.BRANCH_BATCH, enrol=enrolment)  # in 竞秀区, as "own" is
        objects.batch(world, "own")
        MonthlyReport.objects.create(kind=ReportKind.BRANCH, campaign=world.campaign, agency=world.branch_a,
                                     month=dt.date(2010 + i // 12, 1 + i % 12, 1))
        with transaction.atomic():
            log_action(actor=world.users[Role.BRANCH_STAFF], action="registry.enterprise.updated", obj=enterprise)


def counts(world, clients) -> dict[str, tuple[int, int]]:
    """path → (queries, rows in all)."""
    result = {}
    enrolment = objects.enrolment(world, "own").pk
    for path, role, query in LISTS:
        api = clients[role]
        url = path.format(slug=world.campaign.slug, enrolment=enrolment)
        params = {k: v.format(slug=world.campaign.slug) for k, v in query.items()}
        with CaptureQueriesContext(connection) as captured:
            response = api.get(url, **params)
        assert response.status_code == 200, (path, response.content[:200])
        result[path] = (len(captured), response.json()["count"])
    return result


@pytest.mark.django_db
def test_lists_take_a_fixed_number_of_queries(world, client):
    objects.populate(world)
    clients = {role: ApiClient(client, secret_for(world.users[role])) for role in {r for _, r, _ in LISTS}}
    grow(world, 2, 0)
    small = counts(world, clients)
    grow(world, 12, 2)
    large = counts(world, clients)
    for path in small:
        assert large[path][1] > small[path][1], (path, "the larger data set must show more rows")
        assert large[path][0] == small[path][0], (path, small[path][0], large[path][0])
