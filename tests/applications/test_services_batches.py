"""The branch's and the city's written applications: the letter, the list, all-or-nothing."""

import pytest

from cpaudit.applications import services
from cpaudit.applications.models import Application, Batch, Kind, Level, Status
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from tests.factories import make_user

from .conftest import Chain, complete_steps, enrolment_of, reload


def _two(world, chain):
    """Two applications of 竞秀 waiting for the branch's batch."""
    same = enrolment_of(world, "same_county")
    complete_steps(same)
    same_user = make_user("ent_same", Role.ENTERPRISE, enterprise=world.enterprises["same_county"])
    apps = []
    for enrolment, user in ((enrolment_of(world), chain.enterprise_user), (same, same_user)):
        complete_steps(enrolment)
        c = Chain(world, user)
        apps.append(c.to(c.submit(c.start(enrolment)), Status.BRANCH_BATCH))
    return apps


def test_branch_batch_moves_all_up_with_one_letter(chain, world):
    apps = _two(world, chain)
    leader = world.users[Role.BRANCH_LEADER]
    assert {a.pk for a in services.waiting(leader, world.campaign, Kind.EVALUATION)} == {a.pk for a in apps}
    batch = services.batch_submit(actor=leader, campaign=world.campaign, kind=Kind.EVALUATION, applications=apps)
    assert batch.level == Level.BRANCH and batch.recipient == world.baoding and batch.number == 1
    assert batch.title == "保定市生态环境局竞秀区分局关于2020年清洁生产审核评估的申请"
    assert "2家企业" in batch.letter and world.campaign.document_number in batch.letter
    assert [i["enterprise"] for i in batch.content["items"]] == [a.enrolment.enterprise.name for a in
                                                                 sorted(apps, key=lambda a: a.pk)]
    assert all(reload(a).status == Status.CITY_REVIEW and reload(a).branch_batch == batch for a in apps)
    assert ActionLog.objects.filter(action="applications.batch.submitted").count() == 1
    assert ActionLog.objects.filter(action="applications.application.forwarded").count() == 2
    assert world.users[Role.CITY_STAFF].notifications.filter(text__contains="2家企业").exists()


def test_batch_is_all_or_nothing(chain, world):
    apps = _two(world, chain)
    Application.objects.filter(pk=apps[1].pk).update(status=Status.BRANCH_APPROVAL)
    before = ActionLog.objects.count()
    with pytest.raises(InvalidState) as exc:
        services.batch_submit(actor=world.users[Role.BRANCH_LEADER], campaign=world.campaign,
                              kind=Kind.EVALUATION, applications=apps)
    assert "待分局负责人审批" in exc.value.message
    assert reload(apps[0]).status == Status.BRANCH_BATCH
    assert not Batch.objects.exists() and ActionLog.objects.count() == before


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.CITY_STAFF, Role.PROVINCE_LEADER, Role.ENTERPRISE])
def test_only_leaders_submit_batches(chain, world, role):
    apps = _two(world, chain)
    with pytest.raises(PermissionDenied):
        services.batch_submit(actor=world.users[role], campaign=world.campaign, kind=Kind.EVALUATION,
                              applications=apps)


def test_another_branch_leader_cannot_batch_our_applications(chain, world):
    apps = _two(world, chain)
    other = make_user("lead_b", Role.BRANCH_LEADER, agency=world.branch_b)
    with pytest.raises(PermissionDenied):
        services.batch_submit(actor=other, campaign=world.campaign, kind=Kind.EVALUATION, applications=apps)


def test_city_batch_goes_to_the_province_and_numbers_count_up(chain, world):
    apps = _two(world, chain)
    services.batch_submit(actor=world.users[Role.BRANCH_LEADER], campaign=world.campaign, kind=Kind.EVALUATION,
                          applications=[apps[0]])
    second = services.batch_submit(actor=world.users[Role.BRANCH_LEADER], campaign=world.campaign,
                                   kind=Kind.EVALUATION, applications=[apps[1]])
    assert second.number == 2
    moved = [chain.to(reload(a), Status.CITY_BATCH) for a in apps]
    city = services.batch_submit(actor=world.users[Role.CITY_LEADER], campaign=world.campaign,
                                 kind=Kind.EVALUATION, applications=moved, letter="请省厅组织评估。")
    assert city.recipient == world.province and city.level == Level.CITY and city.letter == "请省厅组织评估。"
    assert all(reload(a).status == Status.PROVINCE_REVIEW for a in moved)


def test_empty_batch_refused(chain, world):
    with pytest.raises(InvalidState):
        services.batch_submit(actor=world.users[Role.BRANCH_LEADER], campaign=world.campaign, kind=Kind.EVALUATION,
                              applications=[])
