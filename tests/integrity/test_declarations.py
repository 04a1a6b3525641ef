import pytest
from django.core.exceptions import ValidationError

from cpaudit.core.errors import PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.integrity.conflicts import expert_conflicts, user_conflict
from cpaudit.integrity.models import Declaration, TieKind
from cpaudit.integrity.services import declaration_submit
from cpaudit.org.roles import Role

from ..experts.helpers import make_expert

pytestmark = pytest.mark.django_db


def _ids(world):
    return world.enterprises["own"].pk, world.consulting.pk


def test_versions_supersede_and_are_logged(world):
    staff = world.users[Role.BRANCH_STAFF]
    base = Declaration.objects.get(user=staff, is_current=True).version  # the world's own declaration
    first = declaration_submit(actor=staff, ties=[])
    second = declaration_submit(actor=staff, ties=[{"kind": TieKind.FAMILY, "enterprise_id": world.enterprises["own"].pk,
                                                    "detail": "配偶任职"}], note="补充")
    first.refresh_from_db()
    assert (first.version, first.is_current) == (base + 1, False)
    assert (second.version, second.is_current, second.user_id) == (base + 2, True, staff.pk)
    assert second.ties.get().detail == "配偶任职"
    entries = list(ActionLog.objects.filter(action="integrity.declaration.submitted").order_by("seq"))
    assert [e.data["version"] for e in entries] == [base + 1, base + 2]
    assert entries[0].data["ties"] == "无利益关系"
    assert entries[1].data["ties"][0]["enterprise_id"] == world.enterprises["own"].pk


def test_expert_declares_own_record_and_keeper_records_for_expert(world):
    expert = make_expert(user=world.users[Role.EXPERT], environment=True)
    own = declaration_submit(actor=world.users[Role.EXPERT], ties=[])
    assert own.expert_id == expert.pk and own.user_id is None
    kept = declaration_submit(actor=world.users[Role.CITY_STAFF], expert=expert,
                              ties=[{"kind": TieKind.CONSULTING, "consulting_agency_id": world.consulting.pk}])
    assert kept.version == own.version + 1 and kept.declared_by == world.users[Role.CITY_STAFF]


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.ENTERPRISE, Role.SYSTEM_ADMIN])
def test_others_cannot_declare_for_an_expert(world, role):
    expert = make_expert(environment=True)
    before = Declaration.objects.count()
    with pytest.raises(PermissionDenied):
        declaration_submit(actor=world.users[role], expert=expert, ties=[])
    assert Declaration.objects.count() == before
    assert not ActionLog.objects.filter(action__startswith="integrity").exists()


def test_nobody_declares_for_another_user(world):
    with pytest.raises(PermissionDenied):
        declaration_submit(actor=world.users[Role.CITY_STAFF], user=world.users[Role.BRANCH_STAFF], ties=[])
    with pytest.raises(PermissionDenied):
        declaration_submit(actor=world.users[Role.ENTERPRISE], ties=[])


def test_bad_ties_are_refused(world):
    staff = world.users[Role.BRANCH_STAFF]
    before = Declaration.objects.count()
    for tie in [{"kind": "x", "enterprise_id": world.enterprises["own"].pk},
                {"kind": TieKind.FAMILY},
                {"kind": TieKind.FAMILY, "enterprise_id": world.enterprises["own"].pk,
                 "consulting_agency_id": world.consulting.pk},
                {"kind": TieKind.FAMILY, "enterprise_id": 999999}]:
        with pytest.raises(ValidationError) as exc:
            declaration_submit(actor=staff, ties=[tie])
        assert "ties" in exc.value.message_dict
    assert Declaration.objects.count() == before


