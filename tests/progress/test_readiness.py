"""What an application relies on (services.derived blockers, selectors.readiness, and the applications'
eligibility built on them): steps completed and confirmed by the branch, deliverables with their file,
every 中/高费 option implemented or abandoned with a reason before 验收."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpaudit.applications import services as applications
from cpaudit.applications.models import Application, Kind, Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.core import clock
from cpaudit.core.errors import InvalidState
from cpaudit.org.roles import Role
from cpaudit.progress.models import (
    Evidence,
    OptionCategory,
    OptionStatus,
    ReviewStatus,
    StepRecord,
    StepStatus,
)
from cpaudit.progress.selectors import readiness
from cpaudit.progress.services import derived
from tests.factories import complete_audit, make_enterprise

C, S = StepStatus.COMPLETED, OptionStatus
TODAY = dt.date(2020, 7, 28)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def own(world) -> Enrolment:
    return Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises["own"])


def unconfirm(enrolment, *numbers):
    StepRecord.objects.filter(enrolment=enrolment, step_id__in=numbers).update(review=ReviewStatus.PENDING)


def passed_evaluation(world, enrolment, day=dt.date(2020, 7, 10)):
    return Application.objects.create(campaign=world.campaign, enrolment=enrolment, kind=Kind.EVALUATION,
                                      status=Status.PASSED, passed=True, result_date=day)


# --- the pure rule ----------------------------------------------------------------------------------

class R:
    def __init__(self, step_id, status=C, review=ReviewStatus.CONFIRMED):
        self.step_id, self.status, self.review = step_id, status, review


def test_nothing_blocks_a_confirmed_audit_with_its_files():
    records = [R(n) for n in range(1, 28)]
    assert not derived.evaluation_blockers(records, {22, 27})
    assert derived.evaluation_blockers(records, {22, 27}).reasons() == []


def test_each_kind_of_blocker_is_named():
    records = [R(n) for n in range(1, 28) if n not in (25, 26)]
    records = [R(r.step_id, review=ReviewStatus.PENDING) if r.step_id in (18, 22) else r for r in records]
    blockers = derived.evaluation_blockers(records, {22})
    assert blockers.not_completed == (25, 26) and blockers.missing_file == (27,)
    assert blockers.not_confirmed == (18, 22)
    assert blockers.message("评估") == (
        "审核尚未完成第25、26步；第27步（清洁生产审核报告（送评估稿））尚未上传成果文件；"
        "第18、22步尚未经分局核实，暂不能申请评估")


def test_steps_are_listed_as_ranges():
    assert derived.steps_text([1, 2, 3, 5, 7, 8, 10, 11, 12, 13]) == "第1至3、5、7、8、10至13步"
    assert derived.evaluation_blockers([], ()).message("评估") == "审核尚未完成第1至27步，暂不能申请评估"


def test_acceptance_relies_on_all_35_steps_and_the_options():
    records = [R(n) for n in range(1, 36)]
    assert not derived.acceptance_blockers(records, {22, 27, 35})
    assert derived.acceptance_blockers(records, {22, 27}).missing_file == (35,)
    blockers = derived.acceptance_blockers(records, {22, 27, 35}, ["「中水回用」（实施中）"])
    assert blockers.message("验收") == "中/高费方案须已实施，或填写理由后放弃：「中水回用」（实施中），暂不能申请验收"


# --- the applications' eligibility --------------------------------------------------------------------

def test_unconfirmed_steps_refuse_the_start_and_are_named(world):
    enrolment = own(world)
    complete_audit(enrolment, through=27)
    unconfirm(enrolment, 18, 22)
    with pytest.raises(InvalidState) as exc:
        applications.application_start(actor=world.users[Role.ENTERPRISE], enrolment=enrolment,
                                        kind=Kind.EVALUATION)
    assert exc.value.code == "not_eligible" and exc.value.message == "第18、22步尚未经分局核实，暂不能申请评估"
    assert not Application.objects.exists()


def test_a_deliverable_without_its_file_refuses_the_start(world):
    enrolment = own(world)
    complete_audit(enrolment, through=27)
    Evidence.objects.filter(record__enrolment=enrolment, record__step_id=22).update(is_current=False)
    ok, why = applications.eligibility(enrolment, Kind.EVALUATION)
    assert not ok and why == "第22步（中期审核报告）尚未上传成果文件，暂不能申请评估"


def test_completed_but_unreviewed_steps_18_to_27_no_longer_open_the_application(world):
    """The issue's case: steps marked done with no file and nobody at the branch looking."""
    enrolment = own(world)
    complete_audit(enrolment, through=17)
    complete_audit(enrolment, through=27, confirmed=False, evidence=False)
    complete_audit(enrolment, through=17)  # 1–17 confirmed again (the call above left them pending)
    ok, why = applications.eligibility(enrolment, Kind.EVALUATION)
    assert not ok and "第18至27步尚未经分局核实" in why and "第22步（中期审核报告）" in why


