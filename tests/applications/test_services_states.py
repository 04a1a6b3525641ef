"""Every action that is not a chain step (save, submit, batch, propose, confirm), tried in every state:
it works in its own state(s) and is refused in all others with a message and no change."""

from decimal import Decimal

import pytest

from cpaudit.applications import services
from cpaudit.applications.models import Application, Decision, Outcome, Status, Step
from cpaudit.core.errors import InvalidState
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role

from .conftest import reload
from .test_services_results import FakeOutcome

ACTIONS = {
    "save": ({Status.DRAFT, Status.RETURNED}, lambda w, a: services.application_save(
        actor=w.users[Role.ENTERPRISE], application=a, data={"nature": "股份有限公司"})),
    "submit": ({Status.DRAFT, Status.RETURNED}, lambda w, a: services.application_submit(
        actor=w.users[Role.ENTERPRISE], application=a)),
    "branch_batch": ({Status.BRANCH_BATCH}, lambda w, a: services.batch_submit(
        actor=w.users[Role.BRANCH_LEADER], campaign=a.campaign, kind=a.kind, applications=[a])),
    "city_batch": ({Status.CITY_BATCH}, lambda w, a: services.batch_submit(
        actor=w.users[Role.CITY_LEADER], campaign=a.campaign, kind=a.kind, applications=[a])),
    "propose": ({Status.ORGANIZING}, lambda w, a: services.application_result_propose(
        actor=w.users[Role.BRANCH_STAFF], application=a, opinion="同意通过")),
    "confirm": ({Status.RESULT_PENDING}, lambda w, a: services.application_result_confirm(
        actor=w.users[Role.BRANCH_LEADER], application=a, outcome=Outcome.AGREE)),
}


@pytest.fixture
def panel_passes(monkeypatch):
    monkeypatch.setattr("cpaudit.experts.services.panel_outcome",
                        lambda application: FakeOutcome(passed=True, average=Decimal("75.0")))


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("state", list(Status))
def test_action_in_state(chain, submitted, world, panel_passes, action, state):
    allowed, call = ACTIONS[action]
    app = submitted
    Application.objects.filter(pk=app.pk).update(status=state)
    if state == Status.RESULT_PENDING:  # a proposal exists in that state
        Decision.objects.create(application=app, version=app.versions.get(), step=Step.RESULT_PROPOSAL,
                                outcome=Outcome.AGREE, opinion="同意通过", checks={"passed": True},
                                actor=world.users[Role.BRANCH_STAFF], actor_name="经办", agency=world.branch_a,
                                decided_at=app.submitted_at)
    app = reload(app)
    before = ActionLog.objects.count()
    if state in allowed:
        call(world, app)
        assert ActionLog.objects.count() > before
        assert reload(app).status != state or action == "save"
    else:
        with pytest.raises(InvalidState) as exc:
            call(world, app)
        assert "不能" in exc.value.message
        assert reload(app).status == state and ActionLog.objects.count() == before
