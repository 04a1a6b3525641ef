"""The per-official record (个人履职记录): every decision, return, reopening and override of a person, from
the log and the Decision rows, for the audit administrator and the person's supervising level, and
its Excel export (recorded in the security log)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cpaudit.applications.models import Outcome, Step
from cpaudit.core.errors import PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.oversight.officials import official_record_export
from cpaudit.oversight.selectors import (
    RECORD_DECISION,
    RECORD_REOPEN,
    RECORD_RETURN,
    official_record,
    officials,
)
from cpaudit.progress.models import StepRecord
from cpaudit.progress.services.steps import step_confirm, step_record, step_reopen
from cpaudit.security.models import SecurityEvent

from .helpers import client_of, own_client, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world, at):
    """The branch's staff member: agrees to one application, returns another, reopens a step."""
    staff = world.users[Role.BRANCH_STAFF]
    enrolment, chain = own_client(world)
    at("2020-07-27 10:00")
    agreed = submitted(chain, enrolment)
    returned_enrolment, other = client_of(world)
    returned = submitted(other, returned_enrolment)
    at("2020-07-28 10:00")
    chain.decide(agreed, Step.BRANCH_REVIEW, opinion="同意上报")
    other.decide(returned, Step.BRANCH_REVIEW, outcome=Outcome.RETURN, opinion="=HYPERLINK(\"x\") 资料不全")
    at("2020-07-29 10:00")
    record = step_record(actor=world.users[Role.ENTERPRISE], enrolment=enrolment, step_number=28,
                         status="completed", start_date=dt.date(2020, 7, 1), completion_date=dt.date(2020, 7, 28))
    step_confirm(actor=staff, record=record)
    at("2020-07-30 10:00")
    step_reopen(actor=staff, record=StepRecord.objects.get(pk=record.pk), reason="补充审核小组名单")
    return staff


def test_the_record_lists_decisions_returns_and_reopenings(world, history):
    rows, decisions = official_record(world.users[Role.CITY_LEADER], history)
    assert [c for _, c in rows] == [RECORD_DECISION, RECORD_RETURN, RECORD_DECISION, RECORD_REOPEN]
    assert [(d.step, d.outcome) for d in decisions] == [(Step.BRANCH_REVIEW, Outcome.AGREE),
                                                       (Step.BRANCH_REVIEW, Outcome.RETURN)]
    assert all(e.actor_id == history.pk for e, _ in rows)


def test_who_may_open_whose_record(world, history):
    u = world.users
    assert history in officials(u[Role.CITY_STAFF]) and history in officials(u[Role.AUDIT_ADMIN])
    assert history not in officials(u[Role.PROVINCE_LEADER])  # two levels up: the city is its supervisor
    assert u[Role.CITY_STAFF] in officials(u[Role.PROVINCE_STAFF])
    assert u[Role.PROVINCE_STAFF] in officials(u[Role.PROVINCE_LEADER])
    assert u[Role.PROVINCE_STAFF] not in officials(u[Role.PROVINCE_STAFF])  # not oneself, not a colleague
    for role in (Role.BRANCH_LEADER, Role.PROVINCE_LEADER, Role.ENTERPRISE):
        with pytest.raises(PermissionDenied):
            official_record_export(actor=u[role], person=history)


def test_the_export_is_a_workbook_of_both_and_is_recorded_in_the_security_log(world, history, client):
    client.force_login(world.users[Role.CITY_LEADER])
    page = client.get(reverse("oversight:official_detail", args=[history.pk])).content.decode()
    assert "重新打开" in page and "补充审核小组名单" in page
    response = client.get(reverse("oversight:official_export", args=[history.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    log_rows = list(book["操作记录"].iter_rows(values_only=True))
    assert log_rows[0][:3] == ("序号", "时间", "类别") and [r[2] for r in log_rows[1:]] == ["决定", "退回", "决定", "重新打开"]
    assert log_rows[1][1] == dt.datetime(2020, 7, 28, 10, 0)
    decisions = list(book["审核意见"].iter_rows(values_only=True))
    assert len(decisions) == 3 and decisions[2][4] == "退回"
    assert decisions[2][5].startswith("'=HYPERLINK")  # a spreadsheet formula stays text
    # A read: recorded in the security log (who exported whose record), not in the action log.
    assert not ActionLog.objects.filter(action="oversight.official_record.exported").exists()
    event = SecurityEvent.objects.get(kind="read.sensitive", detail__view="oversight:official_export")
    assert event.detail["person"] == history.pk and event.user == world.users[Role.CITY_LEADER]


def test_the_record_takes_the_same_queries_for_few_or_many_entries(world, history, at):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    viewer = world.users[Role.AUDIT_ADMIN]
    with CaptureQueriesContext(connection) as few:
        official_record(viewer, history)
    for _ in range(3):
        enrolment, chain = client_of(world)
        at("2020-07-31 10:00")
        chain.decide(submitted(chain, enrolment), Step.BRANCH_REVIEW)
    with CaptureQueriesContext(connection) as many:
        rows, _ = official_record(viewer, history)
    assert len(rows) == 7 and len(many) == len(few)
