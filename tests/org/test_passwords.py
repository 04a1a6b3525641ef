"""Password rules (等保 2.0 level 3): the validators at their configured values, history, expiry on the
business clock, and the one place a password is stored."""

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from cpaudit.core import clock
from cpaudit.core.models import ActionLog
from cpaudit.org import policy, services
from cpaudit.org.models import PasswordHistory, User
from cpaudit.org.roles import Role

from ..factories import PASSWORD, make_user

GOOD = "Kettle#Harbor92"


def messages_for(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize(("password", "expected"), [
    ("Ab1#cd2$", "密码至少10个字符（现为8个）"),
    ("abcdefghij12", "密码须包含大写字母、小写字母、数字、符号中的至少3类（缺少：大写字母、符号）"),
    ("Password123", "这个密码太常见了。"),
    ("Bstaff#20240", "密码不能包含用户名（含倒序）"),
    ("Ffatsb#20240", "密码不能包含用户名（含倒序）"),
    ("Abcdefgh12\x00", "密码不能包含控制字符"),
])
def test_each_rule_refuses_with_a_chinese_reason(db, password, expected):
    user = User(username="bstaff", full_name="经办甲")
    assert expected in messages_for(password, user)


def test_a_good_password_passes_every_rule(db):
    assert messages_for(GOOD, User(username="bstaff", full_name="经办甲")) == []


def test_the_defaults_are_the_issued_numbers(settings):
    assert (settings.CPAUDIT_PASSWORD_MIN_LENGTH, settings.CPAUDIT_PASSWORD_MIN_CLASSES,
            settings.CPAUDIT_PASSWORD_MAX_AGE_DAYS, settings.CPAUDIT_PASSWORD_HISTORY,
            settings.CPAUDIT_DORMANT_DAYS) == (10, 3, 90, 5, 90)


def test_length_and_classes_follow_their_settings(db, settings):
    settings.CPAUDIT_PASSWORD_MIN_LENGTH = 14
    assert messages_for("Kettle#Harb92") == ["密码至少14个字符（现为13个）"]
    settings.CPAUDIT_PASSWORD_MIN_LENGTH = 10
    settings.CPAUDIT_PASSWORD_MIN_CLASSES = 4
    assert messages_for("KettleHarbor92") == ["密码须包含大写字母、小写字母、数字、符号中的至少4类（缺少：符号）"]
    assert messages_for(GOOD) == []


def test_the_help_text_states_the_configured_rules(settings):
    from django.contrib.auth.password_validation import password_validators_help_texts

    settings.CPAUDIT_PASSWORD_MIN_LENGTH = 12
    texts = password_validators_help_texts()
    assert "至少12个字符" in texts and "不能与最近5次用过的密码相同" in texts


# --- history -----------------------------------------------------------------------------------------

def change(user, old, new):
    return services.password_change(actor=user, old_password=old, new_password=new)


def test_the_last_five_passwords_are_not_reused(world):
    user = world.users[Role.BRANCH_STAFF]
    passwords = [PASSWORD] + [f"Kettle#Harbor{n}x" for n in range(1, 6)]
    for old, new in zip(passwords[:4], passwords[1:5], strict=True):
        change(user, old, new)
    for used in passwords[:4]:  # the four before the current one (passwords[4])
        with pytest.raises(ValidationError) as exc:
            change(user, passwords[4], used)
        assert exc.value.message_dict == {"new_password1": ["不能使用最近5次用过的密码"]}
    change(user, passwords[4], passwords[5])
    change(user, passwords[5], PASSWORD)  # six changes back: allowed again
    assert PasswordHistory.objects.filter(user=user).count() == 4  # + the current one = 5
    assert all(not row.password.startswith(PASSWORD) and PASSWORD not in row.password
               for row in PasswordHistory.objects.filter(user=user))


def test_history_follows_its_setting(world, settings):
    settings.CPAUDIT_PASSWORD_HISTORY = 2
    user = world.users[Role.BRANCH_STAFF]
    change(user, PASSWORD, "Kettle#Harbor1x")
    with pytest.raises(ValidationError, match="不能使用最近2次用过的密码"):
        change(user, "Kettle#Harbor1x", PASSWORD)
    change(user, "Kettle#Harbor1x", "Kettle#Harbor2x")
    change(user, "Kettle#Harbor2x", PASSWORD)  # two back: allowed with a history of 2
    assert PasswordHistory.objects.filter(user=user).count() == 1


def test_a_change_needs_the_old_password_and_is_logged_without_it(world):
    user = world.users[Role.CITY_STAFF]
    with pytest.raises(ValidationError) as exc:
        change(user, "wrong", GOOD)
    assert exc.value.message_dict == {"old_password": ["原密码不正确"]}
    change(user, PASSWORD, GOOD)
    entry = ActionLog.objects.get(action="org.user.password_changed", object_id=str(user.pk))
    assert entry.data == {"why": "voluntary"} and GOOD not in str(entry.changes) + str(entry.data)
    user.refresh_from_db()
    assert user.check_password(GOOD) and not user.must_change_password


# --- expiry and one-time passwords ---------------------------------------------------------------

def test_a_password_expires_after_ninety_days_on_the_business_clock(world):
    user = world.users[Role.BRANCH_STAFF]
    user.password_changed_at = timezone.make_aware(dt.datetime(2020, 3, 1, 10, 0))
    with clock.frozen(dt.date(2020, 5, 29)):  # day 89
        assert policy.change_required(user) is None
    with clock.frozen(dt.date(2020, 5, 30)):  # day 90
        assert policy.change_required(user) == policy.EXPIRED
    assert policy.password_expires_on(user) == dt.date(2020, 5, 30)


def test_expiry_follows_its_setting(world, settings):
    settings.CPAUDIT_PASSWORD_MAX_AGE_DAYS = 30
    user = world.users[Role.BRANCH_STAFF]
    user.password_changed_at = timezone.make_aware(dt.datetime(2020, 3, 1, 10, 0))
    with clock.frozen(dt.date(2020, 3, 30)):
        assert policy.change_required(user) is None
    with clock.frozen(dt.date(2020, 3, 31)):
        assert policy.change_required(user) == policy.EXPIRED


def test_a_one_time_password_must_be_changed_and_demo_accounts_are_exempt_in_demo_mode(world, settings):
    user = world.users[Role.ENTERPRISE]
    user.must_change_password = True
    assert policy.change_required(user) == policy.ONE_TIME
    user.is_demo = True
    user.password_changed_at = timezone.make_aware(dt.datetime(2000, 1, 1))
    assert policy.change_required(user) is None
    settings.CPAUDIT_DEMO_MODE = False
    assert policy.change_required(user) == policy.ONE_TIME


def test_generated_passwords_pass_every_rule_at_the_configured_length(db, settings):
    settings.CPAUDIT_PASSWORD_MIN_LENGTH = 16
    user = User(username="someone")
    for _ in range(20):
        password = policy.generate_password(user)
        assert len(password) == 16 and messages_for(password, user) == []


# --- one place stores passwords --------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2] / "cpaudit"
SETTERS = re.compile(r"\.set_password\(|make_password\((?!None\))")


def test_only_the_password_service_stores_a_password():
    """Every path goes through org.services.passwords.set_password (and so the validators). The demo
    loader hashes its shared password once and hands it over with the clear text, which
    user_create validates for each account (test_demo_loader_runs_the_validators)."""
    allowed = {"org/services/passwords.py", "demo/loader.py", "demo/workbench_data.py"}
    found = {path.relative_to(ROOT).as_posix() for path in ROOT.rglob("*.py")
             if SETTERS.search(path.read_text(encoding="utf-8"))}
    assert found == allowed
    for module in ("loader.py", "workbench_data.py"):  # the demo's logins hand over the clear text too
        assert "password=demo.PASSWORD, password_hash=hashed" in (ROOT / "demo" / module).read_text(encoding="utf-8")


def test_the_demo_loader_runs_the_validators(db, monkeypatch):
    from cpaudit.demo import data as demo
    from cpaudit.demo.loader import load_demo

    monkeypatch.setattr(demo, "PASSWORD", "demo12345")
    with pytest.raises(ValidationError) as exc:
        load_demo(today=dt.date(2020, 7, 21))
    assert "密码须包含大写字母、小写字母、数字、符号中的至少3类" in str(exc.value)
    assert not User.objects.exists()


def test_factories_make_accounts_that_need_no_change(world):
    """The tests' own accounts (built without the services) are not forced to the change page."""
    assert all(policy.change_required(u) is None for u in world.users.values())
    assert make_user("another", Role.EXPERT).password_changed_at is not None


# --- every path runs the validators ----------------------------------------------------------------

@pytest.fixture
def validated(monkeypatch):
    """The usernames whose new password went through validate_password in the password service."""
    from cpaudit.org.services import passwords

    seen, real = [], passwords.validate_password

    def spy(password, user=None, password_validators=None):
        seen.append(user.username)
        return real(password, user, password_validators)

    monkeypatch.setattr(passwords, "validate_password", spy)
    return seen


def _change_page(world, client):
    client.force_login(world.users[Role.CITY_STAFF])
    client.post("/org/password/", {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD})
    return "cstaff"


def _reset_page(world, client):
    client.force_login(world.users[Role.SECURITY_ADMIN])
    client.post(f"/org/users/{world.users[Role.CITY_STAFF].pk}/reset-password/")
    return "cstaff"


def _create_page(world, client):
    client.force_login(world.users[Role.SYSTEM_ADMIN])
    client.post("/org/users/new/", {"username": "newcomer", "full_name": "新人", "role": "expert"})
    return "newcomer"


def _activation_page(world, client):
    _, code = services.account_create(actor=world.users[Role.SYSTEM_ADMIN], invite=True,
                                      user=User(username="invitee", full_name="某", role=Role.EXPERT))
    client.post("/org/activate/", {"username": "invitee", "code": code, "new_password1": GOOD, "new_password2": GOOD})
    return "invitee"


def _create_command(world, client):
    from django.core.management import call_command

    call_command("create-user", "cmd_user", "--role", "expert", "--full-name", "某", stdout=StringIO())
    return "cmd_user"


def _reset_command(world, client):
    from django.core.management import call_command

    call_command("reset-password", "cstaff", stdout=StringIO())
    return "cstaff"


@pytest.mark.parametrize("path", [_change_page, _reset_page, _create_page, _activation_page, _create_command,
                                  _reset_command])
def test_every_path_runs_the_validators(world, client, validated, path):
    username = path(world, client)
    assert validated == [username]
    user = User.objects.get(username=username)
    assert user.has_usable_password() and user.password_changed_at > timezone.now() - dt.timedelta(minutes=5)
