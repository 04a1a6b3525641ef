"""Running the rules (stored by key, reviews kept, logged), reviewing a finding, who sees which finding,
and the working-day calendar (seeded with the official 2020 and 2026 arrangements, kept by province
and city staff)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cpaudit.applications.models import Step
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.oversight.calendar import Calendar
from cpaudit.oversight.models import CalendarDay, Finding, Rule
from cpaudit.oversight.selectors import finding_scope
from cpaudit.oversight.services import anomaly_run, calendar_day_delete, calendar_day_save, finding_review

from .helpers import moment, own_client, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(world, at):
    """One quick decision by the branch's staff member, found."""
    enrolment, chain = own_client(world)
    at("2020-07-28 10:00")
    app = submitted(chain, enrolment)
    at("2020-07-28 10:03")
    chain.decide(app, Step.BRANCH_REVIEW)
    anomaly_run(actor=world.users[Role.AUDIT_ADMIN])
    return Finding.objects.get(rule=Rule.QUICK)


def test_a_second_run_refreshes_and_keeps_the_review(world, finding, at):
    at("2020-07-29 09:00")
    finding_review(actor=world.users[Role.CITY_LEADER], finding=finding, note="经核实，材料事先已线下审阅")
    result = anomaly_run(actor=world.users[Role.AUDIT_ADMIN])
    assert result.found == 1 and result.new == 0 and Finding.objects.count() == 1
    finding.refresh_from_db()
    assert finding.reviewed and finding.review_note == "经核实，材料事先已线下审阅" and finding.present
    runs = ActionLog.objects.filter(action="oversight.anomaly.run").order_by("seq")
    assert [e.data["new"] for e in runs] == [1, 0] and runs.last().data["counts"]["quick"] == 1
    review = ActionLog.objects.get(action="oversight.finding.reviewed")
    assert review.data["note"] == "经核实，材料事先已线下审阅" and review.actor_id == world.users[Role.CITY_LEADER].pk


def test_review_needs_a_note_once_and_only_by_who_sees_it(world, finding):
    with pytest.raises(ValidationError):
        finding_review(actor=world.users[Role.AUDIT_ADMIN], finding=finding, note=" ")
    for role in (Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.PROVINCE_STAFF, Role.ENTERPRISE):
        with pytest.raises(PermissionDenied):
            finding_review(actor=world.users[role], finding=finding, note="看过了")
    finding_review(actor=world.users[Role.AUDIT_ADMIN], finding=finding, note="已核查")
    with pytest.raises(InvalidState):
        finding_review(actor=world.users[Role.CITY_STAFF], finding=finding, note="再次核查")


def test_the_official_concerned_never_sees_the_finding(world, finding, client):
    visible = {role for role, user in world.users.items()
               if finding_scope(user, Finding.objects.filter(pk=finding.pk)).exists()}
    assert visible == {Role.CITY_STAFF, Role.CITY_LEADER, Role.AUDIT_ADMIN}
    client.force_login(world.users[Role.CITY_STAFF])
    page = client.get(reverse("oversight:finding_detail", args=[finding.pk])).content.decode()
    assert "提交评估/验收申请" in page and "分局审核" in page  # the entries behind it, described


def test_the_page_runs_the_rules_on_demand(world, client):
    client.force_login(world.users[Role.PROVINCE_LEADER])
    response = client.post(reverse("oversight:anomaly_run"))
    assert response.status_code == 302 and ActionLog.objects.filter(action="oversight.anomaly.run").exists()


def test_the_official_arrangements_are_seeded():
    calendar = Calendar(dt.date(2020, 1, 1), dt.date(2026, 12, 31))
    assert not calendar.is_working_day(dt.date(2020, 10, 8))  # 国庆节、中秋节 (a Thursday)
    assert calendar.is_working_day(dt.date(2020, 9, 27))  # the Sunday worked
    assert not calendar.is_working_day(dt.date(2020, 2, 1))  # a Saturday worked, until the extension
    assert not calendar.is_working_day(dt.date(2026, 2, 23))  # 春节 2026 (a Monday)
    assert calendar.is_working_day(dt.date(2026, 2, 28)) and calendar.is_working_day(dt.date(2026, 10, 9))
    assert calendar.outside(moment("2026-10-09 17:59")) is None and calendar.outside(moment("2026-10-09 18:00"))
    assert CalendarDay.objects.filter(date__year=2026, kind="workday").count() == 6


def test_province_and_city_staff_keep_the_calendar(world, client):
    day = dt.date(2027, 1, 1)
    for role in (Role.BRANCH_STAFF, Role.CITY_LEADER, Role.AUDIT_ADMIN):
        with pytest.raises(PermissionDenied):
            calendar_day_save(actor=world.users[role], date=day, kind="holiday", name="元旦")
    saved = calendar_day_save(actor=world.users[Role.CITY_STAFF], date=day, kind="holiday", name="元旦",
                              source="国务院办公厅关于2027年部分节假日安排的通知")
    assert not Calendar().is_working_day(day)
    calendar_day_save(actor=world.users[Role.PROVINCE_STAFF], date=day, kind="holiday", name="元旦")
    calendar_day_delete(actor=world.users[Role.PROVINCE_STAFF], day=saved)
    assert Calendar().is_working_day(day)  # a Friday again
    codes = list(ActionLog.objects.filter(action__startswith="oversight.calendar").values_list("action", flat=True))
    assert codes == ["oversight.calendar.saved", "oversight.calendar.saved", "oversight.calendar.deleted"]
    client.force_login(world.users[Role.CITY_STAFF])
    response = client.post(reverse("oversight:calendar"), {"date": "2027-02-06", "kind": "workday",
                                                           "name": "春节调休上班", "source": ""})
    assert response.status_code == 302 and CalendarDay.objects.filter(date=dt.date(2027, 2, 6)).exists()
    client.force_login(world.users[Role.BRANCH_STAFF])
    assert client.post(reverse("oversight:calendar"), {"date": "2027-02-07"}).status_code == 403
    assert "春节调休上班" in client.get(reverse("oversight:calendar"), {"year": 2027}).content.decode()


def test_the_worker_runs_the_rules_daily():
    """Among the worker's daily work, as a system actor (the loop's structure is the jobs app's)."""
    import inspect

    import cpaudit.jobs.management.commands.worker as command
    from cpaudit.oversight import services

    assert command.anomaly_run is services.anomaly_run
    assert 'anomaly_run(actor=SystemActor("worker"))' in inspect.getsource(command)
