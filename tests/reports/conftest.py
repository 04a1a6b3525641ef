import datetime as dt

import pytest

from cpaudit.applications.models import Kind, Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.core import clock
from cpaudit.org.roles import Role
from cpaudit.progress.models import StepRecord, StepStatus
from cpaudit.reports import services
from tests.applications.viewfixtures import make_application
from tests.factories import declare, make_enterprise, make_seal_keys, make_user

D = dt.date
MARCH_1 = D(2020, 3, 1)
MAY_20 = D(2020, 5, 20)
AUG_25 = D(2020, 8, 25)  # five days after the evaluation deadline (2020-08-20)


def enrol(world, name: str, county: str = "130602", start: dt.date | None = MARCH_1) -> Enrolment:
    enterprise = make_enterprise(county, name=name)
    return Enrolment.objects.create(campaign=world.campaign, enterprise=enterprise, start_date=start)


def step(enrolment, number: int, start: dt.date | None, done: dt.date | None = None) -> StepRecord:
    status = StepStatus.COMPLETED if done else (StepStatus.IN_PROGRESS if start else StepStatus.NOT_STARTED)
    return StepRecord.objects.create(enrolment=enrolment, step_id=number, status=status, start_date=start,
                                     completion_date=done)


def own(world, key: str = "own") -> Enrolment:
    return Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises[key])


@pytest.fixture(autouse=True)
def seals(request):
    """A submission issues its version sealed (documents.report_documents): with the world, every agency
    of it has an active seal key (and the platform its own)."""
    if "world" not in request.fixturenames:
        return None
    world = request.getfixturevalue("world")
    return make_seal_keys(world.province, world.baoding, world.branch_a, world.branch_b, world.dingzhou,
                          world.sjz, world.branch_sjz)


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


# --- results summaries (评估/验收): applications in known states, written directly (the setting) -------

@pytest.fixture
def day():
    with clock.frozen(AUG_25):
        yield AUG_25


@pytest.fixture
def applied(world, day):
    """评估: 自有 passed on time, 同县 still at the city (late: the deadline has passed), 外县 failed after
    the deadline (late), 外市 passed, 定州 passed; one 验收 passed (合格)."""
    return {
        "own": make_application(world, "own", status=Status.PASSED, passed=True, result_date=D(2020, 8, 10)),
        "same_county": make_application(world, "same_county", status=Status.CITY_REVIEW),
        "other_county": make_application(world, "other_county", status=Status.FAILED, passed=False,
                                         result_date=D(2020, 8, 22)),
        "other_city": make_application(world, "other_city", status=Status.PASSED, passed=True,
                                       result_date=D(2020, 8, 1)),
        "dingzhou": make_application(world, "dingzhou", status=Status.PASSED, passed=True,
                                     result_date=D(2020, 8, 5)),
        "acceptance": make_application(world, "own", status=Status.PASSED, passed=True, kind=Kind.ACCEPTANCE,
                                       result_date=D(2020, 8, 24)),
    }


@pytest.fixture
def dz(world):
    """定州's people (a 省直管县: county and city level in one agency)."""
    people = {role: make_user(f"dz_{role}", role, agency=world.dingzhou)
              for role in (Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF)}
    for user in people.values():
        declare(user)  # they decide (submit, accept): a current declaration of interest
    return people
