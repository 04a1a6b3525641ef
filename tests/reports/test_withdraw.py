"""撤回: the leader takes back a monthly report nobody has acted on yet (issue 14). The version stays in
the history, marked; the report is editable again and its next submission is a new version."""

import pytest
from django.urls import reverse

from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.reports import services
from cpaudit.reports.models import Notification, ReportStatus
from cpaudit.reports.seen import version_token

from .conftest import D


def page_url(world):
    return reverse("reports:branch_report", args=[world.campaign.slug, "2020-05", world.branch_a.pk])


def test_the_leader_withdraws_an_untouched_submission(users, submitted):
    report = services.report_withdraw(actor=users[Role.BRANCH_LEADER], report=submitted)
    assert report.status == ReportStatus.DRAFT
    version = submitted.versions.get()
    assert version.withdrawn_at is not None
    entry = ActionLog.objects.filter(action="reports.report.withdrawn").get()
    assert entry.actor == users[Role.BRANCH_LEADER] and entry.data["version"] == 1
    assert entry.changes == {"status": [ReportStatus.SUBMITTED, ReportStatus.DRAFT]}
    # Editable again; the next submission is version 2 and needs a reason.
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=report, problems="补充了问题")
    with pytest.raises(InvalidState):
        services.report_submit(actor=users[Role.BRANCH_LEADER], report=report)
    second = services.report_submit(actor=users[Role.BRANCH_LEADER], report=report, reason="撤回后补充")
    assert second.number == 2 and second.withdrawn_at is None


def test_once_the_city_acted_it_cannot_be_withdrawn(users, submitted):
    services.report_accept(actor=users[Role.CITY_STAFF], report=submitted,
                           seen=version_token(submitted.versions.get()))
    with pytest.raises(InvalidState) as info:
        services.report_withdraw(actor=users[Role.BRANCH_LEADER], report=submitted)
    assert info.value.code == "not_withdrawable"
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.ACCEPTED and submitted.versions.get().withdrawn_at is None


def test_only_the_units_leader_withdraws(users, submitted, world):
    for role in (Role.BRANCH_STAFF, Role.CITY_STAFF, Role.CITY_LEADER):
        with pytest.raises(PermissionDenied):
            services.report_withdraw(actor=users[role], report=submitted)
    assert not ActionLog.objects.filter(action="reports.report.withdrawn").exists()


def test_a_draft_cannot_be_withdrawn(users, branch_report):
    with pytest.raises(InvalidState):
        services.report_withdraw(actor=users[Role.BRANCH_LEADER], report=branch_report)


def test_the_page_offers_withdraw_through_the_confirmation(client, users, submitted, world):
    client.force_login(users[Role.BRANCH_LEADER])
    url = page_url(world)
    page = client.get(url).content.decode()
    assert 'name="_confirm" value="report_withdraw"' in page and 'value="withdraw"' in page
    confirm = client.post(reverse("workbench:confirm"), {"_confirm": "report_withdraw", "_target": url,
                                                          "action": "withdraw"}).content.decode()
    assert "撤回月报报送" in confirm and submitted.versions.get().withdrawn_at is None  # the page writes nothing
    response = client.post(url, {"action": "withdraw"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.DRAFT
    html = client.get(url).content.decode()
    assert "已撤回" in html and 'value="report_withdraw"' not in html
    # Branch staff see no withdraw button (the leader's act).
    client.force_login(users[Role.BRANCH_STAFF])
    services.report_submit(actor=users[Role.BRANCH_LEADER], report=submitted, reason="再报")
    assert 'value="report_withdraw"' not in client.get(url).content.decode()


def test_a_return_tells_the_branch_and_is_read_when_the_branch_acts(users, submitted, world):
    services.report_return(actor=users[Role.CITY_STAFF], report=submitted, reason="请补充数据",
                           seen=version_token(submitted.versions.get()))
    told = Notification.objects.filter(user__agency=world.branch_a, read_at__isnull=True)
    assert told.count() >= 2 and all(n.subject == f"reports.monthlyreport:{submitted.pk}" for n in told)
    assert all("请补充数据" in n.text and "2020年5月" in n.text for n in told)
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=submitted, problems="已补充")
    assert not Notification.objects.filter(user=users[Role.BRANCH_STAFF], read_at__isnull=True,
                                           subject=f"reports.monthlyreport:{submitted.pk}").exists()
    assert D(2020, 5, 1) == submitted.month


def test_a_withdrawn_submission_does_not_count_as_reported(users, submitted, world):
    """Seen on the demo: after a withdrawal the page still said 按时报送. The deadline is judged by the
    first submission that stood; a withdrawn one is none."""
    from cpaudit.reports.deadlines import deadline_state

    june = D(2020, 6, 15)  # after May's due date
    assert deadline_state(submitted, world.campaign, submitted.month, june) == "on_time"
    services.report_withdraw(actor=users[Role.BRANCH_LEADER], report=submitted)
    submitted.refresh_from_db()
    assert deadline_state(submitted, world.campaign, submitted.month, june) == "missing"
