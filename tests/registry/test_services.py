from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cpaudit.core.errors import PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.registry import services
from cpaudit.registry.models import Enterprise

from ..factories import make_uscc

BAD_CHECK = "91350100M000100Y4Z"


def data(**overrides):
    base = {"name": "新建测试纸业有限公司", "uscc": make_uscc(prefix="91130602"), "county_id": "130602",
            "address": "竞秀区测试路1号", "legal_representative": "王五", "industry_id": "2221"}
    base.update(overrides)
    return base


def test_branch_staff_creates_in_own_county_and_it_is_logged(world):
    actor = world.users[Role.BRANCH_STAFF]
    enterprise = services.enterprise_create(actor=actor, data=data())
    entry = ActionLog.objects.order_by("-seq").first()
    assert entry.action == "registry.enterprise.created"
    assert entry.object_id == str(enterprise.pk)
    assert entry.actor_name == actor.username and entry.actor_role == "branch_staff"
    assert entry.actor_agency == str(world.branch_a)
    assert entry.changes["name"] == [None, "新建测试纸业有限公司"]


def test_branch_staff_cannot_create_in_another_county(world):
    with pytest.raises(PermissionDenied):
        services.enterprise_create(actor=world.users[Role.BRANCH_STAFF], data=data(county_id="130606"))
    assert not Enterprise.objects.filter(name="新建测试纸业有限公司").exists()


def test_bad_check_character_names_the_expected_one(world):
    with pytest.raises(ValidationError) as exc:
        services.enterprise_create(actor=world.users[Role.BRANCH_STAFF], data=data(uscc=BAD_CHECK))
    assert "应为“3”" in str(exc.value.message_dict["uscc"])


def test_staff_may_accept_a_code_failing_only_its_check_and_that_is_logged(world):
    enterprise = services.enterprise_create(actor=world.users[Role.CITY_STAFF],
                                            data=data(uscc=BAD_CHECK, uscc_check_accepted=True))
    assert enterprise.uscc_check_accepted
    entries = ActionLog.objects.filter(object_type="registry.enterprise", object_id=str(enterprise.pk))
    assert [e.action for e in entries] == ["registry.enterprise.created"]  # one action, one entry
    assert entries[0].data["uscc_check_accepted"] is True and "应为“3”" in entries[0].data["uscc_check_failure"]


def test_acceptance_does_not_rescue_a_malformed_code(world):
    with pytest.raises(ValidationError):
        services.enterprise_create(actor=world.users[Role.CITY_STAFF],
                                   data=data(uscc="9111000060003IOZSV", uscc_check_accepted=True))


def test_enterprise_user_corrects_its_contact_but_not_its_name(world):
    user = world.users[Role.ENTERPRISE]
    own = world.enterprises["own"]
    services.enterprise_update(actor=user, enterprise=own, data={"contact_person": "赵六",
                                                                  "registered_capital": Decimal("500.00")})
    own.refresh_from_db()
    assert own.contact_person == "赵六"
    with pytest.raises(PermissionDenied):
        services.enterprise_update(actor=user, enterprise=own, data={"name": "改名有限公司"})
    own.refresh_from_db()
    assert own.name != "改名有限公司"


def test_update_logs_old_and_new_values(world):
    enterprise = world.enterprises["same_county"]
    services.enterprise_update(actor=world.users[Role.BRANCH_STAFF], enterprise=enterprise,
                               data={"annual_sales": Decimal("1234.50")})
    entry = ActionLog.objects.order_by("-seq").first()
    assert entry.action == "registry.enterprise.updated"
    assert entry.changes == {"annual_sales": [None, "1234.50"]}


def test_no_op_update_writes_nothing(world):
    enterprise = world.enterprises["own"]
    before = ActionLog.objects.count()
    services.enterprise_update(actor=world.users[Role.BRANCH_STAFF], enterprise=enterprise,
                               data={"name": enterprise.name})
    assert ActionLog.objects.count() == before


def test_moving_an_enterprise_out_of_jurisdiction_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.enterprise_update(actor=world.users[Role.BRANCH_STAFF], enterprise=world.enterprises["own"],
                                   data={"county_id": "130606"})
    world.enterprises["own"].refresh_from_db()
    assert world.enterprises["own"].county_id == "130602"


def test_leader_cannot_edit_registry(world):
    with pytest.raises(PermissionDenied):
        services.enterprise_update(actor=world.users[Role.BRANCH_LEADER], enterprise=world.enterprises["own"],
                                   data={"name": "X"})


def test_consulting_agency_save_logs_industries(world):
    agency = services.consulting_agency_save(
        actor=world.users[Role.PROVINCE_STAFF], agency=None,
        data={"name": "新咨询公司", "uscc": make_uscc(prefix="91130100")}, industries=[])
    assert ActionLog.objects.filter(action="registry.consultingagency.created", object_id=str(agency.pk)).exists()


def test_enterprise_user_cannot_change_another_enterprise_even_through_the_service(world):
    with pytest.raises(PermissionDenied):
        services.enterprise_update(actor=world.users[Role.ENTERPRISE], enterprise=world.enterprises["other_city"],
                                   data={"contact_person": "冒名"})
    world.enterprises["other_city"].refresh_from_db()
    assert world.enterprises["other_city"].contact_person != "冒名"
