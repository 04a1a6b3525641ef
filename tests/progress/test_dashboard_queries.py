"""Speed: the dashboard, the enrolment list, its export and the option list run the same number of SQL
queries with 10 and with 300 enrolled enterprises (step records over all stages, options)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpaudit.core import clock
from cpaudit.org.roles import Role

PAGES = [
    ("progress:dashboard", {}),
    ("progress:enrolment_list", {}),
    ("progress:enrolment_list", {"stale": "1", "behind": "1", "sort": "-stage", "industry": "15"}),
    ("progress:enrolment_list", {"industry_group": "造纸"}),
    ("progress:dashboard", {"benefits_by": "industry_group"}),
    ("progress:dashboard_options", {"industry_group": "other"}),
    ("progress:enrolment_list_export", {}),
    ("progress:enrolment_list_export", {"stage_done": "2", "county": "130602"}),
    ("progress:dashboard_options", {"status": "implemented"}),
]


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", [Role.CITY_STAFF, Role.PROVINCE_LEADER, Role.BRANCH_STAFF])
@pytest.mark.parametrize(("name", "params"), PAGES, ids=[f"{n}-{'-'.join(p) or 'all'}" for n, p in PAGES])
def test_same_number_of_queries_with_10_and_300_enterprises(world, client, dash_build, settings, name, params,
                                                            role):
    settings.CPAUDIT_PAGE_SIZE = 50
    client.force_login(world.users[role])
    url = reverse(name, args=[world.campaign.slug])
    with clock.frozen(dt.date(2020, 8, 1)):
        dash_build(world.campaign, 10)
        client.get(url, params)  # warm-up: caches outside the page (content types, templates)
        small = _count(client, url, params)
        dash_build(world.campaign, 290)
        large = _count(client, url, params)
    assert small == large, f"{name}: {small} queries with 10 enterprises, {large} with 300"
    assert large <= 17  # the page's own and the chrome's: session, user, notifications, declaration banner
