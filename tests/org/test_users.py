import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cpaudit.org.models import User
from cpaudit.org.roles import Role

from ..factories import PASSWORD


def test_admin_roles_cannot_hold_a_business_binding(world):
    user = User(username="mixed", role=Role.AUDIT_ADMIN, agency=world.branch_a)
    with pytest.raises(ValidationError):
        user.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


def test_admin_cannot_be_inspector(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="insp", role=Role.SYSTEM_ADMIN, is_inspector=True)


def test_branch_role_needs_a_county_level_agency(world):
    user = User(username="wrong", role=Role.BRANCH_STAFF, agency=world.baoding)
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "agency" in exc.value.message_dict


def test_direct_county_agency_holds_both_levels(world):
    for role in (Role.BRANCH_STAFF, Role.CITY_STAFF):
        User(username=f"dz_{role}", role=role, agency=world.dingzhou).full_clean(exclude=["password"])


def test_demo_accounts_are_refused_outside_demo_mode(world, settings):
    user = world.users[Role.BRANCH_STAFF]
    user.is_demo = True
    user.save()
    assert authenticate(username=user.username, password=PASSWORD) is not None
    settings.CPAUDIT_DEMO_MODE = False
    assert authenticate(username=user.username, password=PASSWORD) is None


def test_account_without_role_cannot_log_in(db):
    user = User.objects.create(username="norole")
    user.set_password(PASSWORD)
    user.save()
    assert authenticate(username="norole", password=PASSWORD) is None


def _load_production(monkeypatch, **env):
    import importlib
    import sys

    for name in ("DJANGO_SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    saved_base = sys.modules.pop("cpaudit.settings.base", None)  # re-read the environment, as a new process would
    sys.modules.pop("cpaudit.settings.production", None)
    try:
        return importlib.import_module("cpaudit.settings.production")
    finally:
        sys.modules.pop("cpaudit.settings.production", None)
        if saved_base is not None:
            sys.modules["cpaudit.settings.base"] = saved_base


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL"])
def test_production_settings_refuse_to_start_without_secrets(monkeypatch, missing):
    from django.core.exceptions import ImproperlyConfigured

    env = {"DJANGO_SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}
    env.pop(missing)
    with pytest.raises(ImproperlyConfigured, match=missing):
        _load_production(monkeypatch, **env)


def test_production_settings_switch_off_demo_reset_and_pinned_dates(monkeypatch):
    monkeypatch.setenv("CPAUDIT_TODAY", "2020-07-21")
    prod = _load_production(monkeypatch, DJANGO_SECRET_KEY="k" * 50, DATABASE_URL="postgres://u@127.0.0.1:5432/x",
                            CPAUDIT_KEY_ENCRYPTION_KEY="0" * 32)
    assert prod.CPAUDIT_DEMO_MODE is False and prod.CPAUDIT_LOG_RESET_ALLOWED is False
    assert prod.CPAUDIT_TODAY is None and prod.DEBUG is False
    assert prod.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
