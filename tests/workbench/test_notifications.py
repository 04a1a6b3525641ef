"""Hand-overs notify whose turn it is and the enterprise; acting on the item reads them; 转办 moves
them; the daily digest and its backend; 催报."""

import datetime as dt

import pytest

from cpaudit.applications.models import Outcome, Step
from cpaudit.core.errors import InvalidState
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import StepStatus
from cpaudit.progress.services.steps import step_confirm, step_record, step_return
from cpaudit.reports.models import MonthlyReport, Notification
from cpaudit.workbench import digest, selectors, services
from cpaudit.workbench.models import Digest
from tests.factories import make_user

from .test_pages import enrolment

C = StepStatus.COMPLETED


def unread(user):
    return list(Notification.objects.filter(user=user, read_at__isnull=True).values_list("text", flat=True))


def test_a_completed_step_tells_the_branch_a_return_tells_the_enterprise_and_its_agency(world):
    ent, staff = world.users[Role.ENTERPRISE], world.users[Role.BRANCH_STAFF]
    record = step_record(actor=ent, enrolment=enrolment(world), step_number=1, status=C,
                         start_date=dt.date(2020, 3, 2), completion_date=dt.date(2020, 3, 9))
    assert any("待核实" in text for text in unread(staff))
    assert not unread(world.users[Role.BRANCH_LEADER])  # the staff desk's turn, not the leader's
    step_return(actor=staff, record=record, reason="缺少会议纪要")
    assert not unread(staff)  # the staff member acted on the enrolment: read
    assert unread(ent) == ["第1步被分局退回：缺少会议纪要"] == unread(world.users[Role.CONSULTANT])
    step_record(actor=ent, enrolment=enrolment(world), step_number=1, status=C,
                start_date=dt.date(2020, 3, 2), completion_date=dt.date(2020, 3, 10))
    assert not unread(ent) and not unread(world.users[Role.CONSULTANT])  # fixed: the return is read


def test_confirming_the_last_step_of_a_stage_tells_the_enterprise(world):
    ent, staff = world.users[Role.ENTERPRISE], world.users[Role.BRANCH_STAFF]
    from cpaudit.progress.steps import stages

    records = [step_record(actor=ent, enrolment=enrolment(world), step_number=n, status=C,
                           start_date=dt.date(2020, 3, 2), completion_date=dt.date(2020, 3, 9))
               for n in stages()[0].step_numbers]
    for record in records[:-1]:
        step_confirm(actor=staff, record=record)
    assert not any("阶段" in text for text in unread(ent))
    step_confirm(actor=staff, record=records[-1])
    assert any("第1阶段" in text and "已经分局核实" in text for text in unread(ent))


def test_application_hand_overs_reach_the_desk_and_are_read_when_it_acts(world, chain, submitted):
    staff = world.users[Role.BRANCH_STAFF]
    colleague = make_user("bstaff2", Role.BRANCH_STAFF, agency=world.branch_a)
    from tests.factories import declare

    declare(colleague)
    note = Notification.objects.get(user=staff, subject=f"applications.application:{submitted.pk}")
    assert note.read_at is None
    app = chain.decide(submitted, Step.BRANCH_REVIEW, actor=colleague)
    note.refresh_from_db()
    assert note.read_at is not None  # the colleague took it: the desk's turn is over
    assert unread(world.users[Role.BRANCH_LEADER])  # now the leader's
    chain.decide(app, Step.BRANCH_APPROVAL, outcome=Outcome.RETURN, opinion="附件不全")
    assert any("附件不全" in text for text in unread(world.users[Role.ENTERPRISE]))
    assert not unread(world.users[Role.BRANCH_LEADER])


def test_reassigned_notifications_appear_on_the_new_persons_workbench(world):
    from cpaudit.org.services.handover import work_reassign

    staff = world.users[Role.CITY_STAFF]
    colleague = make_user("cstaff2", Role.CITY_STAFF, agency=world.baoding)
    Notification.objects.create(user=staff, text="某分局月报已报送", key="k1")
    report = MonthlyReport.objects.create(kind="city", campaign=world.campaign, agency=world.baoding,
                                          month=dt.date(2020, 5, 1), prepared_by=staff)

    def count(user, key):
        return next(s.count for s in selectors.sections(user) if s.key == key)

    assert (count(staff, "unread"), count(staff, "reports")) == (1, 1)
    work_reassign(actor=world.users[Role.CITY_LEADER], person=staff, colleague=colleague, reason="调岗")
    assert (count(staff, "unread"), count(staff, "reports")) == (0, 0)
    assert count(colleague, "unread") == 2 and count(colleague, "reports") == 1  # + the 转办 notice
    assert report.pk in [r.pk for r in selectors.section_rows(colleague, "reports", {})]


