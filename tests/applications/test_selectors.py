"""selectors: what awaits whom (todo), lateness per phase, and the summary's counts."""

import datetime as dt

import pytest

from cpaudit.applications import selectors
from cpaudit.applications.models import Application, Kind, Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role

from .viewfixtures import make_application

pytestmark = pytest.mark.django_db


def todo_names(user):
    return sorted(a.enrolment.enterprise.name for a in selectors.todo(user))


def test_todo_by_role_and_organizer(world):
    make_application(world, status=Status.ORGANIZING)  # organizer: branch_a
    make_application(world, "other_county", status=Status.RESULT_PENDING)  # organizer: branch_b
    make_application(world, "same_county", status=Status.CITY_APPROVAL)
    u = world.users
    assert todo_names(u[Role.BRANCH_STAFF]) == ["自有测试企业有限公司"]
    assert todo_names(u[Role.BRANCH_LEADER]) == []  # branch_b's result is not branch_a's to confirm
    assert todo_names(u[Role.CITY_LEADER]) == ["同县测试企业有限公司"]
    assert todo_names(u[Role.CITY_STAFF]) == []  # organizing is the organizer's (a branch here)
    assert todo_names(u[Role.ENTERPRISE]) == []
    assert todo_names(u[Role.SYSTEM_ADMIN]) == []


def test_is_late_by_phase(world):
    campaign = world.campaign
    evaluation = make_application(world, status=Status.BRANCH_REVIEW)
    acceptance = make_application(world, status=Status.BRANCH_REVIEW, kind=Kind.ACCEPTANCE)
    after_evaluation = campaign.evaluation_deadline + dt.timedelta(days=1)
    assert selectors.is_late(evaluation, after_evaluation)
    assert not selectors.is_late(acceptance, after_evaluation)
    Application.objects.filter(pk=evaluation.pk).update(status=Status.PASSED, passed=True,
                                                        result_date=campaign.evaluation_deadline)
    evaluation.refresh_from_db()
    assert not selectors.is_late(evaluation, campaign.acceptance_deadline)


def test_summary_counts(world):
    make_application(world, status=Status.BRANCH_REVIEW)
    make_application(world, "same_county", status=Status.RETURNED)
    make_application(world, "other_county", status=Status.FAILED, passed=False, result_date=dt.date(2020, 9, 1))
    make_application(world, "other_city", status=Status.DRAFT)
    result = selectors.summary(world.users[Role.CITY_STAFF], world.campaign, Kind.EVALUATION, dt.date(2020, 7, 28))
    total = result.total
    assert (total.applied, total.drafting, total.in_review, total.returned, total.failed, total.pending) == \
        (3, 0, 1, 1, 1, 2)
    assert total.late == 1  # decided after the evaluation deadline
    assert [r.code for r in result.rows] == ["130602", "130606"] and result.group_label == "县（市、区）"


def test_summary_counts_an_enterprise_once_after_a_failed_evaluation(world):
    make_application(world, status=Status.FAILED, passed=False, result_date=dt.date(2020, 7, 1))
    enrol = Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises["own"])
    make_application(world, status=Status.BRANCH_REVIEW, enrol=enrol)
    total = selectors.summary(world.users[Role.BRANCH_STAFF], world.campaign, Kind.EVALUATION,
                              dt.date(2020, 7, 28)).total
    assert (total.applied, total.failed, total.in_review) == (1, 0, 1)
