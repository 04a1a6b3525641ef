"""The account pages end to end: the forced change, every user's change page, opening accounts (one-time
secret shown once, not cached), the public activation page, the administrators' actions."""

import datetime as dt
import re

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpaudit.core import clock
from cpaudit.core.models import ActionLog
from cpaudit.org import services
from cpaudit.org.models import User
from cpaudit.org.roles import Role

from ..factories import PASSWORD, make_user

GOOD = "Kettle#Harbor92"
CHANGE = reverse("org:password_change")
LIST = reverse("registry:enterprise_list")
QUOTED = LIST.replace("/", "%2F")


def secret_on(response) -> str:
    return re.search(r'<strong class="secret">([^<]+)</strong>', response.content.decode()).group(1)


# --- the forced change -----------------------------------------------------------------------------

def test_a_one_time_password_leads_to_the_change_page_until_changed(world, client):
    user = world.users[Role.BRANCH_STAFF]
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"] == f"{CHANGE}?next={QUOTED}"
    page = client.get(response["Location"])
    assert "您正在使用初始密码或重置后的一次性密码" in page.content.decode()
    weak = client.post(CHANGE, {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short",
                                "next": LIST})
    assert weak.status_code == 200 and "密码至少10个字符" in weak.content.decode()
    assert client.get(LIST).status_code == 302
    done = client.post(CHANGE, {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD,
                                "next": LIST})
    assert done.status_code == 302 and done["Location"] == LIST
    assert client.get(LIST).status_code == 200  # the session survived its own change
    assert authenticate(username=user.username, password=GOOD) is not None
    assert ActionLog.objects.get(action="org.user.password_changed").data == {"why": "one_time"}


def test_an_expired_password_leads_to_the_change_page_on_the_frozen_clock(world, client):
    user = world.users[Role.CITY_STAFF]
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.make_aware(dt.datetime(2020, 3, 1, 9)))
    client.force_login(user)
    with clock.frozen(dt.date(2020, 5, 29)):
        assert client.get(LIST).status_code == 200
    with clock.frozen(dt.date(2020, 5, 30)):
        response = client.get(LIST)
        assert response.status_code == 302 and response["Location"].startswith(CHANGE)
        assert "您的密码已到期" in client.get(CHANGE).content.decode()
        assert client.post(reverse("logout")).status_code in (200, 302)  # the way out stays open


def test_demo_accounts_are_not_sent_to_the_change_page(world, client):
    user = world.users[Role.ENTERPRISE]
    User.objects.filter(pk=user.pk).update(must_change_password=True, is_demo=True)
    client.force_login(user)
    assert client.get(LIST).status_code == 200


def test_a_posted_form_is_not_processed_before_the_change(world, client):
    user = world.users[Role.SYSTEM_ADMIN]
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    before = ActionLog.objects.count()
    response = client.post(reverse("org:agency_create"), {"name": "X分局", "kind": "county", "division": "130607"})
    assert response.status_code == 302 and response["Location"] == CHANGE
    assert ActionLog.objects.count() == before


@pytest.mark.parametrize("role", list(Role))
def test_every_user_has_a_change_page(world, client, role):
    client.force_login(world.users[role])
    page = client.get(CHANGE)
    assert page.status_code == 200 and "至少10个字符" in page.content.decode()
    wrong = client.post(CHANGE, {"old_password": "nope", "new_password1": GOOD, "new_password2": GOOD})
    assert "原密码不正确" in wrong.content.decode()


# --- opening accounts ------------------------------------------------------------------------------

def test_the_system_admin_opens_an_account_and_sees_its_password_once(world, client):
    client.force_login(world.users[Role.SYSTEM_ADMIN])
    response = client.post(reverse("org:user_create"), {
        "username": "zhang_san", "full_name": "张三", "role": Role.CITY_STAFF, "agency": world.baoding.pk})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = secret_on(response)
    user = authenticate(username="zhang_san", password=password)
    assert user is not None and user.must_change_password and user.agency == world.baoding
    page = client.get(reverse("org:user_detail", args=[user.pk]))
    assert password not in page.content.decode() and "一次性密码，登录后须修改" in page.content.decode()


def test_the_page_offers_no_administrator_roles_and_refuses_them(world, client):
    client.force_login(world.users[Role.SYSTEM_ADMIN])
    page = client.get(reverse("org:user_create")).content.decode()
    assert 'value="auditadmin"' not in page and 'value="city_staff"' in page
    response = client.post(reverse("org:user_create"), {"username": "a2", "full_name": "某", "role": "auditadmin"})
    assert response.status_code == 200 and not User.objects.filter(username="a2").exists()


def test_branch_staff_open_and_invite_enterprise_accounts_of_their_county(world, client):
    client.force_login(world.users[Role.BRANCH_STAFF])
    page = client.get(reverse("org:user_create")).content.decode()
    assert re.findall(r'<option value="([a-z_]+)"', page.split('name="role"')[1].split("</select>")[0]) == [
        "enterprise", "consultant"]
    far = client.post(reverse("org:user_create"), {"username": "e9", "full_name": "某", "role": "enterprise",
                                                   "enterprise_uscc": world.enterprises["other_county"].uscc})
    assert "不在您的辖区内" in far.content.decode() and not User.objects.filter(username="e9").exists()
    invited = client.post(reverse("org:user_create"), {
        "username": "e9", "full_name": "企业经办", "role": "enterprise", "invite": "on",
        "enterprise_uscc": world.enterprises["same_county"].uscc.lower()})
    code = secret_on(invited)
    assert "激活码" in invited.content.decode() and User.objects.get(username="e9").enterprise == world.enterprises[
        "same_county"]
    anonymous = Client()
    assert anonymous.get(reverse("org:activate")).status_code == 200
    weak = anonymous.post(reverse("org:activate"), {"username": "e9", "code": code, "new_password1": "e9e9e9e9e9",
                                                    "new_password2": "e9e9e9e9e9"})
    assert "至少3类" in weak.content.decode()
    done = anonymous.post(reverse("org:activate"), {"username": "e9", "code": code, "new_password1": GOOD,
                                                    "new_password2": GOOD})
    assert done.status_code == 302 and done["Location"] == reverse("login")
    assert authenticate(username="e9", password=GOOD) is not None
    again = anonymous.post(reverse("org:activate"), {"username": "e9", "code": code, "new_password1": GOOD,
                                                     "new_password2": GOOD})
    assert "激活码无效" in again.content.decode()


