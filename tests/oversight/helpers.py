"""Planting what the anomaly rules look for: applications walked through the chain by the world's
people at chosen times (the server clock set per step, so the log and the records agree, as in
production), extra clients of the world's consulting agency, colleagues at a desk."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from cpaudit.applications.models import Status
from cpaudit.campaigns.models import AuditMode, Enrolment
from cpaudit.core import clock
from cpaudit.org.roles import Role

from ..applications.conftest import Chain, complete_steps, reload
from ..factories import declare, make_enterprise, make_user

_n = itertools.count(1)


def moment(text: str) -> dt.datetime:
    """'2020-07-28 10:00' in Beijing time."""
    return timezone.make_aware(dt.datetime.fromisoformat(text))


@pytest.fixture
def at(monkeypatch):
    """Set the server clock (and so the log's and the records' times): at("2020-07-28 10:00")."""
    now = {"value": moment("2020-07-28 10:00")}
    monkeypatch.setattr(clock, "server_now", lambda: now["value"])

    def set_time(text: str) -> dt.datetime:
        now["value"] = moment(text)
        return now["value"]

    return set_time


def client_of(world, *, consulting=True, county="130602"):
    """A new enterprise with an eligible audit (steps 1–27 confirmed) in the world's campaign, engaged
    with the world's consulting agency (or auditing alone), and its user; returns (enrolment, Chain)."""
    n = next(_n)
    enterprise = make_enterprise(county, name=f"种植测试企业{n}有限公司")
    enrolment = Enrolment.objects.create(
        campaign=world.campaign, enterprise=enterprise, start_date=dt.date(2020, 3, 1),
        mode=AuditMode.ENTRUSTED if consulting else AuditMode.SELF, consulting_agency=world.consulting if consulting
        else None)
    complete_steps(enrolment)
    user = make_user(f"plant_ent{n}", Role.ENTERPRISE, enterprise=enterprise)
    return enrolment, Chain(world, user)


def own_client(world):
    from ..applications.conftest import enrolment_of

    enrolment = enrolment_of(world)
    complete_steps(enrolment)
    return enrolment, Chain(world, world.users[Role.ENTERPRISE])


def colleague(world, role=Role.BRANCH_STAFF, agency=None):
    n = next(_n)
    user = make_user(f"plant_{role}{n}", role, agency=agency or world.branch_a, full_name=f"同事{n}")
    declare(user)
    return user


def submitted(chain, enrolment):
    return chain.submit(chain.start(enrolment))


ORDER = [Status.BRANCH_REVIEW, Status.BRANCH_APPROVAL, Status.BRANCH_BATCH, Status.CITY_REVIEW,
         Status.CITY_APPROVAL, Status.CITY_BATCH, Status.PROVINCE_REVIEW, Status.PROVINCE_APPROVAL,
         Status.ORGANIZING]


def walk(chain, app, target, at, day: dt.date):
    """One move of the chain per working day at 10:00, from `day` on, until `target`; returns
    (application, the next free day)."""
    for status in ORDER[ORDER.index(app.status) + 1:ORDER.index(target) + 1]:
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        at(f"{day} 10:00")
        app = chain.to(app, status)
        day += dt.timedelta(days=1)
    return reload(app), day