def test_conflicts_enterprise_agency_employer_and_superseded(world):
    enterprise_id, agency_id = _ids(world)
    by_enterprise, by_agency, by_employer, by_agency_name, free, former = (
        make_expert(environment=True) for _ in range(6))
    by_employer.employer = world.enterprises["own"].name
    by_employer.save()
    by_agency_name.employer = world.consulting.name
    by_agency_name.save()
    keeper = world.users[Role.PROVINCE_STAFF]
    declaration_submit(actor=keeper, expert=by_enterprise,
                       ties=[{"kind": TieKind.EMPLOYER, "enterprise_id": enterprise_id, "detail": "技术顾问"}])
    declaration_submit(actor=keeper, expert=by_agency,
                       ties=[{"kind": TieKind.CONSULTING, "consulting_agency_id": agency_id}])
    declaration_submit(actor=keeper, expert=former,
                       ties=[{"kind": TieKind.FORMER_EMPLOYER, "enterprise_id": enterprise_id}])
    declaration_submit(actor=keeper, expert=former, ties=[])  # the tie is no longer declared
    declaration_submit(actor=keeper, expert=free, ties=[{"kind": TieKind.FAMILY,
                                                        "enterprise_id": world.enterprises["other_city"].pk}])
    conflicts = expert_conflicts(enterprise_id, agency_id)
    assert set(conflicts) == {by_enterprise.pk, by_agency.pk, by_employer.pk, by_agency_name.pk}
    assert "技术顾问" in conflicts[by_enterprise.pk] and "现任职单位" in conflicts[by_enterprise.pk]
    assert "咨询机构" in conflicts[by_agency.pk]
    assert conflicts[by_employer.pk] == f"工作单位为{world.enterprises['own'].name}"
    # A self-audit (no consulting agency): the agency's ties do not count.
    assert set(expert_conflicts(enterprise_id, None)) == {by_enterprise.pk, by_employer.pk}


def test_conflict_queries_do_not_grow(world, django_assert_max_num_queries):
    enterprise_id, agency_id = _ids(world)
    for _ in range(20):
        expert = make_expert(environment=True)
        declaration_submit(actor=world.users[Role.PROVINCE_STAFF], expert=expert,
                           ties=[{"kind": TieKind.EMPLOYER, "enterprise_id": enterprise_id}])
    with django_assert_max_num_queries(2):
        assert len(expert_conflicts(enterprise_id, agency_id)) == 20
    with django_assert_max_num_queries(1):
        assert user_conflict(world.users[Role.BRANCH_STAFF], enterprise_id, agency_id) is None


def test_user_conflict(world):
    enterprise_id, agency_id = _ids(world)
    staff = world.users[Role.BRANCH_STAFF]
    declaration_submit(actor=staff, ties=[{"kind": TieKind.FAMILY, "consulting_agency_id": agency_id,
                                           "detail": "兄弟持股"}])
    reason = user_conflict(staff, enterprise_id, agency_id)
    assert "兄弟持股" in reason and "咨询机构" in reason
    assert user_conflict(staff, world.enterprises["same_county"].pk, None) is None
    declaration_submit(actor=staff, ties=[])
    assert user_conflict(staff, enterprise_id, agency_id) is None


def test_an_employer_naming_a_department_of_the_enterprise_conflicts(world):
    expert = make_expert(environment=True)
    expert.employer = f"{world.enterprises['own'].name}技术中心"
    expert.save()
    other = make_expert(environment=True)
    conflicts = expert_conflicts(world.enterprises["own"].pk, None)
    assert expert.pk in conflicts and other.pk not in conflicts
    assert "技术中心" in conflicts[expert.pk]


def test_the_expert_is_told_when_a_keeper_files_their_declaration(world):
    expert = make_expert(environment=True)
    expert.user = world.users[Role.EXPERT]
    expert.save()
    kept = declaration_submit(actor=world.users[Role.PROVINCE_STAFF], expert=expert,
                              ties=[{"kind": TieKind.FAMILY, "enterprise_id": world.enterprises["own"].pk}])
    text = f"利益关系申报（第{kept.version}版）"
    assert world.users[Role.EXPERT].notifications.filter(text__contains=text).exists()
    declaration_submit(actor=world.users[Role.EXPERT], expert=expert, ties=[])  # their own: no notice
    assert world.users[Role.EXPERT].notifications.count() == 1
