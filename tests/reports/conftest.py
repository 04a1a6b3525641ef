import datetime as dt

import pytest

from cpaudit.campaigns.models import Enrolment
from cpaudit.core import clock
from cpaudit.org.roles import Role
from cpaudit.progress.models import StepRecord, StepStatus
from cpaudit.reports import services
from tests.factories import make_enterprise

D = dt.date
MARCH_1 = D(2020, 3, 1)
MAY_20 = D(2020, 5, 20)


def enrol(world, name: str, county: str = "130602", start: dt.date | None = MARCH_1) -> Enrolment:
    enterprise = make_enterprise(county, name=name)
    return Enrolment.objects.create(campaign=world.campaign, enterprise=enterprise, start_date=start)


def step(enrolment, number: int, start: dt.date | None, done: dt.date | None = None) -> StepRecord:
    status = StepStatus.COMPLETED if done else (StepStatus.IN_PROGRESS if start else StepStatus.NOT_STARTED)
    return StepRecord.objects.create(enrolment=enrolment, step_id=number, status=status, start_date=start,
                                     completion_date=done)


def own(world, key: str = "own") -> Enrolment:
    return Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises[key])


@pytest.fixture
def today():
    """Pin the business date (default 2020-05-20); call it again to move the clock."""
    stack = []

    def _pin(day: dt.date = MAY_20):
        if stack:
            stack.pop().__exit__(None, None, None)
        ctx = clock.frozen(day)
        ctx.__enter__()
        stack.append(ctx)
        return day

    _pin()
    yield _pin
    if stack:
        stack.pop().__exit__(None, None, None)


@pytest.fixture
def users(world):
    return world.users


@pytest.fixture
def branch_report(world, users, today):
    """竞秀区's May 2020 report as an empty row (report_for writes nothing: the row is the setting)."""
    report = services.report_for(actor=users[Role.BRANCH_STAFF], campaign=world.campaign, agency=world.branch_a,
                                 month=D(2020, 5, 1), kind="branch")
    report.save()
    return report


@pytest.fixture
def submitted(branch_report, users):
    """A branch report drafted by staff and submitted by the leader (version 1)."""
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="无", remarks="")
    services.report_submit(actor=users[Role.BRANCH_LEADER], report=branch_report)
    branch_report.refresh_from_db()
    return branch_report
