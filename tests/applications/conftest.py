"""Fixtures for the application chain: an eligible enrolment and a driver that walks an application
through the chain with the world's users (tests/factories.py)."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cpaudit.applications import services
from cpaudit.applications.models import Application, Kind, Outcome, Status, Step
from cpaudit.campaigns.models import Enrolment
from cpaudit.core import clock
from cpaudit.org.roles import Role
from tests.factories import complete_audit, declare, make_user

from .chain_table import STEP_ROLE, STEP_STATE

TODAY = dt.date(2020, 7, 28)
# What the registry of the test world leaves empty and the form requires.
FILL = {
    Kind.EVALUATION: {"contact_person": "李四", "contact_phone": "0312-1234567", "nature": "有限责任公司",
                      "registered_capital": "1000", "main_business_revenue": "5000", "main_products": "啤酒",
                      "end_date": "2020-07-20"},
    Kind.ACCEPTANCE: {"form_filler": "李四", "contact_phone": "0312-1234567", "nature": "有限责任公司",
                      "registered_capital": "1000", "main_products": "啤酒", "annual_output_value": "8000",
                      "annual_sales": "7500", "postcode": "071000"},
}


def complete_steps(enrolment, upto: int = 27, day: dt.date = dt.date(2020, 6, 30)) -> None:
    """Steps 1…upto completed, confirmed by the branch, deliverables with their file (what an
    application relies on)."""
    complete_audit(enrolment, through=upto, day=day)


def pdf(name: str, text: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f"%PDF-1.4\n% {name} {text}\n%%EOF\n".encode(), content_type="application/pdf")


def attach_files(app, user) -> None:
    """The enterprise's written application and its audit report (required at submission)."""
    for purpose in ("letter", "report"):
        if not app.attachments.filter(purpose=purpose, is_current=True).exists():
            services.attachment_upload(actor=user, application=app, purpose=purpose,
                                       uploaded_file=pdf(f"{purpose}-{app.pk}.pdf"))


def enrolment_of(world, key: str = "own") -> Enrolment:
    return Enrolment.objects.select_related("enterprise", "campaign").get(
        campaign=world.campaign, enterprise=world.enterprises[key])


@dataclass
class Chain:
    """Walks one application along the chain; each method is one step by the right person."""

    world: object
    enterprise_user: object

    def u(self, role):
        return self.world.users[role]

    def start(self, enrolment, kind=Kind.EVALUATION, fill=True):
        app = services.application_start(actor=self.enterprise_user, enrolment=enrolment, kind=kind)
        if fill:
            app = services.application_save(actor=self.enterprise_user, application=app,
                                            data=FILL[kind])
            attach_files(app, self.enterprise_user)
        return reload(app)

    def submit(self, app):
        services.application_submit(actor=self.enterprise_user, application=app)
        return reload(app)

    def decide(self, app, step, actor=None, outcome=Outcome.AGREE, opinion="意见", checks=None):
        role = STEP_ROLE[step]
        if step == Step.BRANCH_REVIEW and checks is None:
            checks = {key: True for key, _ in __import__("cpaudit.applications.formspec", fromlist=["x"])
                      .REVIEW_CHECKS[app.kind]}
        assert reload(app).status == STEP_STATE[step], (step, reload(app).status)
        services.application_decide(actor=actor or self.u(role), application=app, step=step, outcome=outcome,
                                    opinion=opinion, checks=checks)
        return reload(app)

    def batch(self, app, actor):
        services.batch_submit(actor=actor, campaign=app.campaign, kind=app.kind, applications=[app])
        return reload(app)

    def to(self, app, status):
        """Advance `app` (submitted) up to `status` along the standard route (branch_a → baoding → province)."""
        moves = {
            Status.BRANCH_REVIEW: lambda a: self.decide(a, Step.BRANCH_REVIEW),
            Status.BRANCH_APPROVAL: lambda a: self.decide(a, Step.BRANCH_APPROVAL),
            Status.BRANCH_BATCH: lambda a: self.batch(a, self.u(Role.BRANCH_LEADER)),
            Status.CITY_REVIEW: lambda a: self.decide(a, Step.CITY_REVIEW),
            Status.CITY_APPROVAL: lambda a: self.decide(a, Step.CITY_APPROVAL),
            Status.CITY_BATCH: lambda a: self.batch(a, self.u(Role.CITY_LEADER)),
            Status.PROVINCE_REVIEW: lambda a: self.decide(a, Step.PROVINCE_REVIEW),
            Status.PROVINCE_APPROVAL: lambda a: self.decide(a, Step.PROVINCE_APPROVAL),
        }
        while app.status != status:
            assert app.status in moves, f"cannot move {app.status} towards {status}"
            app = moves[app.status](app)
        return app


def reload(app) -> Application:
    return Application.objects.select_related("enrolment__enterprise", "campaign", "organizer").get(pk=app.pk)


@pytest.fixture
def today():
    with clock.frozen(TODAY):
        yield TODAY


@pytest.fixture
def chain(world, today):
    return Chain(world, world.users[Role.ENTERPRISE])


@pytest.fixture
def eligible(world):
    enrolment = enrolment_of(world)
    complete_steps(enrolment)
    return enrolment


@pytest.fixture
def submitted(chain, eligible):
    return chain.submit(chain.start(eligible))


@pytest.fixture
def dingzhou_users(world):
    users = {
        Role.ENTERPRISE: make_user("dz_ent", Role.ENTERPRISE, enterprise=world.enterprises["dingzhou"]),
        Role.BRANCH_STAFF: make_user("dz_bstaff", Role.BRANCH_STAFF, agency=world.dingzhou),
        Role.BRANCH_LEADER: make_user("dz_blead", Role.BRANCH_LEADER, agency=world.dingzhou),
        Role.CITY_STAFF: make_user("dz_cstaff", Role.CITY_STAFF, agency=world.dingzhou),
        Role.CITY_LEADER: make_user("dz_clead", Role.CITY_LEADER, agency=world.dingzhou),
    }
    for role, user in users.items():
        if role != Role.ENTERPRISE:
            declare(user)  # officials decide only with a current declaration of interest
    return users
