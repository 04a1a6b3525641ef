"""The demo's 应开展未开展 and 公示 (issue 13): the 15 in-scope 涉水 enterprises the current campaign has
not enrolled are on the coverage page (one exempted and listed apart, one exemption waiting for the
leader), the two enrolled outside the basin are listed with their reason; the public page shows the
list without personal data."""

from django.urls import reverse

from cpaudit.campaigns.models import Campaign
from cpaudit.core import clock
from cpaudit.coverage import selectors
from cpaudit.coverage.models import Exemption
from cpaudit.demo.coverage_data import OUTSIDE_REASON
from cpaudit.org.models import User
from tests.demo.test_load_demo import run_load


def test_demo_coverage_and_public_page(db, client):
    run_load()
    campaign = Campaign.objects.get(status=Campaign.Status.ACTIVE)
    city = User.objects.get(username="bd_staff")
    found = selectors.coverage(city, campaign, today=clock.today()).result
    assert len(found.missing) + len(found.exempted) == 15 and len(found.exempted) == 1
    assert sum(1 for i in found.missing if any("待分局负责人审批" in n for n in i.notes)) == 1
    assert [i.notes for i in found.out_of_scope] == [[f"纳入理由：{OUTSIDE_REASON}"]] * 2
    assert set(Exemption.objects.values_list("state", flat=True)) == {"approved", "proposed"}
    client.force_login(city)
    page = client.get(reverse("coverage:campaign", args=[campaign.slug])).content.decode()
    assert all(i.name in page for i in found.missing)
    client.logout()
    public = client.get(reverse("disclosure:campaign", args=[campaign.slug]))
    assert public.status_code == 200 and campaign.enrolments.first().enterprise.name in public.content.decode()
