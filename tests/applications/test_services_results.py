"""Routing by management level and the organizer's result: proposal from the panel, confirmation by
the organizer's leader, 通过/不通过 and 合格/不合格, a failed 评估 reopening the audit."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from cpaudit.applications import services
from cpaudit.applications.models import Application, Level, Outcome, Status, Step
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import ReviewStatus, StepRecord, StepStatus
from cpaudit.registry.models import Enterprise, ManagementLevel

from .conftest import reload


@dataclass
class FakeOutcome:
    passed: bool | None
    average: Decimal = Decimal("72.5")
    vetoed: bool = False
    scored: int = 3
    members: int = 3
    opinion: str = "专家组同意通过"


@pytest.fixture
def outcome(monkeypatch):
    """The panel's derived result (experts/services.panel_outcome), set per test."""
    holder = {"value": FakeOutcome(passed=True)}
    monkeypatch.setattr("cpaudit.experts.services.panel_outcome", lambda application: holder["value"])
    return holder


@pytest.mark.parametrize("level,organizer,organizer_level", [
    (ManagementLevel.PROVINCIAL, "province", Level.PROVINCE),
    (ManagementLevel.MUNICIPAL, "baoding", Level.CITY),
    (ManagementLevel.OTHER, "branch_a", Level.BRANCH),
])
def test_organizer_follows_the_management_level(chain, eligible, world, level, organizer, organizer_level):
    Enterprise.objects.filter(pk=world.enterprises["own"].pk).update(management_level=level)
    app = chain.submit(chain.start(eligible))
    assert app.organizer == getattr(world, organizer) and app.organizer_level == organizer_level


def test_dingzhou_municipal_is_organized_by_dingzhou(world):
    from cpaudit.applications.services.common import organizer_for
    from cpaudit.campaigns.models import Enrolment

    Enterprise.objects.filter(pk=world.enterprises["dingzhou"].pk).update(management_level=ManagementLevel.MUNICIPAL)
    enrolment = Enrolment.objects.get(enterprise=world.enterprises["dingzhou"])
    app = Application(campaign=world.campaign, enrolment=enrolment, kind="evaluation")
    assert organizer_for(app) == (Level.CITY, world.dingzhou)


def _organizing(chain, submitted):
    return chain.to(submitted, Status.ORGANIZING)


def test_propose_and_confirm_pass(chain, submitted, world, outcome):
    app = _organizing(chain, submitted)
    services.application_result_propose(actor=world.users[Role.BRANCH_STAFF], application=app)
    assert reload(app).status == Status.RESULT_PENDING
    services.application_result_confirm(actor=world.users[Role.BRANCH_LEADER], application=app, outcome=Outcome.AGREE)
    app = reload(app)
    assert app.status == Status.PASSED and app.passed is True and app.result_label == "通过"
    assert app.result_opinion == "专家组同意通过" and str(app.result_date) == "2020-07-28"
    entry = ActionLog.objects.filter(action="applications.application.result_confirmation").get()
    assert entry.data["result"] == "通过"


def test_failed_evaluation_reopens_step_27(chain, submitted, world, outcome):
    outcome["value"] = FakeOutcome(passed=False, vetoed=True, opinion="存在否决项")
    app = _organizing(chain, submitted)
    services.application_result_propose(actor=world.users[Role.BRANCH_STAFF], application=app)
    services.application_result_confirm(actor=world.users[Role.BRANCH_LEADER], application=app, outcome=Outcome.AGREE)
    app = reload(app)
    assert app.status == Status.FAILED and app.result_label == "不通过"
    record = StepRecord.objects.get(enrolment=app.enrolment, step_id=27)
    assert record.status == StepStatus.IN_PROGRESS and record.completion_date is None
    entry = ActionLog.objects.filter(action="applications.application.result_confirmation").get()
    assert entry.data["reopened_steps"] == [27]
    # The audit is redone: no new 评估 until step 27 is completed again; then a new application is allowed.
    with pytest.raises(InvalidState):
        chain.start(app.enrolment)
    StepRecord.objects.filter(pk=record.pk).update(status=StepStatus.COMPLETED, completion_date="2020-07-27",
                                                   review=ReviewStatus.CONFIRMED)
    again = chain.start(app.enrolment)
    assert again.pk != app.pk and again.status == Status.DRAFT


