import pytest

from cpaudit.core.errors import PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org import services
from cpaudit.org.models import Agency, User
from cpaudit.org.roles import AgencyKind, Role


def test_system_admin_creates_an_agency_and_it_is_logged(world):
    agency = services.agency_create(actor=world.users[Role.SYSTEM_ADMIN], agency=Agency(
        name="保定市生态环境局满城区分局", kind=AgencyKind.COUNTY, division_id="130607", supervisor=world.baoding))
    entry = ActionLog.objects.get(action="org.agency.created", object_id=str(agency.pk))
    assert entry.changes["division_id"] == [None, "130607"]


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.PROVINCE_LEADER])
def test_others_cannot_create_agencies(world, role):
    with pytest.raises(PermissionDenied):
        services.agency_create(actor=world.users[role], agency=Agency(
            name="X分局", kind=AgencyKind.COUNTY, division_id="130607"))
    assert not Agency.objects.filter(name="X分局").exists()


def test_user_creation_never_logs_the_password(world):
    user = User(username="newbie", role=Role.BRANCH_STAFF, agency=world.branch_a)
    user.set_password("Secret-pass-123")
    services.user_create(actor=world.users[Role.SYSTEM_ADMIN], user=user)
    entry = ActionLog.objects.get(action="org.user.created", object_id=str(user.pk))
    assert "password" not in entry.changes and "Secret" not in str(entry.changes)
