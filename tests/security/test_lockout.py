"""Lockout after CPAUDIT_LOGIN_MAX_FAILURES failures within the window, per account name and per client
address, for CPAUDIT_LOGIN_LOCKOUT_MINUTES; the same answer for real and unknown names; counted in the
database; logged (real accounts in the action log, everything in the security log)."""

import pytest
from django.test import Client

from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.security import login as protection
from cpaudit.security.models import Lockout, LoginFailure, SecurityEvent
from tests.factories import PASSWORD


def _error(response) -> str:
    assert response.status_code == 200
    return response.context["form"].non_field_errors()[0]


def test_defaults_are_the_issue_numbers(settings):
    from cpaudit.settings import base

    assert (base.CPAUDIT_LOGIN_MAX_FAILURES, base.CPAUDIT_LOGIN_FAILURE_WINDOW_MINUTES,
            base.CPAUDIT_LOGIN_LOCKOUT_MINUTES) == (5, 15, 30)


@pytest.mark.parametrize("max_failures", [5, 3])
def test_account_locks_at_the_configured_count(world, login_post, frozen_clock, settings, max_failures):
    settings.CPAUDIT_LOGIN_MAX_FAILURES = max_failures
    user = world.users[Role.BRANCH_STAFF]
    for i in range(max_failures - 1):
        assert _error(login_post(user.username, "wrong", ip=f"10.0.0.{i + 1}")) == protection.WRONG
    # The last failure locks (each from another address: the account's count, not an address's).
    assert _error(login_post(user.username, "wrong", ip="10.0.1.1")) == protection.locked_message()
    # Now even the right password is refused, from anywhere.
    assert _error(login_post(user.username, PASSWORD, ip="10.0.2.1")) == protection.locked_message()
    lock = Lockout.objects.get(kind=Lockout.Kind.ACCOUNT, key=user.username)
    assert lock.failures == max_failures
    assert (lock.until - lock.locked_at).total_seconds() == settings.CPAUDIT_LOGIN_LOCKOUT_MINUTES * 60


def test_the_lock_ends_after_the_configured_minutes(world, login_post, frozen_clock, settings):
    settings.CPAUDIT_LOGIN_LOCKOUT_MINUTES = 30
    user = world.users[Role.CITY_STAFF]
    for i in range(5):
        login_post(user.username, "wrong", ip=f"10.0.0.{i + 1}")
    frozen_clock.advance(minutes=29, seconds=59)
    assert _error(login_post(user.username, PASSWORD, ip="10.9.0.1")) == protection.locked_message()
    frozen_clock.advance(seconds=2)
    response = login_post(user.username, PASSWORD, ip="10.9.0.2")
    assert response.status_code == 302 and response["Location"] == "/"


def test_failures_outside_the_window_do_not_count(world, login_post, frozen_clock, settings):
    settings.CPAUDIT_LOGIN_FAILURE_WINDOW_MINUTES = 15
    user = world.users[Role.BRANCH_LEADER]
    for i in range(4):
        login_post(user.username, "wrong", ip=f"10.0.0.{i + 1}")
    frozen_clock.advance(minutes=15, seconds=1)
    assert _error(login_post(user.username, "wrong", ip="10.0.0.9")) == protection.WRONG
    assert not Lockout.objects.exists()


def test_address_locks_whatever_the_names(world, login_post, frozen_clock):
    for i in range(5):
        login_post(f"guess{i}", "wrong", ip="192.0.2.7")
    assert Lockout.objects.filter(kind=Lockout.Kind.ADDRESS, key="192.0.2.7").exists()
    user = world.users[Role.ENTERPRISE]
    assert _error(login_post(user.username, PASSWORD, ip="192.0.2.7")) == protection.locked_message()
    assert login_post(user.username, PASSWORD, ip="192.0.2.8").status_code == 302


def test_unknown_and_real_names_get_the_same_answers(world, login_post, frozen_clock):
    real = world.users[Role.PROVINCE_STAFF].username
    answers = {}
    for name in (real, "no-such-account"):
        answers[name] = [_error(login_post(name, "wrong", ip=f"10.{len(answers)}.0.{i}")) for i in range(6)]
    assert answers[real] == answers["no-such-account"]
    assert answers[real][:4] == [protection.WRONG] * 4 and answers[real][4:] == [protection.locked_message()] * 2


def test_unknown_names_never_grow_the_action_log(world, login_post, frozen_clock, settings):
    settings.CPAUDIT_SECURITY_LOG_MAX_ROWS = 20
    before = ActionLog.objects.count()
    for i in range(40):
        login_post(f"nobody{i}", "wrong", ip=f"10.1.{i}.1")
    assert ActionLog.objects.count() == before
    assert SecurityEvent.objects.count() <= 20  # rotated: the cap holds
    assert SecurityEvent.objects.order_by("-id").first().username == "nobody39"  # the newest are kept


def test_a_real_accounts_failures_and_lockout_are_in_the_action_log(world, login_post, frozen_clock):
    user = world.users[Role.BRANCH_STAFF]
    for i in range(5):
        login_post(user.username, "wrong", ip=f"10.0.0.{i + 1}")
    actions = list(ActionLog.objects.filter(object_id=str(user.pk), action="auth.login_failed"))
    assert len(actions) == 5 and actions[0].data["ip"] == "10.0.0.1"
    locked = ActionLog.objects.get(action="security.lockout.locked")
    assert locked.data["key"] == user.username and locked.data["failures"] == 5
    kinds = list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["login.failed"] * 5 + ["login.locked"]


def test_counters_are_shared_by_every_server(world, frozen_clock):
    """Two clients (two app servers) see one count: it lives in the database."""
    user = world.users[Role.BRANCH_STAFF]
    for i in range(5):
        Client().post("/login/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{i}")
    assert LoginFailure.objects.filter(username=user.username).count() == 5
    response = Client().post("/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.5.5.5")
    assert response.context["form"].non_field_errors()[0] == protection.locked_message()


def test_the_api_path_counts_the_same(world, rf, frozen_clock):
    """The function every other login path (the REST API) calls: same counters, same refusal."""
    user = world.users[Role.BRANCH_STAFF]
    for i in range(5):
        request = rf.post("/api/v1/token", REMOTE_ADDR=f"10.0.0.{i}")
        outcome = protection.authenticate_or_refuse(request, user.username, "wrong")
        assert not outcome.ok
    assert outcome.message == protection.locked_message()
    request = rf.post("/api/v1/token", REMOTE_ADDR="10.7.7.7")
    assert protection.authenticate_or_refuse(request, user.username, PASSWORD).message == protection.locked_message()


def test_a_success_clears_the_accounts_count(world, login_post, frozen_clock):
    user = world.users[Role.BRANCH_STAFF]
    for i in range(4):
        login_post(user.username, "wrong", ip=f"10.0.0.{i}")
    assert login_post(user.username, PASSWORD).status_code == 302
    Client().post("/login/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.3.3.3")
    assert not Lockout.objects.exists()


def test_behind_a_proxy_the_forwarded_address_is_counted(world, client, frozen_clock, settings):
    settings.CPAUDIT_PROXY_HOPS = 1
    for i in range(5):
        client.post("/login/", {"username": f"x{i}", "password": "w"}, REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.9")
    assert list(Lockout.objects.values_list("key", flat=True)) == ["203.0.113.9"]
