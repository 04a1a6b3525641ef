"""The demo through the integrity controls: everyone it has decide filed a declaration of interest
first (through the service, as themselves), and a second load files none."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from cpaudit.core.models import ActionLog
from cpaudit.experts.models import Expert
from cpaudit.integrity.demo import declare_demo_people
from cpaudit.integrity.requirements import declaration_status, status_of
from cpaudit.integrity.services import current_declaration
from cpaudit.org.models import User
from cpaudit.org.roles import GOVERNMENT_ROLES

TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def loaded(db, settings):
    settings.CPAUDIT_TODAY = TODAY.isoformat()
    call_command("load-demo", "--allow-non-sqlite", stdout=io.StringIO())


def test_every_demo_official_and_expert_declared_before_deciding(loaded):
    officials = list(User.objects.filter(role__in=sorted(GOVERNMENT_ROLES)))
    assert officials and all(declaration_status(user).valid for user in officials)
    experts = list(Expert.objects.all())
    assert experts and all(status_of(current_declaration(expert=e)).valid for e in experts)
    first = ActionLog.objects.filter(action="integrity.declaration.submitted").order_by("seq").first()
    decided = ActionLog.objects.filter(action__startswith="applications.application.branch_").order_by("seq").first()
    assert first.seq < decided.seq
    assert declare_demo_people() == 0
