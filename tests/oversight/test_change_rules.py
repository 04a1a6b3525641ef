"""The change rules on planted data: a confirmed step reopened by the branch, an enterprise's options
or figures changed within days after a decision on its application — and the chain's own reopening
after a failed 评估 left alone."""

import datetime as dt
from decimal import Decimal

import pytest

from cpaudit.applications.models import Step
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.oversight.models import Finding, Rule
from cpaudit.oversight.services import anomaly_run
from cpaudit.progress.models import StepRecord
from cpaudit.progress.services.options import option_save
from cpaudit.progress.services.steps import step_confirm, step_record, step_reopen

from .helpers import own_client, submitted

pytestmark = pytest.mark.django_db


def _run(world, rule):
    anomaly_run(actor=world.users[Role.AUDIT_ADMIN])
    return list(Finding.objects.filter(rule=rule).order_by("pk"))


def test_a_confirmed_step_reopened_is_found_with_its_confirmation(world, at):
    enrolment, _ = own_client(world)
    staff = world.users[Role.BRANCH_STAFF]
    at("2020-08-03 10:00")
    record = step_record(actor=world.users[Role.ENTERPRISE], enrolment=enrolment, step_number=28, status="completed",
                         start_date=dt.date(2020, 7, 1), completion_date=dt.date(2020, 7, 30))
    at("2020-08-04 10:00")
    step_confirm(actor=staff, record=record)
    at("2020-08-10 10:00")
    step_reopen(actor=staff, record=StepRecord.objects.get(pk=record.pk), reason="企业补报了监测数据")
    [finding] = _run(world, Rule.REOPENED)
    confirm = ActionLog.objects.get(action="progress.step.confirmed")
    reopen = ActionLog.objects.get(action="progress.step.reopened")
    assert finding.log_seqs == [confirm.seq, reopen.seq] and finding.official == staff
    assert "第28步" in finding.summary and "企业补报了监测数据" in finding.summary


def test_options_changed_right_after_a_decision_are_found_not_weeks_later(world, at, settings):
    enrolment, chain = own_client(world)
    at("2020-07-27 10:00")
    app = submitted(chain, enrolment)
    at("2020-07-28 10:00")
    chain.decide(app, Step.BRANCH_REVIEW)
    at("2020-07-30 16:00")  # two days after the review: the enterprise changes an option
    option_save(actor=world.users[Role.ENTERPRISE], enrolment=enrolment,
                data={"name": "冷凝水回收", "investment": Decimal("12")})
    [finding] = _run(world, Rule.FIGURES)
    review = ActionLog.objects.get(action="applications.application.branch_review")
    change = ActionLog.objects.get(action="progress.option.created")
    assert finding.log_seqs == [review.seq, change.seq] and finding.official == world.users[Role.BRANCH_STAFF]
    assert finding.details["间隔（小时）"] == 54.0
    settings.CPAUDIT_ANOMALY_FIGURES_DAYS = 2
    anomaly_run(actor=world.users[Role.AUDIT_ADMIN])
    finding.refresh_from_db()
    assert not finding.present
