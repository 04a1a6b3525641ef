"""Account management by the right administrator only, never on oneself; branch staff open the accounts
of their own county only; disabling ends the sessions; invitations."""

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client

from cpaudit.campaigns.models import AuditMode, Enrolment
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org import services
from cpaudit.org.models import ActivationCode, User
from cpaudit.org.roles import ADMIN_ROLES, Role
from cpaudit.registry.models import ConsultingAgency

from ..factories import PASSWORD, make_uscc, make_user

GOOD = "Kettle#Harbor92"


def new_staff(world, username="newstaff", **extra):
    return User(username=username, full_name="新同事", role=Role.BRANCH_STAFF, agency=world.branch_a, **extra)


def logged_in_sessions(user) -> int:
    client = Client()
    client.force_login(user)
    return sum(1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk))


# --- opening accounts ----------------------------------------------------------------------------------

def test_the_system_admin_opens_an_account_with_a_one_time_password(world):
    user, password = services.account_create(actor=world.users[Role.SYSTEM_ADMIN], user=new_staff(world))
    user.refresh_from_db()
    assert user.must_change_password and user.check_password(password) and user.enabled_at is not None
    entry = ActionLog.objects.get(action="org.user.created", object_id=str(user.pk))
    assert password not in str(entry.changes) + str(entry.data) and entry.actor_name == "sysadmin"


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.SYSTEM_ADMIN, Role.BRANCH_STAFF)])
def test_no_other_role_opens_accounts(world, role):
    with pytest.raises(PermissionDenied):
        services.account_create(actor=world.users[role], user=new_staff(world))
    assert not User.objects.filter(username="newstaff").exists()


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
def test_administrator_accounts_are_opened_from_the_shell_only(world, system_actor, role):
    with pytest.raises(PermissionDenied, match="cpaudit create-user"):
        services.account_create(actor=world.users[Role.SYSTEM_ADMIN], user=User(username="adm2", role=role))
    user, _ = services.account_create(actor=system_actor, user=User(username="adm2", full_name="管理员乙", role=role))
    assert user.role == role


def test_a_bad_binding_is_refused_per_field(world):
    with pytest.raises(ValidationError) as exc:
        services.account_create(actor=world.users[Role.SYSTEM_ADMIN],
                                user=User(username="x1", full_name="某", role=Role.CITY_STAFF, agency=world.branch_a))
    assert exc.value.message_dict == {"agency": ["市局经办不能属于县（市、区）生态环境分局"]}


def test_branch_staff_open_enterprise_accounts_of_their_county_only(world):
    staff = world.users[Role.BRANCH_STAFF]  # 竞秀区
    user, _ = services.account_create(actor=staff, user=User(
        username="ent_new", full_name="企业经办", role=Role.ENTERPRISE, enterprise=world.enterprises["same_county"]))
    assert user.enterprise.uscc == world.enterprises["same_county"].uscc
    for rel in ("other_county", "other_city", "dingzhou"):
        with pytest.raises(PermissionDenied, match="不在您的辖区内"):
            services.account_create(actor=staff, user=User(username=f"ent_{rel}", full_name="某", role=Role.ENTERPRISE,
                                                           enterprise=world.enterprises[rel]))
    assert not User.objects.filter(username__in=["ent_other_county", "ent_other_city", "ent_dingzhou"]).exists()


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ENTERPRISE, Role.CONSULTANT)])
def test_branch_staff_open_no_other_role(world, role):
    with pytest.raises(PermissionDenied):
        services.account_create(actor=world.users[Role.BRANCH_STAFF], user=User(
            username="other_role", full_name="某", role=role, agency=world.branch_a))
    assert not User.objects.filter(username="other_role").exists()


def test_branch_staff_open_accounts_of_consulting_agencies_engaged_in_their_county(world):
    staff = world.users[Role.BRANCH_STAFF]
    user, _ = services.account_create(actor=staff, user=User(
        username="con_new", full_name="咨询顾问", role=Role.CONSULTANT, consulting_agency=world.consulting))
    assert user.consulting_agency == world.consulting  # engaged (委托) by the own enterprise, 竞秀区
    elsewhere = ConsultingAgency.objects.create(name="外县咨询公司", uscc=make_uscc(prefix="91130606"))
    Enrolment.objects.filter(enterprise=world.enterprises["other_county"]).update(
        mode=AuditMode.ENTRUSTED, consulting_agency=elsewhere)
    with pytest.raises(PermissionDenied, match="未受托为本县"):
        services.account_create(actor=staff, user=User(username="con_far", full_name="某", role=Role.CONSULTANT,
                                                       consulting_agency=elsewhere))
    services.account_create(actor=world.users[Role.SYSTEM_ADMIN], user=User(  # the system admin may
        username="con_far", full_name="某", role=Role.CONSULTANT, consulting_agency=elsewhere))


