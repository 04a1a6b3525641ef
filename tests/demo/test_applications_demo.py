"""The demo's 评估/验收 applications (cpaudit.demo.applications_data): every state of the chain, both
kinds, batches holding several enterprises, panels that replay, all through the services."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from cpaudit.applications.models import Application, Batch, Decision, Kind, Status
from cpaudit.core.chain import verify_entries
from cpaudit.core.models import ActionLog
from cpaudit.experts.models import Panel
from cpaudit.experts.services import panel_verify
from cpaudit.org.models import User

TODAY = dt.date(2026, 11, 29)


DEMO_TODAY = TODAY.isoformat()  # tests/demo/conftest.py loads the demo once for the module, on this day


@pytest.fixture
def loaded(demo_once, db, settings):
    settings.CPAUDIT_TODAY = TODAY.isoformat()


def test_every_state_of_the_chain_is_in_the_demo(loaded):
    states = set(Application.objects.values_list("status", flat=True))
    assert states == set(Status.values)
    assert {Kind.EVALUATION, Kind.ACCEPTANCE} <= set(Application.objects.values_list("kind", flat=True))
    assert Application.objects.filter(kind=Kind.ACCEPTANCE, status=Status.PASSED).exists()


def test_demo_went_through_the_services(loaded):
    assert Decision.objects.exists() and Batch.objects.exists()
    assert all(d.decided_at.date() <= TODAY for d in Decision.objects.all())
    assert max(b.content["items"].__len__() for b in Batch.objects.all()) >= 2
    for panel in Panel.objects.all():
        assert panel_verify(panel)
    # Submitting, deciding, drawing and scoring were logged, and the chain of entries is intact.
    assert verify_entries(ActionLog.objects.order_by("seq").iterator()).ok


def test_people_on_decisions_without_a_demo_login_cannot_log_in(loaded):
    actors = User.objects.filter(pk__in=Decision.objects.values("actor_id"))
    assert actors.exists()
    names = {u.username for u in actors if not u.has_usable_password()}
    assert names and all(name.startswith("demo_") for name in names)


def test_second_load_adds_no_application(loaded):
    count = Application.objects.count()
    call_command("load-demo", "--allow-non-sqlite", stdout=io.StringIO())
    assert Application.objects.count() == count
