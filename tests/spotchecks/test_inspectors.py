"""The inspector roster: flagged by a colleague of the same agency, never oneself, logged; from the page."""

import pytest
from django.urls import reverse

from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.spotchecks import services
from cpaudit.spotchecks.models import Inspector

from ..factories import make_user


def test_a_colleague_flags_and_unflags_an_inspector_with_a_log_entry(world):
    staff, leader = world.users[Role.BRANCH_STAFF], world.users[Role.BRANCH_LEADER]
    services.inspector_set(actor=leader, user=staff, active=True, note="执法骨干")
    assert Inspector.objects.get(user=staff).active
    with pytest.raises(InvalidState):
        services.inspector_set(actor=leader, user=staff, active=True)
    services.inspector_set(actor=leader, user=staff, active=False)
    assert not Inspector.objects.get(user=staff).active  # withdrawn, kept
    assert list(ActionLog.objects.filter(action__startswith="spotchecks.inspector").values_list(
        "action", flat=True).order_by("seq")) == ["spotchecks.inspector.flagged", "spotchecks.inspector.unflagged"]


def test_only_the_own_agency_flags_and_never_oneself_nor_a_non_government_account(world):
    staff = world.users[Role.BRANCH_STAFF]
    with pytest.raises(PermissionDenied):
        services.inspector_set(actor=world.users[Role.CITY_STAFF], user=staff, active=True)
    with pytest.raises(PermissionDenied):
        services.inspector_set(actor=staff, user=staff, active=True)
    with pytest.raises(InvalidState):
        services.inspector_set(actor=staff, user=world.users[Role.ENTERPRISE], active=True)
    assert not Inspector.objects.exists()


def test_the_roster_page_flags_a_colleague(world, client):
    colleague = make_user("bstaff2", Role.BRANCH_STAFF, agency=world.branch_a)
    client.force_login(world.users[Role.BRANCH_LEADER])
    response = client.post(reverse("spotchecks:inspector_list"), {"user": colleague.pk, "action": "flag"})
    assert response.status_code == 302 and Inspector.objects.get(user=colleague).active
    outsider = make_user("cstaff2", Role.CITY_STAFF, agency=world.baoding)
    client.post(reverse("spotchecks:inspector_list"), {"user": outsider.pk, "action": "flag"})
    assert not Inspector.objects.filter(user=outsider).exists()
