"""The security administrator lifts a lockout (with a reason, logged; never their own); the audit
administrator searches the security log, which records refusals (403/404) and reads of sensitive data."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.security.models import Lockout, LoginFailure, SecurityEvent
from tests.factories import PASSWORD


def _lock(kind, key, minutes=30):
    now = timezone.now()
    return Lockout.objects.create(kind=kind, key=key, locked_at=now, failures=5,
                                  until=now + dt.timedelta(minutes=minutes))


def test_unlock_lets_the_account_in_again(world, client):
    user = world.users[Role.BRANCH_STAFF]
    for i in range(5):
        client.post("/login/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{i}")
    lockout = Lockout.objects.get(kind=Lockout.Kind.ACCOUNT)
    admin = world.users[Role.SECURITY_ADMIN]
    client.force_login(admin)
    page = client.get(reverse("security:lockout_list"))
    assert user.username in page.content.decode()
    response = client.post(reverse("security:lockout_unlock", args=[lockout.pk]), {"reason": "本人电话确认"})
    assert response.status_code == 302
    lockout.refresh_from_db()
    assert lockout.unlocked_by == admin and lockout.unlock_reason == "本人电话确认"
    assert not LoginFailure.objects.filter(username=user.username).exists()
    entry = ActionLog.objects.get(action="security.lockout.unlocked")
    assert entry.actor_id == admin.pk and entry.data["key"] == user.username
    assert SecurityEvent.objects.filter(kind="login.unlocked", detail__key=user.username).exists()
    client.post("/logout/")
    assert client.post("/login/", {"username": user.username, "password": PASSWORD},
                       REMOTE_ADDR="10.9.9.9")["Location"] == "/"


def test_nobody_unlocks_themselves(world, client):
    admin = world.users[Role.SECURITY_ADMIN]
    own = _lock(Lockout.Kind.ACCOUNT, admin.username)
    own_address = _lock(Lockout.Kind.ADDRESS, "127.0.0.1")
    client.force_login(admin)
    for lockout in (own, own_address):
        response = client.post(reverse("security:lockout_unlock", args=[lockout.pk]), {"reason": "x"}, follow=True)
        assert "不能解除自己的锁定" in response.content.decode()
        lockout.refresh_from_db()
        assert lockout.unlocked_at is None
    assert not ActionLog.objects.filter(action="security.lockout.unlocked").exists()


def test_a_reason_is_required_and_others_may_not(world, client):
    lockout = _lock(Lockout.Kind.ACCOUNT, "someone")
    client.force_login(world.users[Role.SECURITY_ADMIN])
    response = client.post(reverse("security:lockout_unlock", args=[lockout.pk]), {"reason": ""}, follow=True)
    assert "请填写解锁原因" in response.content.decode()
    client.force_login(world.users[Role.SYSTEM_ADMIN])
    assert client.post(reverse("security:lockout_unlock", args=[lockout.pk]), {"reason": "x"}).status_code == 403
    lockout.refresh_from_db()
    assert lockout.unlocked_at is None


def test_refusals_are_recorded(world, client):
    client.force_login(world.users[Role.BRANCH_STAFF])
    assert client.get(reverse("log_list")).status_code == 403
    other = world.enterprises["other_city"]
    assert client.get(reverse("registry:enterprise_detail", args=[other.pk])).status_code == 404
    kinds = list(SecurityEvent.objects.order_by("id").values_list("kind", "status", "path"))
    assert kinds == [("access.denied", 403, "/log/"),
                     ("access.not_found", 404, reverse("registry:enterprise_detail", args=[other.pk]))]
    assert SecurityEvent.objects.first().username == world.users[Role.BRANCH_STAFF].username


def test_downloads_and_log_searches_are_recorded(world, client):
    client.force_login(world.users[Role.BRANCH_STAFF])
    assert client.get(reverse("registry:enterprise_template")).status_code == 200
    client.force_login(world.users[Role.AUDIT_ADMIN])
    assert client.get(reverse("log_list"), {"actor": "jx"}).status_code == 200
    reads = list(SecurityEvent.objects.filter(kind="read.sensitive").order_by("id"))
    assert [e.detail["view"] for e in reads] == ["registry:enterprise_template", "log_list"]
    assert reads[1].path == "/log/?actor=jx" and reads[1].role == Role.AUDIT_ADMIN


def test_audit_admin_searches_the_security_log(world, client):
    for i in range(3):
        client.post("/login/", {"username": f"intruder{i}", "password": "x"}, REMOTE_ADDR="198.51.100.4")
    client.force_login(world.users[Role.AUDIT_ADMIN])
    page = client.get(reverse("security:event_list"), {"kind": "login.failed", "username": "intruder1"})
    html = page.content.decode()
    assert page.status_code == 200 and "intruder1" in html and "intruder2" not in html and "登录失败" in html
    bad = client.get(reverse("security:event_list"), {"kind": "no.such", "date_from": "2020-13-45"})
    assert bad.status_code == 200 and "intruder1" not in bad.content.decode()


@pytest.mark.parametrize("cap", [5, 50])
def test_the_security_log_is_capped(db, settings, cap):
    from cpaudit.security import events

    settings.CPAUDIT_SECURITY_LOG_MAX_ROWS = cap
    for i in range(cap + 7):
        events.record("login.failed", username=f"u{i}")
    assert SecurityEvent.objects.count() == cap
    assert SecurityEvent.objects.order_by("id").first().username == "u7"


def test_nul_and_odd_text_are_stored_on_every_database(db):
    from cpaudit.security import events

    event = events.record("login.failed", username="a\x00b", detail={"x\x00": ["\x00"]})
    event.refresh_from_db()
    assert event.username == "a\u2400b" and event.detail == {"x\u2400": ["\u2400"]}
