import pytest

from cpaudit.org.access import scope
from cpaudit.org.roles import Role
from cpaudit.registry.models import Enterprise

EXPECTED = {
    Role.ENTERPRISE: {"own"},
    Role.CONSULTANT: {"own"},
    Role.BRANCH_STAFF: {"own", "same_county"},
    Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"},
    Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: {"own", "same_county", "other_county", "other_city", "dingzhou"},
    Role.PROVINCE_LEADER: {"own", "same_county", "other_county", "other_city", "dingzhou"},
    Role.EXPERT: set(),
    Role.SYSTEM_ADMIN: set(),
    Role.SECURITY_ADMIN: set(),
    Role.AUDIT_ADMIN: set(),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_exactly_its_enterprises(world, role):
    names = {v.pk: k for k, v in world.enterprises.items()}
    visible = {names[pk] for pk in scope(world.users[role], Enterprise.objects.all()).values_list("pk", flat=True)}
    assert visible == EXPECTED[role]


def test_consultant_loses_sight_when_campaign_closes(world):
    world.campaign.status = "closed"
    world.campaign.save()
    assert not scope(world.users[Role.CONSULTANT], Enterprise.objects.all()).exists()


def test_city_jurisdiction_follows_supervisor_configuration(world):
    # 雄安-style reassignment: the branch of 莲池区 now reports elsewhere; Baoding no longer sees it.
    world.branch_b.supervisor = world.province
    world.branch_b.save()
    user = type(world.users[Role.CITY_STAFF]).objects.get(username="cstaff")
    visible = set(scope(user, Enterprise.objects.all()).values_list("county_id", flat=True))
    assert "130606" not in visible and "130602" in visible


def test_system_actor_sees_everything(world, system_actor):
    assert scope(system_actor, Enterprise.objects.all()).count() == Enterprise.objects.count()


def test_consultant_sees_only_its_own_engagements(world):
    from cpaudit.campaigns.models import Enrolment

    from ..factories import make_campaign

    older = make_campaign(slug="old", year=2019, counties=("130602",))
    Enrolment.objects.create(campaign=older, enterprise=world.enterprises["own"])  # 自审, another campaign
    seen = scope(world.users[Role.CONSULTANT], Enrolment.objects.all())
    assert [(e.campaign.slug, e.mode) for e in seen] == [("c2020", "entrusted")]