# --- invitations -------------------------------------------------------------------------------------

def invite(world):
    return services.account_create(actor=world.users[Role.BRANCH_STAFF], invite=True, user=User(
        username="ent_inv", full_name="企业经办", role=Role.ENTERPRISE, enterprise=world.enterprises["own"]))


def test_an_invited_person_chooses_their_password_with_a_one_time_code(world):
    user, code = invite(world)
    assert not user.has_usable_password() and len(code) == 23
    assert ActivationCode.objects.get(user=user).digest != code  # only the digest is stored
    with pytest.raises(ValidationError):
        services.account_activate(username="ent_inv", code=code, password="weakpass")
    services.account_activate(username="ent_inv", code=code.lower().replace("-", " "), password=GOOD)
    user.refresh_from_db()
    assert user.check_password(GOOD) and not user.must_change_password
    with pytest.raises(InvalidState, match="激活码无效"):  # one-time
        services.account_activate(username="ent_inv", code=code, password="Other#Harbor93")


def test_a_code_expires_after_its_configured_days_and_a_new_one_replaces_it(world, settings):
    from cpaudit.org.models import ActivationCode as Code

    settings.CPAUDIT_ACTIVATION_DAYS = 3
    user, first = invite(world)
    row = Code.objects.get(user=user)
    assert (row.expires_at - row.created_at) == dt.timedelta(days=3)
    second = services.invitation_issue(actor=world.users[Role.BRANCH_STAFF], user=user)
    with pytest.raises(InvalidState):
        services.account_activate(username="ent_inv", code=first, password=GOOD)
    Code.objects.filter(user=user).update(expires_at=row.created_at)  # the second one runs out
    with pytest.raises(InvalidState):
        services.account_activate(username="ent_inv", code=second, password=GOOD)


def test_a_code_works_only_with_its_own_username(world):
    _, code = invite(world)
    with pytest.raises(InvalidState):
        services.account_activate(username="ent", code=code, password=GOOD)


# --- editing, roles, disabling, re-enabling ---------------------------------------------------------------

SELF_ACTIONS = [
    (Role.SYSTEM_ADMIN, lambda actor: services.account_update(actor=actor, user=actor, data={"full_name": "我"})),
    (Role.SYSTEM_ADMIN, lambda actor: services.account_disable(actor=actor, user=actor, reason="试")),
    (Role.SECURITY_ADMIN, lambda actor: services.role_set(actor=actor, user=actor, role=Role.AUDIT_ADMIN)),
    (Role.SECURITY_ADMIN, lambda actor: services.password_reset(actor=actor, user=actor)),
    (Role.SECURITY_ADMIN, lambda actor: services.account_enable(actor=actor, user=actor, reason="试")),
    (Role.SECURITY_ADMIN, lambda actor: services.work_reassign(actor=actor, person=actor, colleague=actor,
                                                                reason="试")),
]


@pytest.mark.parametrize(("role", "action"), SELF_ACTIONS)
def test_nobody_manages_their_own_account(world, role, action):
    actor = world.users[role]
    with pytest.raises(PermissionDenied, match="自己的账号"):
        action(actor)
    actor.refresh_from_db()
    assert actor.role == role and actor.is_active and not actor.must_change_password


