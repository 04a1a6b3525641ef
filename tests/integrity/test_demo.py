"""The demo through the integrity controls, on one load (it takes seconds): everyone it has decide
filed a declaration of interest first (through the service, as themselves), a second filing finds
nobody left, and the anomaly rules find nothing in the clean demo data."""

import datetime as dt
import io
import itertools
import types

import pytest
from django.core.management import call_command

from cpaudit.core.models import ActionLog
from cpaudit.experts.models import Expert
from cpaudit.integrity.demo import declare_demo_people
from cpaudit.integrity.requirements import declaration_status, status_of
from cpaudit.integrity.services import current_declaration
from cpaudit.org.models import User
from cpaudit.org.roles import GOVERNMENT_ROLES, Role
from cpaudit.oversight.models import Finding
from cpaudit.oversight.services import anomaly_run

TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def loaded(db, settings, monkeypatch):
    """The demo as `load-demo` builds it, its panel draws seeded in sequence rather than at random, so
    the test sees the same pool every time (the rules must find nothing in it, by chance or not)."""
    seeds = (f"{n:032x}" for n in itertools.count(1))
    monkeypatch.setattr("cpaudit.experts.services.secrets", types.SimpleNamespace(token_hex=lambda n: next(seeds)))
    settings.CPAUDIT_TODAY = TODAY.isoformat()
    call_command("load-demo", "--allow-non-sqlite", stdout=io.StringIO())


def test_demo_officials_declared_before_deciding_and_nothing_anomalous(loaded):
    officials = list(User.objects.filter(role__in=sorted(GOVERNMENT_ROLES)))
    assert officials and all(declaration_status(user).valid for user in officials)
    experts = list(Expert.objects.all())
    assert experts and all(status_of(current_declaration(expert=e)).valid for e in experts)
    first = ActionLog.objects.filter(action="integrity.declaration.submitted").order_by("seq").first()
    decided = ActionLog.objects.filter(action__startswith="applications.application.branch_").order_by("seq").first()
    assert first.seq < decided.seq
    assert declare_demo_people() == 0

    result = anomaly_run(actor=User.objects.filter(role=Role.AUDIT_ADMIN).first())
    assert result.found == 0, list(Finding.objects.values_list("summary", flat=True))
    assert ActionLog.objects.filter(action="oversight.anomaly.run").count() == 1
