"""Reminders before the due date (branch users) and late notices (the supervising agency's staff)."""

import pytest

from cpaudit.campaigns.models import Campaign
from cpaudit.org.roles import Role
from cpaudit.reports import services
from cpaudit.reports.models import Notification

from .conftest import D


def notified(prefix):
    return sorted((n.user.username, n.key.split(":")[-1]) for n in Notification.objects.filter(key__startswith=prefix))


@pytest.fixture(autouse=True)
def audit_starts_in_may(world):
    """No April report is expected, so only May's reminders appear (late notices: see below)."""
    Campaign.objects.filter(pk=world.campaign.pk).update(audit_start_date=D(2020, 5, 1))


def test_reminder_within_reminder_days(world):
    # due 30 May, reminder_days 5: from 25 May
    assert services.send_reminders(today=D(2020, 5, 24)) == 0
    created = services.send_reminders(today=D(2020, 5, 25))
    keys = notified("reminder:")
    branch_a = str(world.branch_a.pk)
    assert ("bstaff", branch_a) in keys and ("blead", branch_a) in keys
    assert created == len(keys) == 2  # only 竞秀区's branch has users in the world
    text = Notification.objects.filter(user__username="bstaff").get().text
    assert "2020年5月进度报告应于5月30日前报送" in text


def test_deduplicated(world):
    assert services.send_reminders(today=D(2020, 5, 26)) == 2
    assert services.send_reminders(today=D(2020, 5, 27)) == 0
    assert Notification.objects.count() == 2


def test_no_reminder_when_submitted(world, submitted):
    assert services.send_reminders(today=D(2020, 5, 28)) == 0


def test_reminder_days_configurable(world):
    Campaign.objects.filter(pk=world.campaign.pk).update(reminder_days=10)
    assert services.send_reminders(today=D(2020, 5, 20)) == 2


def test_late_notice_to_city_staff(world, users):
    created = services.send_reminders(today=D(2020, 6, 1))  # May's report is past due
    late = notified("late:")
    assert ("cstaff", str(world.branch_a.pk)) in late and ("cstaff", str(world.branch_b.pk)) in late
    assert all(user != "clead" for user, _ in late)
    assert created == len(late)
    assert "已逾期" in Notification.objects.filter(user=users[Role.CITY_STAFF]).first().text
    assert services.send_reminders(today=D(2020, 6, 2)) == 0


def test_no_late_notice_when_submitted(world, submitted):
    services.send_reminders(today=D(2020, 6, 1))
    assert ("cstaff", str(world.branch_a.pk)) not in notified("late:")


@pytest.mark.parametrize("status", [Campaign.Status.CLOSED])
def test_closed_campaign_sends_nothing(world, status):
    Campaign.objects.filter(pk=world.campaign.pk).update(status=status)
    assert services.send_reminders(today=D(2020, 5, 28)) == 0
    assert services.send_reminders(today=D(2020, 6, 1)) == 0


def test_before_audit_start_nothing(world):
    assert services.send_reminders(today=D(2020, 4, 28)) == 0


def test_previous_month_late_notice_includes_direct_county(world):
    """On 20 June May's reports are late; 定州 (省直管) is reported to the province's staff."""
    services.send_reminders(today=D(2020, 6, 20))
    assert ("pstaff", str(world.dingzhou.pk)) in notified(f"late:{world.campaign.pk}:2020-05")
    assert not notified(f"late:{world.campaign.pk}:2020-06")