ACTIONS = {
    "edit": (Role.SYSTEM_ADMIN, lambda a, u: services.account_update(actor=a, user=u, data={"phone": "13800000000"})),
    "disable": (Role.SYSTEM_ADMIN, lambda a, u: services.account_disable(actor=a, user=u, reason="离职")),
    "role": (Role.SECURITY_ADMIN, lambda a, u: services.role_set(actor=a, user=u, role=Role.BRANCH_LEADER)),
    "reset": (Role.SECURITY_ADMIN, lambda a, u: services.password_reset(actor=a, user=u)),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", list(Role))
def test_each_action_is_one_administrators(world, action, role):
    allowed, call = ACTIONS[action]
    target = make_user("target", Role.BRANCH_STAFF, agency=world.branch_a)
    before = ActionLog.objects.count()
    if role == allowed:
        call(world.users[role], target)
        assert ActionLog.objects.count() == before + 1
    else:
        with pytest.raises(PermissionDenied):
            call(world.users[role], target)
        assert ActionLog.objects.count() == before


def test_role_assignment_keeps_administrator_and_business_roles_apart(world):
    secadmin = world.users[Role.SECURITY_ADMIN]
    with pytest.raises(PermissionDenied, match="三权分立"):
        services.role_set(actor=secadmin, user=world.users[Role.BRANCH_STAFF], role=Role.AUDIT_ADMIN)
    with pytest.raises(PermissionDenied, match="三权分立"):
        services.role_set(actor=secadmin, user=world.users[Role.AUDIT_ADMIN], role=Role.EXPERT)
    with pytest.raises(ValidationError) as exc:  # a city role needs a city-level agency
        services.role_set(actor=secadmin, user=world.users[Role.BRANCH_STAFF], role=Role.CITY_STAFF)
    assert "agency" in exc.value.message_dict
    user = services.role_set(actor=secadmin, user=world.users[Role.BRANCH_STAFF], role=Role.BRANCH_LEADER)
    entry = ActionLog.objects.get(action="org.user.role_changed")
    assert user.role == Role.BRANCH_LEADER and entry.changes == {"role": ["branch_staff", "branch_leader"]}
    with pytest.raises(InvalidState, match="已是分局负责人"):
        services.role_set(actor=secadmin, user=user, role=Role.BRANCH_LEADER)


def test_disabling_ends_the_sessions_and_the_login(world):
    target = world.users[Role.CITY_STAFF]
    assert logged_in_sessions(target) == 1
    services.account_disable(actor=world.users[Role.SYSTEM_ADMIN], user=target, reason="调离")
    assert logged_in_sessions_left(target) == 0
    assert authenticate(username=target.username, password=PASSWORD) is None
    target.refresh_from_db()
    assert (target.is_active, target.disabled_reason) == (False, "调离")
    entry = ActionLog.objects.get(action="org.user.disabled")
    assert entry.data == {"reason": "调离", "sessions_ended": 1}
    with pytest.raises(ValidationError):
        services.account_disable(actor=world.users[Role.SYSTEM_ADMIN], user=world.users[Role.CITY_LEADER], reason=" ")


def logged_in_sessions_left(user) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk))


def test_the_security_admin_re_enables_with_a_reason(world):
    target = world.users[Role.CITY_STAFF]
    services.account_disable(actor=world.users[Role.SYSTEM_ADMIN], user=target, reason="调离")
    with pytest.raises(PermissionDenied):
        services.account_enable(actor=world.users[Role.SYSTEM_ADMIN], user=target, reason="回岗")
    with pytest.raises(ValidationError):
        services.account_enable(actor=world.users[Role.SECURITY_ADMIN], user=target, reason="")
    services.account_enable(actor=world.users[Role.SECURITY_ADMIN], user=target, reason="回岗")
    target.refresh_from_db()
    assert target.is_active and target.disabled_at is None
    assert ActionLog.objects.get(action="org.user.enabled").data == {"reason": "回岗"}
    with pytest.raises(InvalidState):
        services.account_enable(actor=world.users[Role.SECURITY_ADMIN], user=target, reason="再次")


def test_the_branch_re_enables_its_county_enterprise_accounts_only(world):
    sysadmin, staff = world.users[Role.SYSTEM_ADMIN], world.users[Role.BRANCH_STAFF]
    own = world.users[Role.ENTERPRISE]
    far = make_user("ent_far", Role.ENTERPRISE, enterprise=world.enterprises["other_county"])
    consultant = world.users[Role.CONSULTANT]
    for user in (own, far, consultant):
        services.account_disable(actor=sysadmin, user=user, reason="企业申请停用")
    services.account_enable(actor=staff, user=own, reason="企业恢复使用")
    with pytest.raises(PermissionDenied):
        services.account_enable(actor=staff, user=far, reason="企业恢复使用")
    with pytest.raises(PermissionDenied, match="企业的账号"):
        services.account_enable(actor=staff, user=consultant, reason="恢复")
    assert list(User.objects.filter(is_active=True, username__in=["ent", "ent_far", "con"]).values_list(
        "username", flat=True)) == ["ent"]


def test_a_reset_password_is_one_time_and_ends_the_sessions(world):
    target = world.users[Role.PROVINCE_STAFF]
    logged_in_sessions(target)
    password = services.password_reset(actor=world.users[Role.SECURITY_ADMIN], user=target)
    target.refresh_from_db()
    assert target.must_change_password and target.check_password(password)
    assert logged_in_sessions_left(target) == 0
    assert ActionLog.objects.get(action="org.user.password_reset").data == {"sessions_ended": 1}


def test_the_system_admin_edits_bindings_but_not_roles(world):
    sysadmin = world.users[Role.SYSTEM_ADMIN]
    target = world.users[Role.BRANCH_STAFF]
    services.account_update(actor=sysadmin, user=target, data={"agency": world.branch_b, "role": Role.CITY_STAFF})
    target.refresh_from_db()
    assert (target.agency, target.role) == (world.branch_b, Role.BRANCH_STAFF)
    with pytest.raises(ValidationError) as exc:
        services.account_update(actor=sysadmin, user=target, data={"agency": world.baoding})
    assert "agency" in exc.value.message_dict