def test_a_failed_activation_writes_nothing(world, client):
    before = ActionLog.objects.count()
    for n in range(3):
        client.post(reverse("org:activate"), {"username": f"nobody{n}", "code": "ABCDE-FGHJK-LMNPQ-RSTUV",
                                              "new_password1": GOOD, "new_password2": GOOD})
    assert ActionLog.objects.count() == before


# --- the administrators' actions ---------------------------------------------------------------------

def test_the_detail_page_offers_each_administrator_its_own_actions(world, client):
    target = make_user("target", Role.BRANCH_STAFF, agency=world.branch_a)
    url = reverse("org:user_detail", args=[target.pk])
    client.force_login(world.users[Role.SECURITY_ADMIN])
    page = client.get(url).content.decode()
    assert all(label in page for label in ("分配角色", "重置密码", "转办待办事项")) and "停用账号" not in page
    client.force_login(world.users[Role.SYSTEM_ADMIN])
    page = client.get(url).content.decode()
    assert "修改信息" in page and "停用账号" in page and "分配角色" not in page
    own = client.get(reverse("org:user_detail", args=[world.users[Role.SYSTEM_ADMIN].pk])).content.decode()
    assert "停用账号" not in own and "修改信息" not in own  # nothing on oneself
    assert client.get(reverse("org:user_disable", args=[world.users[Role.SYSTEM_ADMIN].pk])).status_code == 403


def test_disable_reset_and_handover_pages(world, client):
    target = world.users[Role.CITY_STAFF]
    victim = Client()
    victim.force_login(target)
    client.force_login(world.users[Role.SYSTEM_ADMIN])
    done = client.post(reverse("org:user_disable", args=[target.pk]), {"reason": "离职"})
    assert done.status_code == 302 and victim.get("/").status_code == 302
    client.force_login(world.users[Role.SECURITY_ADMIN])
    client.post(reverse("org:user_enable", args=[target.pk]), {"reason": "返聘"})
    reset = client.post(reverse("org:user_reset", args=[target.pk]))
    assert authenticate(username=target.username, password=secret_on(reset)).must_change_password
    colleague = make_user("cs2", Role.CITY_STAFF, agency=world.baoding)
    from cpaudit.reports.models import Notification

    Notification.objects.create(user=target, text="待办")
    page = client.get(reverse("org:user_handover", args=[target.pk])).content.decode()
    assert "未读通知：1" in page and "cs2" in page
    client.post(reverse("org:user_handover", args=[target.pk]), {"colleague": colleague.pk, "reason": "离职"})
    assert Notification.objects.get(text="待办").user == colleague


def test_the_security_policy_page_shows_the_configured_values(world, client, settings):
    settings.CPAUDIT_PASSWORD_MAX_AGE_DAYS = 60
    client.force_login(world.users[Role.SECURITY_ADMIN])
    page = client.get(reverse("org:security_policy")).content.decode()
    assert "<td>密码有效期（天）</td><td>60</td>" in page


def test_the_account_list_takes_a_fixed_number_of_queries(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.users[Role.SYSTEM_ADMIN])
    url = reverse("org:user_list") + "?role=branch_staff&status=active"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(40):
        make_user(f"extra{n}", Role.BRANCH_STAFF, agency=world.branch_a)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200 and "extra39" in response.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)


def test_branch_staff_see_only_the_accounts_they_may_open(world, client):
    client.force_login(world.users[Role.BRANCH_STAFF])
    page = client.get(reverse("org:user_list")).content.decode()
    assert ">ent<" in page and ">con<" in page and ">cstaff<" not in page and ">blead<" not in page
    services.account_disable(actor=world.users[Role.SYSTEM_ADMIN], user=world.users[Role.ENTERPRISE], reason="x")
    response = client.post(reverse("org:user_enable", args=[world.users[Role.ENTERPRISE].pk]), {"reason": "恢复"})
    assert response.status_code == 302 and User.objects.get(username="ent").is_active


def test_a_new_account_logs_in_through_the_login_page_and_must_choose_its_password(world, client):
    """The whole first login: the one-time password printed by create-user, the login page, the change."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create-user", "first_login", "--role", "city_staff", "--full-name", "初次", "--agency-id",
                 str(world.baoding.pk), stdout=out)
    password = out.getvalue().split("一次性初始密码：", 1)[1].split()[0]
    landed = client.post(reverse("login"), {"username": "first_login", "password": password}, follow=True)
    assert landed.redirect_chain[-1][0].startswith(CHANGE) and "您正在使用初始密码" in landed.content.decode()
    client.post(CHANGE, {"old_password": password, "new_password1": GOOD, "new_password2": GOOD})
    assert client.get(LIST).status_code == 200
    client.post(reverse("logout"))
    again = client.post(reverse("login"), {"username": "first_login", "password": password})
    assert again.status_code == 200  # the one-time password is spent
