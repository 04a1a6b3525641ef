"""The assessment pages run a fixed number of queries whatever the number of enterprises."""

import pytest
from django.urls import reverse

from cpaudit.campaigns.models import AuditMode
from cpaudit.org.roles import Role
from tests.factories import complete_audit, make_enterprise
from tests.querycount import page_queries

from .helpers import TODAY, craft

pytestmark = pytest.mark.django_db


def _more(world, n):
    for i in range(n):
        enterprise = make_enterprise("130602" if i % 2 else "130606")
        enrolment = world.campaign.enrolments.create(enterprise=enterprise, mode=AuditMode.ENTRUSTED,
                                                     consulting_agency=world.consulting)
        complete_audit(enrolment, through=5 + i % 10)


@pytest.mark.parametrize("name", ["assessment:scorecards", "assessment:agency_list"])
def test_fixed_queries(world, client, settings, name):
    settings.CPAUDIT_TODAY = TODAY
    craft(world)
    client.force_login(world.users[Role.PROVINCE_STAFF])
    params = {"campaign": world.campaign.pk, "month": "2020-09"} if name == "assessment:scorecards" else {}
    few = page_queries(client, reverse(name), params)
    _more(world, 12)
    assert page_queries(client, reverse(name), params) == few
    page = client.get(reverse(name), params).content.decode()
    assert "竞秀区" in page if name == "assessment:scorecards" else world.consulting.name in page
