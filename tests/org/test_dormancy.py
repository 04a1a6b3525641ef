"""Dormant government and administrator accounts are disabled by the worker's daily call, their sessions
ended; enterprises, consultants, experts and demo accounts (in demo mode) are not."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from cpaudit.core.models import ActionLog
from cpaudit.org import services
from cpaudit.org.models import User
from cpaudit.org.roles import Role

TODAY = dt.date(2021, 6, 30)


def used_on(user, day: dt.date) -> None:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    User.objects.filter(pk=user.pk).update(last_login=moment, date_joined=moment - dt.timedelta(days=400),
                                           enabled_at=None)


def test_accounts_unused_for_ninety_days_are_disabled_and_lose_their_sessions(world):
    client = Client()
    client.force_login(world.users[Role.BRANCH_STAFF])  # a session, from a login long ago (below)
    for user in world.users.values():
        used_on(user, TODAY - dt.timedelta(days=90))
    kept = world.users[Role.CITY_LEADER]
    used_on(kept, TODAY - dt.timedelta(days=89))
    disabled = services.disable_dormant(today=TODAY)
    government_and_admins = {u.username for r, u in world.users.items()
                             if r not in (Role.ENTERPRISE, Role.CONSULTANT, Role.EXPERT, Role.CITY_LEADER)}
    assert set(disabled) == government_and_admins
    assert set(User.objects.filter(is_active=True).values_list("username", flat=True)) == {"ent", "con", "expert",
                                                                                           "clead"}
    assert not Session.objects.exists()
    assert client.get("/").status_code == 302  # the session is gone
    entry = ActionLog.objects.filter(action="org.user.dormant_disabled").first()
    assert entry.actor_name == "系统（worker）" and entry.data["reason"] == "连续90天未使用，系统自动停用"


def test_the_period_follows_its_setting_and_counts_from_re_enabling(world, settings):
    settings.CPAUDIT_DORMANT_DAYS = 30
    staff = world.users[Role.BRANCH_STAFF]
    used_on(staff, TODAY - dt.timedelta(days=29))
    assert services.disable_dormant(today=TODAY) == []
    used_on(staff, TODAY - dt.timedelta(days=30))
    assert services.disable_dormant(today=TODAY) == ["bstaff"]
    services.account_enable(actor=world.users[Role.SECURITY_ADMIN], user=staff, reason="回岗")
    # Re-enabled today: a full period again, though the last login is old.
    assert services.disable_dormant(today=TODAY + dt.timedelta(days=29)) == []


def test_a_new_account_never_used_goes_dormant_from_its_creation(world):
    staff = world.users[Role.PROVINCE_STAFF]
    moment = timezone.make_aware(dt.datetime.combine(TODAY - dt.timedelta(days=90), dt.time(9, 0)))
    User.objects.filter(pk=staff.pk).update(last_login=None, date_joined=moment)
    assert "pstaff" in services.disable_dormant(today=TODAY)


def test_demo_accounts_are_exempt_in_demo_mode_only(world, settings):
    staff = world.users[Role.BRANCH_STAFF]
    used_on(staff, TODAY - dt.timedelta(days=200))
    User.objects.filter(pk=staff.pk).update(is_demo=True)
    User.objects.exclude(pk=staff.pk).update(is_active=False)
    assert services.disable_dormant(today=TODAY) == []
    settings.CPAUDIT_DEMO_MODE = False
    assert services.disable_dormant(today=TODAY) == ["bstaff"]


def test_the_worker_does_it_daily_on_the_business_date(world):
    """The worker's daily work (cpaudit.jobs.worker.DAILY, registered by the worker command) includes it."""
    import cpaudit.jobs.management.commands.worker  # noqa: F401  (registers the daily work)
    from cpaudit.core import clock
    from cpaudit.jobs.worker import DAILY

    task = {name: fn for name, _, fn in DAILY}["dormant-accounts"]
    used_on(world.users[Role.AUDIT_ADMIN], TODAY - dt.timedelta(days=90))
    User.objects.exclude(pk=world.users[Role.AUDIT_ADMIN].pk).update(is_active=False)
    with clock.frozen(TODAY - dt.timedelta(days=1)):
        task()
    assert User.objects.get(username="auditadmin").is_active
    with clock.frozen(TODAY):
        task()
    assert not User.objects.get(username="auditadmin").is_active
