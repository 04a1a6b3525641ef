"""Start-up: the SM3 known-answer test (the log refuses to write with a wrong SM3), and production's
refusal to start while demo accounts exist (system check and the WSGI application's start)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from cpaudit.core import chain
from cpaudit.core.log import log_action
from cpaudit.security.checks import no_demo_accounts
from cpaudit.security.middleware import StartupCheckMiddleware


@pytest.fixture
def broken_sm3(monkeypatch):
    monkeypatch.setattr(chain, "sm3_hex", lambda data: "0" * 64)
    yield
    monkeypatch.undo()
    chain.sm3_self_test(again=True)


def test_the_known_answer_is_the_standards():
    assert chain.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    chain.sm3_self_test(again=True)


def test_a_wrong_sm3_fails_the_self_test(broken_sm3):
    with pytest.raises(chain.SM3SelfTestFailed, match="SM3 自检失败"):
        chain.sm3_self_test(again=True)


def test_the_log_refuses_to_write_with_a_wrong_sm3(db, system_actor, broken_sm3):
    from cpaudit.core.models import ActionLog

    chain._self_test.clear()
    with pytest.raises(chain.SM3SelfTestFailed), transaction.atomic():
        log_action(actor=system_actor, action="test.thing.done")
    assert not ActionLog.objects.exists()


def test_the_app_refuses_to_start_with_a_wrong_sm3(broken_sm3):
    from django.apps import apps

    chain._self_test.clear()
    with pytest.raises(ImproperlyConfigured, match="SM3 自检失败"):
        apps.get_app_config("security").ready()


def _demo_account(world):
    user = next(iter(world.users.values()))
    user.is_demo = True
    user.save(update_fields=["is_demo"])
    return user


def test_production_refuses_demo_accounts(world, settings):
    user = _demo_account(world)
    settings.CPAUDIT_DEMO_MODE = False
    errors = no_demo_accounts()
    assert [e.id for e in errors] == ["cpaudit.E001"] and user.username in errors[0].msg
    with pytest.raises(ImproperlyConfigured, match="生产环境拒绝启动"):
        StartupCheckMiddleware(lambda request: None)


def test_the_demo_keeps_them_and_production_without_them_starts(world, settings):
    from django.core.exceptions import MiddlewareNotUsed

    _demo_account(world)
    assert no_demo_accounts() == []  # demo mode
    settings.CPAUDIT_DEMO_MODE = False
    from cpaudit.org.models import User

    User.objects.filter(is_demo=True).update(is_demo=False)
    assert no_demo_accounts() == []
    with pytest.raises(MiddlewareNotUsed):
        StartupCheckMiddleware(lambda request: None)
