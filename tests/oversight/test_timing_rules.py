"""The timing rules on planted decisions: too soon after the item reached the desk, outside working
time per the calendar (holidays, 调休), and records made under a pinned business clock left alone."""

import pytest

from cpaudit.applications.models import Status, Step
from cpaudit.core import clock
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.oversight.models import Finding, Rule
from cpaudit.oversight.services import anomaly_run

from .helpers import own_client, submitted, walk

pytestmark = pytest.mark.django_db


def _run(world, rule):
    anomaly_run(actor=world.users[Role.AUDIT_ADMIN])
    return list(Finding.objects.filter(rule=rule).order_by("pk"))


def test_a_review_minutes_after_submission_is_found(world, at):
    enrolment, chain = own_client(world)
    at("2020-07-28 10:00")
    app = submitted(chain, enrolment)
    at("2020-07-28 10:05")
    app = chain.decide(app, Step.BRANCH_REVIEW)
    at("2020-07-29 10:00")
    chain.decide(app, Step.BRANCH_APPROVAL)  # a day later: nothing to say
    [finding] = _run(world, Rule.QUICK)
    review = ActionLog.objects.get(action="applications.application.branch_review")
    submission = ActionLog.objects.get(action="applications.application.submitted")
    assert finding.log_seqs == [submission.seq, review.seq]
    assert finding.official == world.users[Role.BRANCH_STAFF]
    assert "5分0秒" in finding.summary and finding.details["间隔（秒）"] == 300
    assert finding.supervising_agency == world.baoding and not finding.leaders_only


def test_the_threshold_is_a_setting(world, at, settings):
    enrolment, chain = own_client(world)
    at("2020-07-28 10:00")
    app = submitted(chain, enrolment)
    at("2020-07-28 10:20")
    chain.decide(app, Step.BRANCH_REVIEW)
    assert _run(world, Rule.QUICK) == []
    settings.CPAUDIT_ANOMALY_QUICK_MINUTES = 30
    assert len(_run(world, Rule.QUICK)) == 1


def test_decisions_at_night_and_on_holidays_are_found_not_on_a_working_weekend(world, at):
    enrolment, chain = own_client(world)
    at("2020-09-25 09:00")  # a Friday
    app = submitted(chain, enrolment)
    at("2020-09-25 22:30")
    app = chain.decide(app, Step.BRANCH_REVIEW)
    at("2020-09-27 10:00")  # a Sunday worked (国庆节、中秋节调休上班)
    app = chain.decide(app, Step.BRANCH_APPROVAL)
    at("2020-10-05 10:00")  # a Monday of the National Day holiday
    chain.batch(app, world.users[Role.BRANCH_LEADER])
    findings = _run(world, Rule.OFF_HOURS)
    assert [f.log_seqs[0] for f in findings] == list(ActionLog.objects.filter(action__in=[
        "applications.application.branch_review", "applications.application.forwarded"]).order_by("seq")
        .values_list("seq", flat=True))
    night, holiday = findings
    assert "工作时间（08:00–18:00）以外" in night.summary and night.official == world.users[Role.BRANCH_STAFF]
    assert "国庆节、中秋节（非工作日）" in holiday.summary and holiday.official == world.users[Role.BRANCH_LEADER]


def test_an_ordinary_weekday_decision_is_not_found_and_the_calendar_decides(world, at):
    from cpaudit.oversight.services import calendar_day_save

    enrolment, chain = own_client(world)
    at("2020-07-27 09:00")
    app = submitted(chain, enrolment)
    at("2020-07-28 15:00")  # a Tuesday
    chain.decide(app, Step.BRANCH_REVIEW)
    assert _run(world, Rule.OFF_HOURS) == []
    calendar_day_save(actor=world.users[Role.PROVINCE_STAFF], date=clock.today(), kind="holiday", name="临时放假")
    [finding] = _run(world, Rule.OFF_HOURS)
    assert "临时放假（非工作日）" in finding.summary


def test_a_paper_reply_recorded_at_night_minutes_after_arrival_is_left_alone(world, at):
    import datetime as dt

    from cpaudit.applications import services

    from ..applications.conftest import pdf

    enrolment, chain = own_client(world)
    services.paper_agency_set(actor=world.users[Role.PROVINCE_STAFF], agency=world.province, campaign=None,
                              note="省厅以纸质来文审批")
    at("2020-07-27 10:00")
    app, day = walk(chain, submitted(chain, enrolment), Status.CITY_BATCH, at, dt.date(2020, 7, 28))
    at(f"{day} 22:58")  # the city's letter goes at night (the leader's own decision: found)
    app = chain.to(app, Status.PROVINCE_REVIEW)
    at(f"{day} 23:00")  # the city records the province's reply two minutes later: a transcription, not judged
    services.application_record_reply(actor=world.users[Role.CITY_STAFF], application=app, outcome="agree",
                                      opinion="同意", signer="周处长", source_date=day - dt.timedelta(days=1),
                                      source_number="冀环审函〔2020〕12号", scan=pdf("reply.pdf"))
    assert ActionLog.objects.filter(action="applications.application.province_reply").exists()
    [night] = _run(world, Rule.OFF_HOURS)
    assert night.log_seqs == [ActionLog.objects.filter(action="applications.application.forwarded").latest("seq").seq]
    assert _run(world, Rule.QUICK) == []


def test_pinned_clocks_are_left_alone(world, at):
    from cpaudit.applications.models import Decision

    enrolment, chain = own_client(world)
    at("2020-07-28 10:00")
    app = submitted(chain, enrolment)
    at("2020-07-28 23:00")
    with clock.frozen(clock.today().replace(day=1)):  # the business day pinned: the demo's way of telling a story
        chain.decide(app, Step.BRANCH_REVIEW)
    assert Decision.objects.get().decided_at.day == 1
    assert _run(world, Rule.OFF_HOURS) == [] and _run(world, Rule.QUICK) == []


def test_the_rules_take_the_same_queries_for_one_decision_or_many(world, at):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cpaudit.oversight.services import find

    from .helpers import client_of

    def plant(enrolment, chain, hour):
        at(f"2020-07-28 {hour}:00")
        app = submitted(chain, enrolment)
        at(f"2020-07-28 {hour}:01")  # a minute later, and after hours: both timing rules see it
        chain.decide(app, Step.BRANCH_REVIEW)

    plant(*own_client(world), 19)
    with CaptureQueriesContext(connection) as small:
        specs, _ = find()
    assert len(specs) == 2
    for hour in (20, 21, 22, 23):
        plant(*client_of(world), hour)
    with CaptureQueriesContext(connection) as large:
        specs, _ = find()
    assert len(specs) == 10 and len(large) == len(small)
