"""EnrolmentProgress, kept by database triggers: whatever writes the step records (a service, the ORM,
a bulk insert) or an evidence file, the enrolment's summary equals the definitions of
progress.services.derived over its records (issue 15: the dashboards read it instead of every record)."""

import datetime as dt

from django.utils import timezone

from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role
from cpaudit.progress.models import EnrolmentProgress, StepRecord, StepStatus
from cpaudit.progress.selectors.dashboards import annotated_enrolments
from cpaudit.progress.services import derived
from tests.factories import attach_evidence, complete_audit


def _summary(enrolment) -> EnrolmentProgress:
    return EnrolmentProgress.objects.get(enrolment=enrolment)


def _expected(enrolment) -> tuple[int, int, dict[int, int]]:
    records = list(StepRecord.objects.filter(enrolment=enrolment))
    done = {stage: n for stage, (n, _) in derived.stage_completion(records).items()}
    completed = sum(1 for r in records if r.status == StepStatus.COMPLETED)
    return derived.reached_stage(records), completed, done


def _check(enrolment) -> None:
    row = _summary(enrolment)
    reached, completed, done = _expected(enrolment)
    assert (row.reached_stage, row.completed_steps) == (reached, completed)
    assert {n: getattr(row, f"done_{n}") for n in range(1, 8)} == done


def test_orm_and_bulk_writes_update_the_summary(world):
    enrolment = Enrolment.objects.get(enterprise=world.enterprises["own"])
    assert not EnrolmentProgress.objects.filter(enrolment=enrolment).exists()
    complete_audit(enrolment, through=9, evidence=False)  # update_or_create: inserts
    _check(enrolment)
    assert _summary(enrolment).reached_stage == 2 and _summary(enrolment).completed_steps == 9
    StepRecord.objects.bulk_create([StepRecord(enrolment=enrolment, step_id=20, status=StepStatus.IN_PROGRESS,
                                               start_date=dt.date(2020, 7, 1))])
    _check(enrolment)
    assert _summary(enrolment).reached_stage == 4
    StepRecord.objects.filter(enrolment=enrolment, step_id=20).update(status=StepStatus.NOT_STARTED)
    _check(enrolment)
    assert _summary(enrolment).reached_stage == 2
    StepRecord.objects.filter(enrolment=enrolment, step_id__gte=5).delete()
    _check(enrolment)
    assert _summary(enrolment).completed_steps == 4


def test_last_moved_counts_reviews_and_uploads(world):
    enrolment = Enrolment.objects.get(enterprise=world.enterprises["own"])
    record = StepRecord.objects.create(enrolment=enrolment, step_id=1, status=StepStatus.IN_PROGRESS,
                                       recorded_at=timezone.now() - dt.timedelta(days=40))
    moved = annotated_enrolments(world.users[Role.PROVINCE_STAFF], world.campaign).get(pk=enrolment.pk).last_moved
    assert abs(moved - record.recorded_at) < dt.timedelta(seconds=1)
    evidence = attach_evidence(record)
    moved = annotated_enrolments(world.users[Role.PROVINCE_STAFF], world.campaign).get(pk=enrolment.pk).last_moved
    assert abs(moved - evidence.uploaded_at) < dt.timedelta(seconds=1)
    untouched = Enrolment.objects.get(enterprise=world.enterprises["same_county"])
    row = annotated_enrolments(world.users[Role.PROVINCE_STAFF], world.campaign).get(pk=untouched.pk)
    assert (row.reached_stage, row.completed_steps, row.last_moved) == (0, 0, untouched.created_at)


def test_no_row_outlives_the_records(world):
    """Deleting the last record deletes the summary row, in whatever order the tables are emptied
    (a cascade or a test flush may empty the summary table first): no row is left for an enrolment
    that is gone, for a later enrolment with the same id to inherit."""
    enrolment = Enrolment.objects.get(enterprise=world.enterprises["own"])
    complete_audit(enrolment, through=3, evidence=False)
    assert EnrolmentProgress.objects.filter(enrolment=enrolment).exists()
    EnrolmentProgress.objects.all().delete()
    StepRecord.objects.filter(enrolment=enrolment).delete()
    assert not EnrolmentProgress.objects.exists()
    complete_audit(enrolment, through=3, evidence=False)
    StepRecord.objects.filter(enrolment=enrolment).delete()
    assert not EnrolmentProgress.objects.filter(enrolment=enrolment).exists()
