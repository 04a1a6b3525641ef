"""load-demo on an empty database (refusals, the demo's clock, the port): each test loads for itself,
apart from test_load_demo.py, whose tests share one load for the module (tests/demo/conftest.py)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cpaudit.campaigns.models import Campaign
from cpaudit.core.models import ActionLog
from cpaudit.org.models import User
from cpaudit.registry.models import Enterprise

from .test_load_demo import run_load


def test_refuses_outside_demo_mode(db, settings):
    settings.CPAUDIT_DEMO_MODE = False
    with pytest.raises(CommandError, match="CPAUDIT_DEMO_MODE"):
        run_load()
    assert not User.objects.exists()
    assert not Enterprise.objects.exists()
    assert not ActionLog.objects.exists()


def test_current_campaign_follows_the_demo_clock(db, settings):
    settings.CPAUDIT_TODAY = "2023-05-10"
    run_load()
    current = Campaign.objects.get(slug="byd2023")
    assert current.status == Campaign.Status.ACTIVE
    assert max(current.enrolments.values_list("start_date", flat=True)) <= dt.date(2023, 4, 10)
    assert Campaign.objects.get(slug="byd2020").status == Campaign.Status.CLOSED


def test_demo_clock_in_2020_makes_the_2020_campaign_the_current_one(db, settings):
    settings.CPAUDIT_TODAY = "2020-07-01"
    run_load()
    assert list(Campaign.objects.values_list("slug", "status")) == [("byd2020", Campaign.Status.ACTIVE)]
    assert Campaign.objects.get().document_number == "冀环办字函〔2020〕202号"


def test_refuses_a_non_sqlite_database_without_the_flag(db):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("runs on PostgreSQL: on SQLite there is nothing to refuse")
    with pytest.raises(CommandError):
        call_command("load-demo", stdout=io.StringIO())
    assert not Enterprise.objects.exists()


def test_printed_address_follows_the_port(db):
    assert "访问 http://127.0.0.1:8123/ 登录" in run_load("--port", "8123")
