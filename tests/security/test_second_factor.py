"""The second factor (TOTP): required for government staff and administrators when
CPAUDIT_OTP_REQUIRED, enrolled at the first login, verified after the password; demo accounts exempt
in demo mode; wrong codes count towards the lockout; the security administrator resets a lost one."""

from binascii import unhexlify

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.security import login as protection
from cpaudit.security import otp
from cpaudit.security.models import Lockout
from tests.factories import PASSWORD


def code_for(secret_hex: str, offset: int = 0) -> str:
    totp = TOTP(unhexlify(secret_hex))
    totp.time += offset * 30
    return f"{totp.token():06d}"


@pytest.fixture
def required(settings):
    settings.CPAUDIT_OTP_REQUIRED = True


def test_production_requires_it_and_the_demo_does_not():
    import cpaudit.settings.base as base

    assert base.CPAUDIT_OTP_REQUIRED is False  # the demo's default (environment may turn it on)
    production = (base.BASE_DIR / "cpaudit" / "settings" / "production.py").read_text(encoding="utf-8")
    assert 'CPAUDIT_OTP_REQUIRED = env_bool("CPAUDIT_OTP_REQUIRED", True)' in production


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF, Role.SYSTEM_ADMIN,
                                  Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_staff_and_administrators_enrol_at_first_login(world, client, required, role):
    user = world.users[role]
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/security/login/enrol/"
    assert "_auth_user_id" not in client.session  # not signed in yet
    page = client.get("/security/login/enrol/")
    html = page.content.decode()
    assert "<svg" in html and "otpauth://totp/" in html and "<script" not in html and " style=" not in html
    secret = client.session[otp.SESSION_KEY]
    assert not TOTPDevice.objects.filter(user=user).exists()  # looking changes no row
    done = client.post("/security/login/enrol/", {"code": code_for(secret)})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert TOTPDevice.objects.get(user=user).confirmed
    assert ActionLog.objects.filter(action="security.otp.enrolled", object_id=str(user.pk)).exists()


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.CONSULTANT, Role.EXPERT])
def test_others_sign_in_with_the_password(world, client, required, role):
    user = world.users[role]
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/" and client.session["_auth_user_id"] == str(user.pk)


def test_demo_accounts_are_exempt_in_demo_mode(world, client, required):
    user = world.users[Role.BRANCH_STAFF]
    user.is_demo = True
    user.save(update_fields=["is_demo"])
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/"


def test_optional_in_the_demo_unless_bound(world, client, settings):
    settings.CPAUDIT_OTP_REQUIRED = False
    user = world.users[Role.BRANCH_STAFF]
    assert client.post("/login/", {"username": user.username, "password": PASSWORD})["Location"] == "/"
    client.post("/logout/")
    TOTPDevice.objects.create(user=user, name="验证器", confirmed=True)
    assert client.post("/login/", {"username": user.username, "password": PASSWORD})["Location"] == \
        "/security/login/verify/"


def _bound(user) -> str:
    device = TOTPDevice.objects.create(user=user, name="验证器", confirmed=True)
    return device.key


def test_verification_after_the_password(world, client, required):
    user = world.users[Role.CITY_STAFF]
    key = _bound(user)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD, "next": "/log/"})
    assert response["Location"] == "/security/login/verify/"
    assert client.get("/").status_code == 302  # nothing is open before the second step
    wrong = client.post("/security/login/verify/", {"code": "000000" if code_for(key) != "000000" else "111111"})
    assert wrong.status_code == 200 and protection.WRONG_CODE in wrong.content.decode()
    done = client.post("/security/login/verify/", {"code": code_for(key)})
    assert done.status_code == 302 and done["Location"] == "/log/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_codes_lock_the_account(world, client, required, frozen_clock, settings):
    user = world.users[Role.CITY_STAFF]
    key = _bound(user)
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    bad = "000000" if code_for(key) != "000000" else "111111"
    for _ in range(settings.CPAUDIT_LOGIN_MAX_FAILURES - 1):
        client.post("/security/login/verify/", {"code": bad})
    response = client.post("/security/login/verify/", {"code": bad})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert Lockout.objects.filter(kind=Lockout.Kind.ACCOUNT, key=user.username).exists()
    again = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert again.context["form"].non_field_errors()[0] == protection.locked_message()


def test_the_second_step_expires(world, client, required, frozen_clock):
    from cpaudit.security.views_login import PENDING_SECONDS

    user = world.users[Role.CITY_STAFF]
    key = _bound(user)
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    frozen_clock.advance(seconds=PENDING_SECONDS + 1)
    response = client.post("/security/login/verify/", {"code": code_for(key)})
    assert response["Location"] == "/login/" and "_auth_user_id" not in client.session


def test_own_page_binds_and_replaces(world, client):
    user = world.users[Role.PROVINCE_STAFF]
    client.force_login(user)
    page = client.get("/security/otp/")
    assert page.status_code == 200 and "尚未绑定" in page.content.decode()
    secret = client.session[otp.SESSION_KEY]
    assert client.post("/security/otp/", {"code": code_for(secret)}).status_code == 302
    assert TOTPDevice.objects.get(user=user).key == secret


def test_security_admin_resets_a_lost_one_but_not_their_own(world, client):
    user = world.users[Role.BRANCH_STAFF]
    _bound(user)
    admin = world.users[Role.SECURITY_ADMIN]
    _bound(admin)
    client.force_login(admin)
    client.post("/security/otp/reset/", {"username": user.username, "reason": "手机遗失，已核实身份"})
    assert not TOTPDevice.objects.filter(user=user).exists()
    entry = ActionLog.objects.get(action="security.otp.reset")
    assert entry.object_id == str(user.pk) and entry.data["reason"] == "手机遗失，已核实身份"
    response = client.post("/security/otp/reset/", {"username": admin.username, "reason": "自己"}, follow=True)
    assert "不能重置自己的动态口令" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin).exists()
