"""The chain's reviews and approvals: each step in each state, by each role, jurisdiction, returns
and resubmission, separation of duties, recusal (authority.md § The application chain)."""

import pytest

from cpaudit.applications import services
from cpaudit.applications.models import Application, Decision, Level, Outcome, Status, Step
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.integrity.models import TieKind
from cpaudit.org.roles import Role
from tests.factories import declare, make_user

from .chain_table import AGREE_TO, STEP_LEVEL, STEP_ROLE, STEP_STATE
from .conftest import reload

ALL_CHECKS = {"materials_complete": True, "facts_true": True}


def _args(step, app):
    return {"opinion": "同意", "checks": ALL_CHECKS if step == Step.BRANCH_REVIEW else None}


def test_happy_path_reaches_the_organizer_with_one_decision_and_one_entry_per_step(chain, submitted):
    before = ActionLog.objects.count()
    app = chain.to(submitted, Status.ORGANIZING)
    steps = list(Decision.objects.filter(application=app).values_list("step", flat=True))
    assert steps == [Step.BRANCH_REVIEW, Step.BRANCH_APPROVAL, Step.CITY_REVIEW, Step.CITY_APPROVAL,
                     Step.PROVINCE_REVIEW, Step.PROVINCE_APPROVAL]
    # six decisions + two batches (one letter entry and one forwarded entry each)
    assert ActionLog.objects.count() - before == 6 + 4
    assert app.organizer == chain.world.branch_a and app.organizer_level == Level.BRANCH
    assert all(d.version.number == 1 for d in app.decisions.all())


@pytest.mark.parametrize("step", list(STEP_ROLE))
@pytest.mark.parametrize("state", [s for s in Status if s not in (Status.DRAFT,)])
def test_each_step_only_in_its_state(chain, submitted, step, state):
    app = submitted
    Application.objects.filter(pk=app.pk).update(status=state)
    actor = chain.world.users[STEP_ROLE[step]]
    before = ActionLog.objects.count()
    if STEP_STATE[step] == state:
        services.application_decide(actor=actor, application=app, step=step, outcome=Outcome.AGREE,
                                    **_args(step, app))
        assert reload(app).status != state
    else:
        with pytest.raises(InvalidState) as exc:
            services.application_decide(actor=actor, application=app, step=step, outcome=Outcome.AGREE,
                                        **_args(step, app))
        assert "不能" in exc.value.message
        assert reload(app).status == state
        assert ActionLog.objects.count() == before


@pytest.mark.parametrize("step", list(STEP_ROLE))
@pytest.mark.parametrize("role", list(Role))
def test_each_step_only_by_its_role(chain, submitted, step, role):
    app = submitted
    Application.objects.filter(pk=app.pk).update(status=STEP_STATE[step])
    actor = chain.world.users[role]
    before = ActionLog.objects.count()
    if role == STEP_ROLE[step]:
        services.application_decide(actor=actor, application=app, step=step, outcome=Outcome.AGREE,
                                    **_args(step, app))
        assert reload(app).status == AGREE_TO[step]
    else:
        with pytest.raises(PermissionDenied):
            services.application_decide(actor=actor, application=app, step=step, outcome=Outcome.AGREE,
                                        **_args(step, app))
        assert ActionLog.objects.count() == before
        assert not Decision.objects.filter(application=app).exists()


@pytest.mark.parametrize("step,agency", [(Step.BRANCH_REVIEW, "branch_b"), (Step.CITY_REVIEW, "sjz"),
                                         (Step.BRANCH_REVIEW, "branch_sjz")])
def test_staff_of_another_agency_cannot_decide(chain, submitted, step, agency):
    app = submitted
    Application.objects.filter(pk=app.pk).update(status=STEP_STATE[step])
    outsider = make_user(f"out_{step}_{agency}", STEP_ROLE[step], agency=getattr(chain.world, agency))
    with pytest.raises((PermissionDenied, )):
        services.application_decide(actor=outsider, application=app, step=step, outcome=Outcome.AGREE,
                                    **_args(step, app))
    assert reload(app).status == STEP_STATE[step]


def test_province_of_another_province_cannot_decide(chain, submitted, world):
    from tests.factories import make_agency

    other = make_agency("山西省生态环境厅", "province", "140000")
    outsider = make_user("sx_pstaff", Role.PROVINCE_STAFF, agency=other)
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    with pytest.raises(PermissionDenied):
        services.application_decide(actor=outsider, application=app, step=Step.PROVINCE_REVIEW,
                                    outcome=Outcome.AGREE, opinion="同意")


