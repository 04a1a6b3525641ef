"""A county outside the basin: enrolling needs a reason on every path — the service (tests/coverage/
test_services.py), the enrolment page and the API."""

import pytest
from django.urls import reverse

from cpaudit.campaigns.models import CampaignCounty, Enrolment
from cpaudit.org.roles import Role
from tests.api.conftest import ApiClient, secret_for
from tests.factories import make_enterprise


@pytest.fixture
def outside(world):
    CampaignCounty.objects.filter(campaign=world.campaign, county_id="130602").update(in_basin=False)
    return make_enterprise("130602", industry="2221", name="流域外API纸业有限公司")


def test_api_asks_for_the_reason(world, client, outside):
    api = ApiClient(client, secret_for(world.users[Role.BRANCH_STAFF]))
    url = f"/campaigns/{world.campaign.slug}/enrolments"
    refused = api.post(url, {"enterprise": outside.pk})
    assert refused.status_code == 400 and "scope_reason" in refused.json()["error"]["fields"]
    assert api.post(url, {"enterprise": outside.pk, "scope_reason": "企业自愿"}).status_code == 201
    assert Enrolment.objects.get(enterprise=outside).scope_reason == "企业自愿"


def test_enrolment_page_asks_for_the_reason(world, login, outside):
    client = login(world.users[Role.BRANCH_STAFF])
    url = reverse("campaigns:enrolment_create", args=[world.campaign.slug])
    page = client.post(url, {"enterprise": outside.pk, "audit_round": 1, "mode": "self", "enterprise_type": "other"})
    assert page.status_code == 200 and "范围外纳入理由" in page.content.decode()
    assert not Enrolment.objects.filter(enterprise=outside).exists()
    done = client.post(url, {"enterprise": outside.pk, "audit_round": 1, "mode": "self", "enterprise_type": "other",
                             "scope_reason": "企业自愿"})
    assert done.status_code == 302 and Enrolment.objects.get(enterprise=outside).scope_reason == "企业自愿"
