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


def test_production_settings_refuse_to_start_without_secrets(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured):
        importlib.reload(importlib.import_module("cpaudit.settings.production"))
