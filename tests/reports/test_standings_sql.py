"""reports.standings folds each enrolment's steps in the database; the module's rule written in Python
over one enrolment's records (standing_of, below) is the reference. Random records — every status, dates before, within and after the month, missing dates,
enrolments starting after the data date — must give the same standing both ways, live and past."""

import datetime as dt
import random
from collections import defaultdict

import pytest

from cpaudit.campaigns.models import Enrolment
from cpaudit.progress.models import StepRecord, StepStatus
from cpaudit.progress.steps import all_steps
from cpaudit.reports import standings as S
from tests.factories import make_enterprise

pytestmark = pytest.mark.django_db

FIRST = dt.date(2020, 6, 1)
AS_OF = dt.date(2020, 6, 18)
STAGE_OF_STEP = {s.number: s.stage for s in all_steps()}


def standing_of(records, *, first, as_of, live, begun) -> tuple[int, int, bool]:
    """(reached stage, completed steps, moved) of one enrolment from its records, each (step number,
    status, start date, completion date), by the rule in reports/standings.py's docstring."""
    def on_or_before(day):
        return day is not None and day <= as_of

    reached, completed, moved = 0, 0, False
    for step_no, status, started_on, completed_on in records:
        if live:
            started = status != StepStatus.NOT_STARTED and not (started_on and started_on > as_of)
            done = status == StepStatus.COMPLETED and not (completed_on and completed_on > as_of)
        else:
            started = on_or_before(started_on) or on_or_before(completed_on)
            done = on_or_before(completed_on)
        if started and begun:
            reached = max(reached, STAGE_OF_STEP[step_no])
        completed += bool(done)
        moved = moved or any(d is not None and first <= d <= as_of for d in (started_on, completed_on))
    return reached, completed, moved


def random_day(rng):
    return rng.choice([None, dt.date(2020, 4, 2), dt.date(2020, 5, 31), FIRST, dt.date(2020, 6, 10), AS_OF,
                       dt.date(2020, 6, 19), dt.date(2020, 8, 1)])


@pytest.fixture
def enrolments(world):
    rng = random.Random(7)
    made = list(Enrolment.objects.filter(campaign=world.campaign))
    for _ in range(25):
        enterprise = make_enterprise(rng.choice(["130602", "130606"]))
        made.append(Enrolment.objects.create(campaign=world.campaign, enterprise=enterprise,
                                             start_date=rng.choice([None, dt.date(2020, 3, 1), dt.date(2020, 7, 1)])))
    for step in range(1, 36):  # one enrolment finished before the month
        StepRecord.objects.create(enrolment=made[0], step_id=step, status=StepStatus.COMPLETED,
                                  start_date=dt.date(2020, 4, 2), completion_date=dt.date(2020, 5, 31))
    for enrolment in made[1:]:
        steps = range(1, 36) if rng.random() < 0.15 else rng.sample(range(1, 36), rng.randint(0, 20))
        for step in steps:
            status = rng.choice(list(StepStatus))
            start, end = random_day(rng), random_day(rng)
            if start and end and end < start:
                start, end = end, start
            StepRecord.objects.create(enrolment=enrolment, step_id=step, status=status, start_date=start,
                                      completion_date=end if status == StepStatus.COMPLETED or rng.random() < .2 else None)
    return made


@pytest.mark.parametrize("live", [True, False])
def test_the_database_folds_steps_as_the_python_rule_does(world, enrolments, live):
    counties = ["130602", "130606", "130682", "130102"]
    items = S.standings_at(world.campaign, counties, FIRST, AS_OF, live=live)
    records = defaultdict(list)
    for row in StepRecord.objects.values_list("enrolment_id", "step_id", "status", "start_date", "completion_date"):
        records[row[0]].append(row[1:])
    by_name = {item.name: item for item in items}
    assert len(by_name) == len(enrolments) == len(items)
    checked = set()
    for enrolment in Enrolment.objects.filter(campaign=world.campaign).select_related("enterprise"):
        begun = enrolment.start_date is None or enrolment.start_date <= AS_OF
        reached, completed, moved = standing_of(records[enrolment.pk], first=FIRST, as_of=AS_OF, live=live,
                                                  begun=begun)
        item = by_name[enrolment.enterprise.name]
        assert (item.reached, item.moved, item.finished, item.begun) == (
            reached, moved, completed >= S.TOTAL_STEPS, begun), enrolment.enterprise.name
        checked.add((reached, moved, completed >= S.TOTAL_STEPS))
    assert len({c[0] for c in checked}) >= 4 and {c[1] for c in checked} == {True, False}
    assert {c[2] for c in checked} == {True, False}
