"""Hints for the reviewer: a 中/高费 option implemented before the 评估 (selectors.consistency)."""

import datetime as dt

import pytest

from cpaudit.applications.models import Application, Kind, Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.progress.models import OptionCategory, OptionStatus
from cpaudit.progress.selectors.consistency import IMPLEMENTED_BEFORE_EVALUATION, option_flags

S = OptionStatus


@pytest.fixture
def enrolment(world):
    return Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises["own"])


def high(options_make, enrolment, name, status=S.IMPLEMENTED, day=dt.date(2020, 6, 1), category=OptionCategory.HIGH):
    return options_make(enrolment, name=name, category=category, investment=80, status=status,
                        actual_date=day if status == S.IMPLEMENTED else None)


def passed(world, enrolment, day, status=Status.PASSED):
    return Application.objects.create(campaign=world.campaign, enrolment=enrolment, kind=Kind.EVALUATION,
                                      status=status, passed=status == Status.PASSED, result_date=day)


def test_implemented_before_the_evaluation_passed_is_flagged_with_both_dates(world, enrolment, options_make):
    passed(world, enrolment, dt.date(2020, 7, 10))
    high(options_make, enrolment, "中水回用工程", day=dt.date(2020, 6, 1))
    high(options_make, enrolment, "余热回收", day=dt.date(2020, 7, 10))  # the same day: after the decision
    high(options_make, enrolment, "光伏发电", day=dt.date(2020, 8, 1))
    high(options_make, enrolment, "照明改造", day=dt.date(2020, 5, 1), category=OptionCategory.LOW)
    high(options_make, enrolment, "浆料回收", status=S.IMPLEMENTING)
    assert option_flags(enrolment, Kind.ACCEPTANCE) == [{
        "code": IMPLEMENTED_BEFORE_EVALUATION,
        "message": "中/高费方案「中水回用工程」实际完成日期为2020年6月1日，早于评估通过日期（2020年7月10日）："
                   "中/高费方案应在评估通过后实施，请核实"}]


def test_implemented_while_the_evaluation_has_not_passed(world, enrolment, options_make):
    passed(world, enrolment, dt.date(2020, 7, 10), status=Status.FAILED)  # a failed one does not count
    high(options_make, enrolment, "中水回用工程", day=dt.date(2020, 6, 1))
    flags = option_flags(enrolment, Kind.EVALUATION)
    assert [f["code"] for f in flags] == [IMPLEMENTED_BEFORE_EVALUATION]
    assert flags[0]["message"] == ("中/高费方案「中水回用工程」实际完成日期为2020年6月1日，而本次申请的评估尚未通过："
                                   "中/高费方案应在评估通过后实施，请核实")


def test_nothing_to_flag(world, enrolment, options_make, django_assert_num_queries):
    high(options_make, enrolment, "浆料回收", status=S.SCREENED)
    with django_assert_num_queries(2):
        assert option_flags(enrolment, Kind.EVALUATION) == []
