"""Personal API tokens: stored as SHA-256 only, shown once, expiring after CPAUDIT_API_TOKEN_DAYS (by
cpaudit.core.clock), revocable, acting as their user, logged when made and revoked; a failed token is
reported to the login protection; reading through the API writes nothing."""

import datetime as dt
import hashlib

import pytest
from django.contrib.auth.signals import user_login_failed
from django.urls import reverse

from cpaudit.api import tokens
from cpaudit.api.models import ApiToken
from cpaudit.core import clock
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role

from .conftest import ApiClient


@pytest.fixture
def staff(world):
    return world.users[Role.BRANCH_STAFF]


def test_only_the_digest_is_stored(staff):
    token, secret = tokens.token_create(actor=staff, name="同步脚本")
    assert secret.startswith("cpat_") and len(secret) >= 45
    row = ApiToken.objects.get(pk=token.pk)
    assert row.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {row.name, row.prefix, row.digest} and row.prefix == secret[:12]
    assert ActionLog.objects.filter(action="api.token.created", object_id=str(token.pk)).exists()
    entry = ActionLog.objects.get(action="api.token.created", object_id=str(token.pk))
    assert secret not in str(entry.data) and secret not in entry.object_repr


def test_the_token_acts_as_its_user_and_ignores_a_session(world, client, staff):
    _, secret = tokens.token_create(actor=staff, name="脚本")
    me = ApiClient(client, secret).get("/me").json()
    assert (me["username"], me["role"]) == (staff.username, Role.BRANCH_STAFF)
    client.force_login(world.users[Role.PROVINCE_STAFF])
    response = ApiClient(client, None).get("/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_missing"


def test_the_page_shows_the_secret_once(client, staff):
    client.force_login(staff)
    response = client.post(reverse("api_tokens:token_list"), {"name": "数据同步"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=staff)
    page = response.content.decode()
    secret = page.split("<code>", 1)[1].split("</code>", 1)[0]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.digest
    again = client.get(reverse("api_tokens:token_list")).content.decode()
    assert secret not in again and token.prefix in again and "数据同步" in again
    assert "<script" not in again and " style=" not in again


def test_a_token_expires_after_the_configured_days(client, staff, settings):
    today = clock.today()
    _, secret = tokens.token_create(actor=staff, name="到期测试")
    api = ApiClient(client, secret)
    with clock.frozen(today + dt.timedelta(days=89)):
        assert api.get("/me").status_code == 200
    with clock.frozen(today + dt.timedelta(days=91)):
        response = api.get("/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_expired"
    settings.CPAUDIT_API_TOKEN_DAYS = 7
    token, _ = tokens.token_create(actor=staff, name="七天")
    assert (token.expires_at - token.created_at) == dt.timedelta(days=7)
    with clock.frozen(today + dt.timedelta(days=8)):
        assert tokens.active(staff).filter(pk=token.pk).count() == 0


def test_revoking_ends_the_token_and_is_logged(client, staff, world):
    token, secret = tokens.token_create(actor=staff, name="撤销测试")
    api = ApiClient(client, secret)
    assert api.get("/me").status_code == 200
    client.force_login(staff)
    response = client.post(reverse("api_tokens:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert ActionLog.objects.filter(action="api.token.revoked", object_id=str(token.pk)).count() == 1
    client.logout()
    response = api.get("/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_revoked"


def test_nobody_revokes_someone_elses_token(client, staff, world):
    token, secret = tokens.token_create(actor=staff, name="他人")
    client.force_login(world.users[Role.BRANCH_LEADER])
    assert client.post(reverse("api_tokens:token_revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("api_tokens:token_revoke", args=[token.pk])).status_code == 405
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert token.prefix not in client.get(reverse("api_tokens:token_list")).content.decode()


def test_a_disabled_account_token_stops(client, staff):
    _, secret = tokens.token_create(actor=staff, name="停用")
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    response = ApiClient(client, secret).get("/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "account_disabled"


@pytest.mark.parametrize("header", ["Bearer cpat_notatoken", "Bearer " + "x" * 500, "Bearer cpat_\u00e9\u00e9",
                                    "Bearer "])
def test_a_wrong_token_is_refused_and_counted(client, header, world):
    calls = []

    def receiver(sender, credentials, request=None, **kwargs):
        calls.append(credentials)

    user_login_failed.connect(receiver)
    try:
        response = client.get("/api/v1/me", headers={"Authorization": header})
    finally:
        user_login_failed.disconnect(receiver)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("token_invalid", "token_missing")
    if response.json()["error"]["code"] == "token_invalid":
        assert calls == [{"username": ""}]


def test_an_expired_token_counts_against_its_account(client, staff):
    _, secret = tokens.token_create(actor=staff, name="到期")
    calls = []

    def receiver(sender, credentials, request=None, **kwargs):
        calls.append((credentials, request.META.get("REMOTE_ADDR")))

    user_login_failed.connect(receiver)
    try:
        with clock.frozen(clock.today() + dt.timedelta(days=200)):
            assert ApiClient(client, secret).get("/me").status_code == 401
    finally:
        user_login_failed.disconnect(receiver)
    assert calls == [({"username": staff.username}, "127.0.0.1")]


def test_active_tokens_are_bounded(client, staff):
    for n in range(tokens.MAX_ACTIVE):
        tokens.token_create(actor=staff, name=f"脚本{n}")
    client.force_login(staff)
    response = client.post(reverse("api_tokens:token_list"), {"name": "多一个"})
    assert "最多" in response.content.decode()
    assert ApiToken.objects.filter(user=staff).count() == tokens.MAX_ACTIVE


def test_reading_through_the_api_writes_nothing(client, world, staff):
    from .objects import populate

    ids = populate(world)
    _, secret = tokens.token_create(actor=staff, name="只读")
    api = ApiClient(client, secret)
    before = (ActionLog.objects.count(), list(ApiToken.objects.values_list("pk", "revoked_at")))
    for path in ["/me", "/enterprises", "/campaigns", f"/campaigns/{world.campaign.slug}/enrolments", "/options",
                 "/reports", f"/reports/{ids['report', 'own']}", "/applications",
                 f"/applications/{ids['application', 'own']}", "/batches", f"/steps/{ids['step', 'own']}"]:
        assert api.get(path).status_code == 200, path
    assert (ActionLog.objects.count(), list(ApiToken.objects.values_list("pk", "revoked_at"))) == before


def test_lockout_applies_to_tokens(client, staff, world, settings):
    """After CPAUDIT_LOGIN_MAX_FAILURES wrong tokens from one address even a good token is refused from
    there; an account locked by wrong passwords on the login page cannot use its tokens either."""
    from cpaudit.security.models import Lockout

    _, secret = tokens.token_create(actor=staff, name="锁定")
    good, bad = ApiClient(client, secret), ApiClient(client, "cpat_" + "x" * 43)
    for _ in range(settings.CPAUDIT_LOGIN_MAX_FAILURES):
        assert bad.get("/me").status_code == 401
    refused = good.get("/me")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "locked"
    assert Lockout.objects.filter(kind=Lockout.Kind.ADDRESS, key="127.0.0.1").exists()
    Lockout.objects.all().delete()
    assert good.get("/me").status_code == 200
    leader = world.users[Role.BRANCH_LEADER]
    _, leader_secret = tokens.token_create(actor=leader, name="负责人")
    for _ in range(settings.CPAUDIT_LOGIN_MAX_FAILURES):
        client.post(reverse("login"), {"username": leader.username, "password": "wrong-password-1"},
                    REMOTE_ADDR="10.0.0.9")
    assert Lockout.objects.filter(kind=Lockout.Kind.ACCOUNT, key=leader.username).exists()
    response = ApiClient(client, leader_secret).get("/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "locked"