def test_a_step_unconfirmed_after_the_start_refuses_the_submission(world):
    enrolment = own(world)
    complete_audit(enrolment, through=27)
    app = applications.application_start(actor=world.users[Role.ENTERPRISE], enrolment=enrolment,
                                         kind=Kind.EVALUATION)
    unconfirm(enrolment, 27)
    with pytest.raises(InvalidState) as exc:
        applications.application_submit(actor=world.users[Role.ENTERPRISE], application=app)
    assert exc.value.message == "第27步尚未经分局核实，暂不能申请评估"
    assert Application.objects.get(pk=app.pk).status == Status.DRAFT


def test_acceptance_waits_for_steps_28_to_35_confirmed_and_step_35_file(world):
    enrolment = own(world)
    complete_audit(enrolment, through=27)
    passed_evaluation(world, enrolment)
    complete_audit(enrolment, through=35, confirmed=False, evidence=False)
    complete_audit(enrolment, through=27)
    ok, why = applications.eligibility(enrolment, Kind.ACCEPTANCE)
    assert not ok and why == ("第35步（清洁生产审核报告（终稿）/ 清洁生产审核验收报告）尚未上传成果文件；"
                              "第28至35步尚未经分局核实，暂不能申请验收")
    complete_audit(enrolment, through=35)
    assert applications.eligibility(enrolment, Kind.ACCEPTANCE) == (True, "")


@pytest.mark.parametrize(("status", "reason", "blocks"), [
    (S.PROPOSED, "", True), (S.SCREENED, "", True), (S.IMPLEMENTING, "", True),
    (S.ABANDONED, "", True), (S.ABANDONED, "厂区搬迁，方案取消", False),
    (S.IMPLEMENTED, "", False),
])
def test_acceptance_needs_every_high_cost_option_implemented_or_abandoned_with_a_reason(
        world, options_make, status, reason, blocks):
    enrolment = own(world)
    complete_audit(enrolment, through=35)
    passed_evaluation(world, enrolment)
    options_make(enrolment, name="中水回用工程", category=OptionCategory.HIGH, investment=80, status=status,
                 abandon_reason=reason, actual_date=dt.date(2020, 7, 20) if status == S.IMPLEMENTED else None)
    options_make(enrolment, name="照明改造", category=OptionCategory.LOW, status=S.IMPLEMENTING)  # never blocks
    ok, why = applications.eligibility(enrolment, Kind.ACCEPTANCE)
    assert ok is not blocks
    if blocks:
        state = "已放弃但未填写理由" if status == S.ABANDONED else OptionStatus(status).label
        assert why == f"中/高费方案须已实施，或填写理由后放弃：「中水回用工程」（{state}），暂不能申请验收"
        with pytest.raises(InvalidState):
            applications.application_start(actor=world.users[Role.ENTERPRISE], enrolment=enrolment,
                                            kind=Kind.ACCEPTANCE)
    # 评估 never waits for the options: they are implemented after it.
    assert applications.eligibility(enrolment, Kind.EVALUATION) == (True, "")


def test_open_options_are_named_in_order(world, options_make):
    enrolment = own(world)
    options_make(enrolment, name="甲", category=OptionCategory.HIGH, status=S.SCREENED)
    options_make(enrolment, name="乙", category=OptionCategory.HIGH, status=S.IMPLEMENTED,
                 actual_date=dt.date(2020, 7, 1))
    options_make(enrolment, name="丙", category=OptionCategory.HIGH, status=S.IMPLEMENTING)
    assert readiness.open_high_options([enrolment.pk]) == {enrolment.pk: ["「甲」（筛选通过）", "「丙」（实施中）"]}


def test_eligibility_of_many_enrolments_takes_the_same_queries(world, options_make):
    def enrol(n):
        result = []
        for _ in range(n):
            enrolment = Enrolment.objects.create(campaign=world.campaign, enterprise=make_enterprise("130602"))
            complete_audit(enrolment, through=35, evidence=True)
            passed_evaluation(world, enrolment)
            options_make(enrolment, category=OptionCategory.HIGH, status=S.IMPLEMENTING)
            result.append(enrolment)
        return result

    few = enrol(2)
    with CaptureQueriesContext(connection) as small:
        small_result = applications.eligibility_many(few)
    many = few + enrol(8)
    with CaptureQueriesContext(connection) as large:
        large_result = applications.eligibility_many(many)
    assert len(small) == len(large) == 3
    assert (len(small_result), len(large_result)) == (4, 20)  # two kinds per enrolment
    assert all(not ok and "中/高费方案" in why for (pk, kind), (ok, why) in large_result.items()
               if kind == Kind.ACCEPTANCE)
