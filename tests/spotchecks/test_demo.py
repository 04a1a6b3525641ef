"""The demo's spot checks (cpaudit/demo/spotchecks_data.py): an approved province plan whose draw
verifies, with findings, a file and one rectification, on the public section; 保定's plan drawn for a
check next week, seen only by 保定's people until then."""

import pytest

from cpaudit.campaigns.models import Campaign
from cpaudit.org import access
from cpaudit.org.models import User
from cpaudit.spotchecks import selectors, services
from cpaudit.spotchecks.models import EvidenceFile, Item, ItemStatus, Plan, PlanStatus, Rectification

from ..demo.test_progress_demo import TODAY, run_load


@pytest.fixture
def loaded(db):
    return run_load()


def test_the_demo_shows_a_verified_draw_findings_a_rectification_and_a_confidential_plan(loaded):
    campaign = Campaign.objects.get(slug=f"byd{TODAY.year}")
    approved = Plan.objects.get(campaign=campaign, status=PlanStatus.APPROVED)
    upcoming = Plan.objects.get(campaign=campaign, status=PlanStatus.DRAWN)
    assert services.plan_verify(approved)["ok"] and services.plan_verify(upcoming)["ok"]
    assert set(approved.items.values_list("status", flat=True)) == {ItemStatus.RECORDED}
    assert Rectification.objects.filter(item__plan=approved).count() == 1
    assert EvidenceFile.objects.filter(item__plan=approved).count() == 1
    public = selectors.public_context(campaign)["spotcheck_plans"]
    assert [row["plan"].pk for row in public] == [approved.pk]
    branch = User.objects.get(username="jx_staff")
    assert not access.scope(branch, Item.objects.filter(plan=upcoming)).exists()
    assert access.scope(User.objects.get(username="bd_leader"), Item.objects.filter(plan=upcoming)).exists()
    assert run_load() and Plan.objects.filter(campaign=campaign).count() == 2  # a second load adds nothing
