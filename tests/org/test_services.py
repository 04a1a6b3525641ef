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
    services.user_create(actor=world.users[Role.SYSTEM_ADMIN], user=user, password="Secret-pass-123")
    entry = ActionLog.objects.get(action="org.user.created", object_id=str(user.pk))
    assert "password" not in entry.changes and "Secret" not in str(entry.changes) + str(entry.data)
    assert entry.data == {"password": "one_time"}
    assert user.check_password("Secret-pass-123") and user.must_change_password


def test_a_hashed_password_cannot_bypass_the_validators(world):
    user = User(username="sneaky", role=Role.BRANCH_STAFF, agency=world.branch_a)
    user.set_password("x")
    with pytest.raises(ValueError):
        services.user_create(actor=world.users[Role.SYSTEM_ADMIN], user=user)
    assert not User.objects.filter(username="sneaky").exists()


def test_system_admin_corrects_an_agency_and_it_is_logged(world):
    services.agency_update(actor=world.users[Role.SYSTEM_ADMIN], agency=world.branch_b,
                           data={"phone": "0312-1234567", "head_name": "局长丁"})
    entry = ActionLog.objects.get(action="org.agency.updated", object_id=str(world.branch_b.pk))
    assert entry.changes == {"head_name": ["局长甲", "局长丁"], "phone": ["", "0312-1234567"]}


def test_an_agency_cannot_supervise_itself(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.agency_update(actor=world.users[Role.SYSTEM_ADMIN], agency=world.baoding,
                               data={"supervisor": world.baoding})
    assert exc.value.message_dict == {"supervisor": ["上级单位不能是本单位"]}


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.BRANCH_STAFF])
def test_only_the_system_admin_corrects_agencies(world, role):
    with pytest.raises(PermissionDenied):
        services.agency_update(actor=world.users[role], agency=world.branch_b, data={"phone": "1"})
