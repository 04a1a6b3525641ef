"""Shared fixtures of the progress tests. Each area adds its own, prefixed: steps_, options_, dash_."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from cpaudit.campaigns.models import Enrolment
from cpaudit.progress.models import Option, OptionCategory, OptionStatus, ReviewStatus, StepRecord, StepStatus
from cpaudit.progress.steps import stages
from cpaudit.registry.models import Enterprise
from tests.factories import make_uscc

_dash_counter = itertools.count(1)


def _dash_records(enrolment, reached: int, moved: dt.datetime) -> list[StepRecord]:
    """Every step of the stages before `reached` completed (and confirmed), the first step of `reached`
    in progress; nothing for an enrolment that has not started."""
    records = []
    for stage in stages()[:reached]:
        for number in stage.step_numbers:
            if stage.number < reached:
                records.append(StepRecord(enrolment=enrolment, step_id=number, status=StepStatus.COMPLETED,
                                          start_date=dt.date(2020, 3, 2), completion_date=dt.date(2020, 3, 5),
                                          recorded_at=moved, review=ReviewStatus.CONFIRMED, reviewed_at=moved))
            elif number == stage.step_numbers[0]:
                records.append(StepRecord(enrolment=enrolment, step_id=number, status=StepStatus.IN_PROGRESS,
                                          start_date=dt.date(2020, 3, 2), recorded_at=moved))
    return records


@pytest.fixture
def dash_build(db):
    """build(campaign, n, counties=(...), industries=(...), reached=callable i → stage, moved=datetime):
    n enterprises enrolled in the campaign with step records over the stages (by default enrolment i
    has reached stage i % 8) and two options each; everything bulk-created. Returns the enrolments."""

    def build(campaign, n, *, counties=("130602", "130606"), industries=("1511", "2221"),
              reached=lambda i: i % 8, moved=None, name=None):
        moved = moved or timezone.make_aware(dt.datetime(2020, 6, 1, 10, 0))
        batch = next(_dash_counter)
        enterprises = Enterprise.objects.bulk_create([
            Enterprise(name=name(i) if name else f"看板企业{batch}-{i:03d}有限公司",
                       uscc=make_uscc(prefix="91" + counties[i % len(counties)]),
                       county_id=counties[i % len(counties)], address="测试路1号", legal_representative="张三",
                       industry_id=industries[i % len(industries)])
            for i in range(n)
        ])
        enrolments = Enrolment.objects.bulk_create([
            Enrolment(campaign=campaign, enterprise=e, start_date=dt.date(2020, 3, 1)) for e in enterprises
        ])
        records, options = [], []
        statuses = list(OptionStatus.values)
        for i, enrolment in enumerate(enrolments):
            records += _dash_records(enrolment, reached(i), moved)
            for k in range(2):
                options.append(Option(enrolment=enrolment, name=f"方案{k}", category=OptionCategory.LOW,
                                      investment=5 + k, status=statuses[(i + k) % len(statuses)],
                                      expected_water_t=100, achieved_water_t=80 if k else None))
        StepRecord.objects.bulk_create(records)
        Option.objects.bulk_create(options)
        return enrolments

    return build


# --- steps_ (steps, evidence, time nodes) -----------------------------------------------------------
STEPS_TODAY = dt.date(2020, 6, 30)  # the world's enrolments started on 2020-03-01


@pytest.fixture
def steps_evidence_dir(settings, tmp_path):
    """Evidence files go to a temporary directory."""
    settings.CPAUDIT_EVIDENCE_DIR = tmp_path / "evidence"
    return settings.CPAUDIT_EVIDENCE_DIR


@pytest.fixture
def steps_today(settings):
    settings.CPAUDIT_TODAY = STEPS_TODAY.isoformat()
    return STEPS_TODAY


@pytest.fixture
def steps_enrolment(world):
    """The "own" enrolment of the world (委托 to world.consulting)."""
    return Enrolment.objects.get(enterprise=world.enterprises["own"], campaign=world.campaign)


@pytest.fixture
def steps_fill(db):
    """steps_fill(enrolment, numbers, status=completed, review=…) writes records directly (no service, no
    log): the setting of a test, not what it tests."""

    def _fill(enrolment, numbers, status=StepStatus.COMPLETED, review=None, start=dt.date(2020, 3, 2),
              completion=dt.date(2020, 4, 1)):
        if review is None:
            review = ReviewStatus.PENDING if status == StepStatus.COMPLETED else ReviewStatus.NONE
        records = []
        for n in numbers:
            record, _ = StepRecord.objects.update_or_create(enrolment=enrolment, step_id=n, defaults={
                "status": status, "review": review,
                "start_date": start if status != StepStatus.NOT_STARTED else None,
                "completion_date": completion if status == StepStatus.COMPLETED else None,
            })
            records.append(record)
        return records

    return _fill


# --- options_ (options and benefits, baseline/after figures, roll-ups) ---------------------------------
OPTIONS_TODAY = dt.date(2020, 6, 30)


@pytest.fixture
def options_today(settings):
    settings.CPAUDIT_TODAY = OPTIONS_TODAY.isoformat()
    return OPTIONS_TODAY


@pytest.fixture
def options_enrolment(world):
    """The "own" enrolment of the world (委托 to world.consulting)."""
    return Enrolment.objects.get(enterprise=world.enterprises["own"], campaign=world.campaign)


@pytest.fixture
def options_make(db):
    """options_make(enrolment, **fields) creates an option directly (no service, no log)."""

    def _make(enrolment, **fields):
        fields.setdefault("name", "测试方案")
        fields.setdefault("category", OptionCategory.LOW)
        return Option.objects.create(enrolment=enrolment, **fields)

    return _make