def sent(calls):
    def backend(user, subject, text):
        calls.append((user.username, subject, text))
        return True
    return backend


def test_the_daily_digest_once_a_day_through_the_configured_backend(world, settings, monkeypatch):
    Notification.objects.create(user=world.users[Role.BRANCH_STAFF], text="请核实", key="k")
    settings.CPAUDIT_NOTIFY_BACKEND = "none"
    made = digest.send_digests(today=dt.date(2020, 7, 1))
    assert made >= 1
    first = Digest.objects.get(user=world.users[Role.BRANCH_STAFF], day=dt.date(2020, 7, 1))
    assert first.delivery == Digest.Delivery.INBOX and "未读通知：1项" in first.text and first.counts["unread"] == 1
    assert digest.send_digests(today=dt.date(2020, 7, 1)) == 0  # once a day
    calls = []
    monkeypatch.setattr("tests.workbench.test_notifications.BACKEND", sent(calls), raising=False)
    settings.CPAUDIT_NOTIFY_BACKEND = "tests.workbench.test_notifications.BACKEND"
    digest.send_digests(today=dt.date(2020, 7, 2))
    assert ("bstaff", digest.SUBJECT) in [(u, s) for u, s, _ in calls]
    assert Digest.objects.get(user=world.users[Role.BRANCH_STAFF], day=dt.date(2020, 7, 2)).delivery == "sent"
    assert not Digest.objects.filter(user=world.users[Role.AUDIT_ADMIN]).exists()  # nothing pending


def test_the_worker_prepares_the_digest_daily():
    from cpaudit.jobs.worker import DAILY

    assert "digests" in {name for name, _, _ in DAILY}


@pytest.fixture
def late(world, settings):
    """保定's branches (竞秀, 莲池) have not reported for May 2020 by a day well past its due date."""
    from cpaudit.campaigns.models import CampaignCounty
    from cpaudit.core import clock

    CampaignCounty.objects.get_or_create(campaign=world.campaign, county_id="130606")
    with clock.frozen(dt.date(2020, 6, 28)):
        yield


def test_the_city_sees_its_late_branches_and_reminds_one(world, late):
    city = world.users[Role.CITY_STAFF]
    rows = selectors.late_branches(city)
    assert {r.branch.pk for r in rows} == {world.branch_a.pk, world.branch_b.pk}
    assert not selectors.late_branches(world.users[Role.BRANCH_STAFF])  # a branch has no branches below
    row = next(r for r in rows if r.branch.pk == world.branch_a.pk)
    n = services.branch_remind(actor=city, campaign=row.campaign, month=row.month, branch=row.branch)
    assert n == 2  # the branch's staff and leader
    assert any("催报" in text for text in unread(world.users[Role.BRANCH_LEADER]))
    assert ActionLog.objects.filter(action="workbench.reminder.sent", object_id=str(world.branch_a.pk)).exists()
    with pytest.raises(InvalidState, match="今天已向该分局催报过"):
        services.branch_remind(actor=city, campaign=row.campaign, month=row.month, branch=row.branch)
    with pytest.raises(InvalidState, match="未逾期或已报送"):
        services.branch_remind(actor=city, campaign=row.campaign, month=row.month, branch=world.branch_sjz)


def test_the_reminder_button_on_the_workbench(client, world, late):
    from django.urls import reverse

    client.force_login(world.users[Role.CITY_LEADER])
    html = client.get(reverse("workbench:section", args=["late"])).content.decode()
    assert html.count(">催报</button>") == len(selectors.late_branches(world.users[Role.CITY_LEADER])) >= 2
    row = selectors.late_branches(world.users[Role.CITY_LEADER])[0]
    response = client.post(reverse("workbench:remind"), {"campaign": row.campaign.pk, "month": f"{row.month:%Y-%m}",
                                                         "branch": row.branch.pk})
    assert response.status_code == 302
    assert ActionLog.objects.filter(action="workbench.reminder.sent").count() == 1
