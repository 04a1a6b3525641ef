"""The workbench on the demo: each journey of README has a live item on its person's workbench, and
every section's count equals the list behind it (the section page), for every demo account."""

import datetime as dt

import pytest
from django.urls import reverse

from cpaudit.applications.models import Status
from cpaudit.experts.models import Score
from cpaudit.org.models import User
from cpaudit.workbench import selectors

TODAY = dt.date(2026, 11, 29)
DEMO_TODAY = TODAY.isoformat()  # tests/demo/conftest.py loads the demo once, on this day


@pytest.fixture
def loaded(demo_once, db, settings):
    settings.CPAUDIT_TODAY = DEMO_TODAY


def counts(username):
    return {s.key: s.count for s in selectors.sections(User.objects.get(username=username))}


def test_each_journey_has_a_live_item_and_counts_match_the_lists(loaded, client):
    # README's journeys: a branch with steps to confirm, enterprises with an application to resubmit and to
    # submit, an expert with an open scoring task on a panel that then can finish, 定州 with work waiting.
    assert counts("jx_staff")["steps_pending"] > 0
    statuses = {name: {a.status for a in selectors.section_rows(User.objects.get(username=name), "applications", {})}
                for name in ("ent_004", "ent_005")}
    assert statuses == {"ent_004": {Status.RETURNED}, "ent_005": {Status.DRAFT}}
    # The demo's panels are drawn at random (secrets): expert_2 has an open task exactly where the draw
    # seated them on a panel still organizing and they have not scored (whether it did is the draw's luck).
    from cpaudit.experts.models import PanelMember

    open_seats = PanelMember.objects.filter(expert__user__username="expert_2", panel__is_current=True,
                                            panel__application__status=Status.ORGANIZING, score__isnull=True)
    assert counts("expert_2")["scoring"] == open_seats.count()
    for member in selectors.section_rows(User.objects.get(username="expert_2"), "scoring", {}):
        waiting = [m for m in member.panel.members.all() if not Score.objects.filter(member=m).exists()]
        assert all(m.expert.user.has_usable_password() for m in waiting)  # the logins' scores finish it
    assert counts("dz_staff")["applications"] + counts("dz_leader")["applications"] > 0
    # Counts equal the lists, for every demo account and section (the section page lists them all).
    for user in User.objects.filter(is_active=True).order_by("pk"):
        for section in selectors.sections(user):
            rows = selectors.section_rows(user, section.key, {})
            assert section.count == (len(rows) if isinstance(rows, list) else len(list(rows))), (user, section.key)
    client.force_login(User.objects.get(username="jx_staff"))
    n = counts("jx_staff")["steps_pending"]
    html = client.get(reverse("workbench:section", args=["steps_pending"]), {"page": 1}).content.decode()
    assert f"共 {n} 条" in html