@pytest.mark.parametrize("step", list(STEP_ROLE))
def test_return_at_any_step_goes_back_to_the_enterprise_with_reason_and_level(chain, submitted, step):
    app = submitted
    Application.objects.filter(pk=app.pk).update(status=STEP_STATE[step])
    services.application_decide(actor=chain.world.users[STEP_ROLE[step]], application=app, step=step,
                                outcome=Outcome.RETURN, opinion="材料不全，请补充")
    app = reload(app)
    assert app.status == Status.RETURNED
    assert app.return_reason == "材料不全，请补充"
    assert app.returned_level == STEP_LEVEL[step]
    entry = ActionLog.objects.order_by("-seq").first()
    assert entry.action == f"applications.application.{step}" and entry.data["outcome"] == "return"
    assert chain.enterprise_user.notifications.filter(text__contains="退回").exists()


def test_return_needs_a_reason_and_changes_nothing_without(chain, submitted):
    before = ActionLog.objects.count()
    with pytest.raises(InvalidState) as exc:
        services.application_decide(actor=chain.world.users[Role.BRANCH_STAFF], application=submitted,
                                    step=Step.BRANCH_REVIEW, outcome=Outcome.RETURN, opinion="  ")
    assert exc.value.code == "reason_required"
    assert reload(submitted).status == Status.BRANCH_REVIEW and ActionLog.objects.count() == before


def test_resubmission_runs_the_chain_again_from_the_branch_on_a_new_version(chain, submitted):
    app = chain.to(submitted, Status.CITY_REVIEW)
    app = chain.decide(app, Step.CITY_REVIEW, outcome=Outcome.RETURN, opinion="企业类型填写有误")
    services.application_save(actor=chain.enterprise_user, application=app, data={"enterprise_type": "shuangyou1"})
    app = chain.submit(app)
    assert app.status == Status.BRANCH_REVIEW and app.return_reason == ""
    assert app.versions.count() == 2
    app = chain.decide(app, Step.BRANCH_REVIEW)
    latest = app.decisions.order_by("-pk").first()
    assert latest.version.number == 2  # a decision is bound to the content it decided on
    entry = ActionLog.objects.filter(action="applications.application.resubmitted").get()
    assert entry.data["version"] == 2 and len(entry.data["digest"]) == 64


def test_branch_review_needs_both_checks_and_cannot_agree_with_a_no(chain, submitted):
    staff = chain.world.users[Role.BRANCH_STAFF]
    with pytest.raises(InvalidState) as exc:
        services.application_decide(actor=staff, application=submitted, step=Step.BRANCH_REVIEW,
                                    outcome=Outcome.AGREE, checks={"materials_complete": True})
    assert "企业实际情况是否属实" in exc.value.message
    with pytest.raises(InvalidState) as exc:
        services.application_decide(actor=staff, application=submitted, step=Step.BRANCH_REVIEW,
                                    outcome=Outcome.AGREE, checks={"materials_complete": False, "facts_true": True})
    assert exc.value.code == "checks_failed"
    decision = services.application_decide(actor=staff, application=submitted, step=Step.BRANCH_REVIEW,
                                           outcome=Outcome.AGREE, checks=ALL_CHECKS)
    assert decision.opinion == "同意上报" and decision.checks == ALL_CHECKS


@pytest.mark.parametrize("step", [Step.CITY_REVIEW, Step.PROVINCE_REVIEW])
def test_city_and_province_opinions_are_required_they_print_on_the_form(chain, submitted, step):
    app = submitted
    Application.objects.filter(pk=app.pk).update(status=STEP_STATE[step])
    with pytest.raises(InvalidState) as exc:
        services.application_decide(actor=chain.world.users[STEP_ROLE[step]], application=app, step=step,
                                    outcome=Outcome.AGREE, opinion="")
    assert exc.value.code == "opinion_required"


def test_the_reviewer_cannot_approve_their_own_opinion(chain, submitted, world):
    # Same person holding the leader role is impossible (one role per account); simulate a data error.
    app = chain.decide(submitted, Step.BRANCH_REVIEW)
    leader = world.users[Role.BRANCH_LEADER]
    Decision.objects.filter(application=app).update(actor=leader)
    with pytest.raises(PermissionDenied) as exc:
        services.application_decide(actor=leader, application=app, step=Step.BRANCH_APPROVAL,
                                    outcome=Outcome.AGREE)
    assert "职责分离" in exc.value.message