def test_acceptance_results_read_qualified(chain, world):
    app = Application(kind="acceptance", passed=False, status=Status.FAILED)
    assert app.result_label == "不合格" and app.status_label == "验收不合格"
    app.passed = True
    assert app.result_label == "合格"


def test_propose_needs_every_score(chain, submitted, world, outcome):
    outcome["value"] = FakeOutcome(passed=None, scored=2)
    app = _organizing(chain, submitted)
    with pytest.raises(InvalidState) as exc:
        services.application_result_propose(actor=world.users[Role.BRANCH_STAFF], application=app)
    assert exc.value.code == "not_scored" and reload(app).status == Status.ORGANIZING


def test_only_the_organizer_proposes(chain, submitted, world, outcome):
    app = _organizing(chain, submitted)  # 其他 → the branch organizes
    for role in (Role.CITY_STAFF, Role.PROVINCE_STAFF):
        with pytest.raises(PermissionDenied):
            services.application_result_propose(actor=world.users[role], application=app)
    with pytest.raises(PermissionDenied):
        services.application_result_propose(actor=world.users[Role.BRANCH_LEADER], application=app)


def test_province_organizes_provincial_enterprises(chain, eligible, world, outcome):
    Enterprise.objects.filter(pk=world.enterprises["own"].pk).update(management_level=ManagementLevel.PROVINCIAL)
    app = chain.to(chain.submit(chain.start(eligible)), Status.ORGANIZING)
    with pytest.raises(PermissionDenied):
        services.application_result_propose(actor=world.users[Role.BRANCH_STAFF], application=app)
    services.application_result_propose(actor=world.users[Role.PROVINCE_STAFF], application=app)
    with pytest.raises(PermissionDenied):
        services.application_result_confirm(actor=world.users[Role.BRANCH_LEADER], application=app,
                                            outcome=Outcome.AGREE)
    services.application_result_confirm(actor=world.users[Role.PROVINCE_LEADER], application=app,
                                        outcome=Outcome.AGREE)
    assert reload(app).status == Status.PASSED


def test_leader_sends_the_proposal_back(chain, submitted, world, outcome):
    app = _organizing(chain, submitted)
    services.application_result_propose(actor=world.users[Role.BRANCH_STAFF], application=app)
    with pytest.raises(InvalidState):
        services.application_result_confirm(actor=world.users[Role.BRANCH_LEADER], application=app,
                                            outcome=Outcome.RETURN, opinion="")
    services.application_result_confirm(actor=world.users[Role.BRANCH_LEADER], application=app,
                                        outcome=Outcome.RETURN, opinion="专家意见不完整")
    assert reload(app).status == Status.ORGANIZING


def test_a_decided_application_is_not_decided_again(chain, submitted, world, outcome):
    app = _organizing(chain, submitted)
    services.application_result_propose(actor=world.users[Role.BRANCH_STAFF], application=app)
    services.application_result_confirm(actor=world.users[Role.BRANCH_LEADER], application=app, outcome=Outcome.AGREE)
    before = ActionLog.objects.count()
    with pytest.raises(InvalidState) as exc:
        services.application_result_confirm(actor=world.users[Role.BRANCH_LEADER], application=app,
                                            outcome=Outcome.AGREE)
    assert exc.value.code == "already_decided" and ActionLog.objects.count() == before
    with pytest.raises(InvalidState):
        services.application_decide(actor=world.users[Role.BRANCH_STAFF], application=app, step=Step.BRANCH_REVIEW,
                                    outcome=Outcome.AGREE, checks={"materials_complete": True, "facts_true": True})
