"""Sessions end after CPAUDIT_SESSION_IDLE_MINUTES without a request and CPAUDIT_SESSION_MAX_HOURS after
the login (clock: cpaudit.core.clock, frozen); logout deletes the server session and sends
Clear-Site-Data; the worker's daily clean-up purges expired sessions; signed-in pages and downloads
are never stored (no-store)."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session

from cpaudit.org.roles import Role
from cpaudit.security import services
from cpaudit.security.models import SecurityEvent
from tests.factories import PASSWORD


@pytest.fixture
def signed_in(world, client, frozen_clock):
    user = world.users[Role.BRANCH_STAFF]
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def test_defaults_are_the_issue_numbers():
    from cpaudit.settings import base

    assert (base.CPAUDIT_SESSION_IDLE_MINUTES, base.CPAUDIT_SESSION_MAX_HOURS) == (30, 12)


@pytest.mark.parametrize("idle", [30, 5])
def test_idle_session_ends(signed_in, frozen_clock, settings, idle):
    settings.CPAUDIT_SESSION_IDLE_MINUTES = idle
    frozen_clock.advance(minutes=idle)
    assert signed_in.get("/").status_code == 200  # exactly at the limit: still open
    frozen_clock.advance(minutes=idle, seconds=1)
    response = signed_in.get("/campaigns/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/campaigns/")
    assert "_auth_user_id" not in signed_in.session
    assert SecurityEvent.objects.filter(kind="session.expired", detail__reason="idle").exists()


def test_activity_keeps_it_open_until_the_absolute_limit(signed_in, frozen_clock, settings):
    settings.CPAUDIT_SESSION_MAX_HOURS = 12
    for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
        frozen_clock.advance(minutes=20)
        assert signed_in.get("/").status_code == 200
    frozen_clock.advance(minutes=1)
    response = signed_in.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert SecurityEvent.objects.filter(kind="session.expired", detail__reason="max").exists()
    assert settings.SESSION_COOKIE_AGE == 12 * 3600  # Django's own expiry is the same limit


def test_the_session_row_expires_with_the_idle_limit(signed_in, settings):
    session = Session.objects.get()
    remaining = session.expire_date - dt.datetime.now(dt.UTC)
    assert remaining <= dt.timedelta(minutes=settings.CPAUDIT_SESSION_IDLE_MINUTES)


def test_logout_deletes_the_session_and_clears_site_data(signed_in):
    assert Session.objects.count() == 1
    response = signed_in.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not Session.objects.exists()
    assert signed_in.get("/").status_code == 302


def test_logout_by_get_is_refused(signed_in):
    assert signed_in.get("/logout/").status_code == 405
    assert signed_in.get("/").status_code == 200


def test_worker_purges_expired_sessions(signed_in, frozen_clock, settings):
    from django.utils import timezone

    later = timezone.now() + dt.timedelta(minutes=settings.CPAUDIT_SESSION_IDLE_MINUTES + 1)
    assert services.purge_expired(later)["sessions"] == 1
    assert not Session.objects.exists()


def test_worker_calls_the_purge_daily(monkeypatch):
    from cpaudit.jobs.management.commands import worker

    calls = []
    monkeypatch.setattr(worker, "purge_expired", lambda: calls.append(1) or {})
    command = worker.Command()
    command.daily_security()
    assert calls == [1]


@pytest.mark.parametrize("name", ["home", "registry:enterprise_list", "registry:enterprise_template"])
def test_signed_in_responses_are_not_stored(world, client, name):
    from django.urls import reverse

    client.force_login(world.users[Role.BRANCH_STAFF])
    response = client.get(reverse(name))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


def test_login_page_is_not_stored_either(client, db):
    response = client.get("/login/")
    assert "no-store" in response["Cache-Control"]


def test_static_files_are_served_without_debug(client, settings, db):
    assert settings.DEBUG is False
    response = client.get("/static/cpaudit/site.css")
    assert response.status_code == 200


def test_a_request_refused_before_authentication_gets_its_chinese_page(client, db):
    response = client.get("/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400 and "请求有误" in response.content.decode()