def test_a_staff_member_tied_to_the_enterprise_must_recuse(chain, submitted, world):
    staff = world.users[Role.BRANCH_STAFF]
    declare(staff, ties=[(TieKind.FAMILY, world.enterprises["own"])])
    before = ActionLog.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        services.application_decide(actor=staff, application=submitted, step=Step.BRANCH_REVIEW,
                                    outcome=Outcome.AGREE, checks=ALL_CHECKS)
    assert "回避" in exc.value.message and ActionLog.objects.count() == before


def test_a_tie_with_the_consulting_agency_also_recuses(chain, submitted, world):
    staff = world.users[Role.BRANCH_STAFF]
    declare(staff, ties=[(TieKind.FORMER_EMPLOYER, world.consulting)])
    with pytest.raises(PermissionDenied):
        services.application_decide(actor=staff, application=submitted, step=Step.BRANCH_REVIEW,
                                    outcome=Outcome.AGREE, checks=ALL_CHECKS)


def test_dingzhou_is_branch_and_city_level_with_two_people_and_no_letter_to_itself(chain, world, dingzhou_users):
    from .conftest import Chain, complete_steps, enrolment_of

    enrolment = enrolment_of(world, "dingzhou")
    complete_steps(enrolment)
    dz = Chain(world, dingzhou_users[Role.ENTERPRISE])
    app = dz.submit(dz.start(enrolment))
    app = dz.decide(app, Step.BRANCH_REVIEW, actor=dingzhou_users[Role.BRANCH_STAFF])
    app = dz.decide(app, Step.BRANCH_APPROVAL, actor=dingzhou_users[Role.BRANCH_LEADER])
    assert app.status == Status.CITY_REVIEW and app.branch_batch is None
    # Baoding's city staff have no say on 定州 (it reports straight to the province).
    with pytest.raises(PermissionDenied):
        services.application_decide(actor=world.users[Role.CITY_STAFF], application=app, step=Step.CITY_REVIEW,
                                    outcome=Outcome.AGREE, opinion="同意")
    app = dz.decide(app, Step.CITY_REVIEW, actor=dingzhou_users[Role.CITY_STAFF])
    app = dz.decide(app, Step.CITY_APPROVAL, actor=dingzhou_users[Role.CITY_LEADER])
    batch = services.batch_submit(actor=dingzhou_users[Role.CITY_LEADER], campaign=app.campaign, kind=app.kind,
                                  applications=[app])
    assert batch.recipient == world.province and reload(app).status == Status.PROVINCE_REVIEW
    reviewers = set(app.decisions.values_list("actor_id", flat=True))
    assert len(reviewers) == 4


def test_system_actor_cannot_take_a_decision(chain, submitted, system_actor):
    with pytest.raises(PermissionDenied):
        services.application_decide(actor=system_actor, application=submitted, step=Step.BRANCH_REVIEW,
                                    outcome=Outcome.AGREE, checks=ALL_CHECKS)


def test_unknown_step_and_outcome_are_refused(chain, submitted):
    staff = chain.world.users[Role.BRANCH_STAFF]
    with pytest.raises(InvalidState):
        services.application_decide(actor=staff, application=submitted, step="nope", outcome=Outcome.AGREE)
    with pytest.raises(InvalidState):
        services.application_decide(actor=staff, application=submitted, step=Step.BRANCH_REVIEW, outcome="maybe",
                                    checks=ALL_CHECKS)


def test_a_return_clears_the_batches_of_that_round(chain, submitted):
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    assert app.branch_batch is not None and app.city_batch is not None
    app = chain.decide(app, Step.PROVINCE_REVIEW, outcome=Outcome.RETURN, opinion="请补充监测报告")
    assert app.branch_batch is None and app.city_batch is None


def test_the_city_is_asked_to_assist_a_provincial_enterprise(chain, eligible, world):
    from cpaudit.registry.models import Enterprise, ManagementLevel

    Enterprise.objects.filter(pk=world.enterprises["own"].pk).update(management_level=ManagementLevel.PROVINCIAL)
    chain.to(chain.submit(chain.start(eligible)), Status.ORGANIZING)
    assert world.users[Role.CITY_STAFF].notifications.filter(text__contains="请市局协助").exists()
