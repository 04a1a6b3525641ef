"""The city's monthly-report overview (and the branch report page) run a fixed number of queries
whatever the number of branches and enterprises (issue 15: it grew with the branches, building each
branch's draft with its own queries)."""

import datetime as dt

from django.urls import reverse

from cpaudit.campaigns.models import CampaignCounty, Enrolment
from cpaudit.core import clock
from cpaudit.org.roles import AgencyKind, Role
from cpaudit.progress.models import StepRecord, StepStatus
from tests.factories import make_agency, make_enterprise
from tests.querycount import page_queries

MONTH = "2020-06"
MORE_COUNTIES = ("130607", "130608", "130609")  # 满城区、清苑区、徐水区


def _enrol(world, county: str, n: int) -> None:
    for i in range(n):
        enrolment = Enrolment.objects.create(campaign=world.campaign, start_date=dt.date(2020, 3, 1),
                                             enterprise=make_enterprise(county, name=f"{county}测试企业{i}"))
        StepRecord.objects.create(enrolment=enrolment, step_id=1 + i % 10, status=StepStatus.IN_PROGRESS,
                                  start_date=dt.date(2020, 6, 2))


def test_city_overview_queries_do_not_grow_with_branches_or_enterprises(world, client):
    client.force_login(world.users[Role.CITY_STAFF])
    url = reverse("reports:city_overview", args=[world.campaign.slug, MONTH, world.baoding.pk])
    branch_url = reverse("reports:branch_report", args=[world.campaign.slug, MONTH, world.branch_a.pk])
    with clock.frozen(dt.date(2020, 7, 10)):
        city_small = page_queries(client, url)
        branch_small = page_queries(client, branch_url)
        for county in MORE_COUNTIES:
            CampaignCounty.objects.create(campaign=world.campaign, county_id=county)
            make_agency(f"保定市生态环境局{county}分局", AgencyKind.COUNTY, county, world.baoding)
            _enrol(world, county, 4)
        _enrol(world, "130602", 6)
        city_large = page_queries(client, url)
        branch_large = page_queries(client, branch_url)
    assert city_small == city_large, f"{city_small} queries with 2 branches, {city_large} with 5"
    assert branch_small == branch_large
