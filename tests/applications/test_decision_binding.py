"""Decisions bound to exactly what the decider saw: each decision kind refuses a page that showed an
older version or older evidence, options or figures ("…已更新，请刷新后再审") and changes nothing; a
later change of what the decisions relied on voids them before the result and opens a correction after."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cpaudit.applications import services
from cpaudit.applications.models import Correction, Decision, Outcome, Status, Step
from cpaudit.applications.services.basis import basis, result_extra, seen_token
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import Option, OptionCategory, OptionStatus

from .conftest import reload
from .test_paper import record, set_paper
from .test_services_results import FakeOutcome

ALL_CHECKS = {"materials_complete": True, "facts_true": True}


def change_options(app):
    Option.objects.create(enrolment=app.enrolment, name="冷凝水回收", category=OptionCategory.LOW,
                          status=OptionStatus.IMPLEMENTED, investment=Decimal("3"), achieved_water_t=Decimal("900"))


def refused(call, app):
    before_log, before_decisions = ActionLog.objects.count(), Decision.objects.count()
    status = reload(app).status
    with pytest.raises(InvalidState) as exc:
        call()
    assert exc.value.code == "stale" and "已更新，请刷新后再审" in exc.value.message
    assert ActionLog.objects.count() == before_log and Decision.objects.count() == before_decisions
    assert reload(app).status == status


@pytest.fixture
def panel_passes(monkeypatch):
    monkeypatch.setattr("cpaudit.experts.services.panel_outcome", lambda application: FakeOutcome(passed=True))


def test_a_review_on_an_older_version_is_refused(chain, submitted, world):
    seen = seen_token(submitted)  # the reviewer opens version 1
    chain.decide(submitted, Step.BRANCH_REVIEW, outcome=Outcome.RETURN, opinion="请补充")
    services.application_submit(actor=chain.enterprise_user, application=reload(submitted))  # version 2
    refused(lambda: services.application_decide(actor=world.users[Role.BRANCH_STAFF], application=reload(submitted),
                                                step=Step.BRANCH_REVIEW, outcome=Outcome.AGREE, checks=ALL_CHECKS,
                                                seen=seen), submitted)
    decision = services.application_decide(actor=world.users[Role.BRANCH_STAFF], application=reload(submitted),
                                           step=Step.BRANCH_REVIEW, outcome=Outcome.AGREE, checks=ALL_CHECKS,
                                           seen=seen_token(reload(submitted)))
    assert decision.version.number == 2 and decision.basis == basis(submitted.enrolment_id)


@pytest.mark.parametrize("step", [Step.BRANCH_REVIEW, Step.BRANCH_APPROVAL, Step.CITY_REVIEW, Step.CITY_APPROVAL,
                                  Step.PROVINCE_REVIEW, Step.PROVINCE_APPROVAL])
def test_each_review_and_approval_refuses_changed_figures(chain, submitted, world, step):
    from .chain_table import STEP_ROLE, STEP_STATE

    app = chain.to(submitted, STEP_STATE[step])
    seen = seen_token(app)
    change_options(app)
    refused(lambda: services.application_decide(actor=world.users[STEP_ROLE[step]], application=app, step=step,
                                                outcome=Outcome.AGREE, opinion="同意", seen=seen,
                                                checks=ALL_CHECKS if step == Step.BRANCH_REVIEW else None), app)


def test_a_batch_refuses_an_application_changed_since_the_page(chain, submitted, world):
    app = chain.to(submitted, Status.BRANCH_BATCH)
    seen = {app.pk: seen_token(app)}
    change_options(app)
    refused(lambda: services.batch_submit(actor=world.users[Role.BRANCH_LEADER], campaign=app.campaign,
                                          kind=app.kind, applications=[app], seen=seen), app)
    batch = services.batch_submit(actor=world.users[Role.BRANCH_LEADER], campaign=app.campaign, kind=app.kind,
                                  applications=[app], seen={app.pk: seen_token(app)})
    assert batch.content["items"][0]["basis"] == basis(app.enrolment_id)


def test_a_paper_reply_refuses_a_stale_page(chain, submitted, world):
    set_paper(world, world.province)
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    seen = seen_token(app)
    change_options(app)
    refused(lambda: record(app, world.users[Role.CITY_STAFF], seen=seen), app)


def test_a_result_proposal_refuses_scores_it_did_not_see(chain, submitted, world, panel_passes, monkeypatch):
    app = chain.to(submitted, Status.ORGANIZING)
    seen = seen_token(app, result_extra(app))
    monkeypatch.setattr("cpaudit.applications.services.results.result_extra", lambda application: "new-scores")
    refused(lambda: services.application_result_propose(actor=world.users[Role.BRANCH_STAFF], application=app,
                                                        opinion="通过", seen=seen), app)


def test_a_result_confirmation_refuses_a_proposal_it_did_not_see(chain, submitted, world, panel_passes):
    app = chain.to(submitted, Status.ORGANIZING)
    services.application_result_propose(actor=world.users[Role.BRANCH_STAFF], application=app, opinion="通过")
    app = reload(app)
    seen = seen_token(app, result_extra(app))  # the leader opens the first proposal
    services.application_result_confirm(actor=world.users[Role.BRANCH_LEADER], application=app,
                                        outcome=Outcome.RETURN, opinion="请补充专家意见")
    services.application_result_propose(actor=world.users[Role.BRANCH_STAFF], application=reload(app), opinion="通过")
    refused(lambda: services.application_result_confirm(actor=world.users[Role.BRANCH_LEADER],
                                                        application=reload(app), outcome=Outcome.AGREE, seen=seen), app)


def test_a_blank_token_from_a_page_is_refused(chain, submitted, world):
    refused(lambda: services.application_decide(actor=world.users[Role.BRANCH_STAFF], application=submitted,
                                                step=Step.BRANCH_REVIEW, outcome=Outcome.AGREE, checks=ALL_CHECKS,
                                                seen=""), submitted)


# --- voiding and corrections -----------------------------------------------------------------------

def test_a_change_after_decisions_voids_them_and_sends_the_application_back(chain, submitted, world):
    app = chain.to(submitted, Status.CITY_REVIEW)
    assert app.branch_batch is not None
    change_options(app)
    services.basis_changed(actor=chain.enterprise_user, enrolment_id=app.enrolment_id, cause="企业修改清洁生产方案")
    app = reload(app)
    assert app.status == Status.BRANCH_REVIEW and app.branch_batch is None
    voided = Decision.objects.filter(application=app, voided_at__isnull=False)
    assert set(voided.values_list("step", flat=True)) == {Step.BRANCH_REVIEW, Step.BRANCH_APPROVAL}
    assert "清洁生产方案已变更" in voided.first().void_reason
    entry = ActionLog.objects.order_by("-seq").first()
    assert entry.action == "applications.application.decisions_voided" and entry.actor_id == chain.enterprise_user.pk
    assert world.users[Role.BRANCH_STAFF].notifications.filter(text__contains="作废").exists()
    # The branch looks again: a new decision on the new basis.
    chain.decide(app, Step.BRANCH_REVIEW)
    assert reload(app).status == Status.BRANCH_APPROVAL


def test_a_change_that_no_decision_relied_on_voids_nothing(chain, submitted, world):
    before = ActionLog.objects.count()
    services.basis_changed(actor=chain.enterprise_user, enrolment_id=submitted.enrolment_id, cause="无变化")
    assert reload(submitted).status == Status.BRANCH_REVIEW and ActionLog.objects.count() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_basis_changed_runs_only_inside_the_changing_transaction():
    from cpaudit.core.actors import SystemActor

    with pytest.raises(RuntimeError):
        services.basis_changed(actor=SystemActor("pytest"), enrolment_id=1, cause="outside")


def test_after_the_result_a_change_opens_a_correction_the_organizer_reviews(chain, submitted, world, panel_passes,
                                                                          client):
    app = chain.to(submitted, Status.ORGANIZING)
    services.application_result_propose(actor=world.users[Role.BRANCH_STAFF], application=app, opinion="通过")
    services.application_result_confirm(actor=world.users[Role.BRANCH_LEADER], application=reload(app),
                                        outcome=Outcome.AGREE)
    app = reload(app)
    assert app.status == Status.PASSED
    change_options(app)
    services.basis_changed(actor=chain.enterprise_user, enrolment_id=app.enrolment_id, cause="企业修改清洁生产方案")
    app = reload(app)
    assert app.status == Status.PASSED and not Decision.objects.filter(voided_at__isnull=False).exists()
    correction = Correction.objects.get(application=app)
    assert correction.state == Correction.State.OPEN and "清洁生产方案" in correction.cause
    # The same change again opens nothing new.
    services.basis_changed(actor=chain.enterprise_user, enrolment_id=app.enrolment_id, cause="再次保存")
    assert Correction.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.correction_review(actor=world.users[Role.CITY_STAFF], correction=correction, note="无影响")
    with pytest.raises(ValidationError):
        services.correction_review(actor=world.users[Role.BRANCH_STAFF], correction=correction, note="")
    services.correction_review(actor=world.users[Role.BRANCH_STAFF], correction=correction,
                               note="新增无/低费方案，不影响验收结论")
    correction.refresh_from_db()
    assert correction.state == Correction.State.REVIEWED
    client.force_login(world.users[Role.ENTERPRISE])
    html = client.get(f"/applications/{app.pk}/").content.decode()
    assert "结论后变更" in html and "不影响验收结论" in html


def test_the_progress_services_void_what_relied_on_them(chain, submitted, world):
    """The option, figures and evidence services report their change in their own transaction."""
    from cpaudit.progress.services.options import option_save

    app = chain.to(submitted, Status.BRANCH_BATCH)
    option_save(actor=chain.enterprise_user, enrolment=app.enrolment, data={
        "name": "节水龙头更换", "category": "low", "investment": "0.5", "status": "proposed"})
    app = reload(app)
    assert app.status == Status.BRANCH_REVIEW
    entries = list(ActionLog.objects.order_by("-seq").values_list("action", flat=True)[:2])
    assert entries == ["applications.application.decisions_voided", "progress.option.created"]


# --- declarations of interest (事前有防) ------------------------------------------------------------

def _undeclare(user):
    from cpaudit.integrity.models import Declaration

    Declaration.objects.filter(user=user).update(is_current=False)


@pytest.mark.parametrize("state,call", [
    (Status.BRANCH_REVIEW, lambda w, a: services.application_decide(
        actor=w.users[Role.BRANCH_STAFF], application=a, step=Step.BRANCH_REVIEW, outcome=Outcome.AGREE,
        checks=ALL_CHECKS)),
    (Status.BRANCH_BATCH, lambda w, a: services.batch_submit(
        actor=w.users[Role.BRANCH_LEADER], campaign=a.campaign, kind=a.kind, applications=[a])),
    (Status.ORGANIZING, lambda w, a: services.application_result_propose(
        actor=w.users[Role.BRANCH_STAFF], application=a, opinion="通过")),
])
def test_a_decision_needs_a_current_declaration(chain, submitted, world, panel_passes, state, call):
    app = chain.to(submitted, state)
    actor_role = Role.BRANCH_LEADER if state == Status.BRANCH_BATCH else Role.BRANCH_STAFF
    _undeclare(world.users[actor_role])
    before = ActionLog.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        call(world, reload(app))
    assert "利益关系申报" in str(exc.value) and reload(app).status == state
    assert ActionLog.objects.count() == before


def test_a_paper_reply_needs_the_recorder_s_declaration(chain, submitted, world):
    set_paper(world, world.province)
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    _undeclare(world.users[Role.CITY_STAFF])
    with pytest.raises(PermissionDenied):
        record(app, world.users[Role.CITY_STAFF])
    assert reload(app).status == Status.PROVINCE_REVIEW
