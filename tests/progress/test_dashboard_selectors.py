"""The SQL definitions of the dashboard selectors agree with the pure functions of services.derived."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from cpaudit.campaigns.models import Enrolment
from cpaudit.core.actors import SystemActor
from cpaudit.progress.models import ReviewStatus, StageTarget, StepRecord, StepStatus
from cpaudit.progress.selectors import dashboards as selectors
from cpaudit.progress.services import derived
from cpaudit.progress.steps import all_steps

ACTOR = SystemActor("pytest")
TODAY = dt.date(2020, 8, 1)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def random_records(world, dash_build):
    """40 enrolments with random sets of records: any steps, any statuses, explicit 未开始 rows too."""
    rng = random.Random(7)
    enrolments = dash_build(world.campaign, 40, reached=lambda i: 0)
    records = []
    for enrolment in enrolments:
        for number in rng.sample(range(1, 36), rng.randint(0, 35)):
            status = rng.choice(list(StepStatus.values))
            records.append(StepRecord(enrolment=enrolment, step_id=number, status=status))
    StepRecord.objects.bulk_create(records)
    return enrolments


def test_reached_and_completed_match_derived(world, random_records):
    rows = {e.pk: e for e in selectors.annotated_enrolments(ACTOR, world.campaign)}
    by_enrolment = {}
    for record in StepRecord.objects.filter(enrolment__campaign=world.campaign):
        by_enrolment.setdefault(record.enrolment_id, []).append(record)
    assert len(rows) == Enrolment.objects.filter(campaign=world.campaign).count()
    for pk, row in rows.items():
        records = by_enrolment.get(pk, [])
        assert row.reached_stage == derived.reached_stage(records), pk
        completion = derived.stage_completion(records)
        assert row.completed_steps == sum(done for done, _ in completion.values()), pk
    assert {row.reached_stage for row in rows.values()} >= {0, 7}


def test_stage_done_and_behind_match_derived(world, random_records):
    StageTarget.objects.create(campaign=world.campaign, stage=1, target_date=dt.date(2020, 4, 1))
    StageTarget.objects.create(campaign=world.campaign, stage=2, target_date=dt.date(2020, 5, 1))
    targets = derived.stage_targets(world.campaign)
    listed = selectors.enrolment_list(ACTOR, world.campaign, {}, today=TODAY, targets=targets)
    behind_sql = {e.pk for e in listed if e.is_behind}
    records = {}
    for record in StepRecord.objects.filter(enrolment__campaign=world.campaign):
        records.setdefault(record.enrolment_id, []).append(record)
    expected = {e.pk for e in listed if derived.behind_schedule(records.get(e.pk, []), targets, TODAY)}
    assert behind_sql == expected and expected
    filtered = {e.pk for e in selectors.enrolment_list(ACTOR, world.campaign, {"behind": True}, today=TODAY)}
    assert filtered == expected
    for stage in range(1, 8):
        done = {e.pk for e in selectors.enrolment_list(ACTOR, world.campaign, {"stage_done": stage}, today=TODAY)}
        assert done == {pk for pk in (e.pk for e in listed)
                        if derived.stage_completion(records.get(pk, []))[stage][0] == len(
                            [s for s in all_steps() if s.stage == stage])}


def test_last_moved_takes_the_latest_of_recorded_and_reviewed_else_created(world):
    own, other, fresh = (Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises[k])
                         for k in ("own", "same_county", "other_county"))
    StepRecord.objects.create(enrolment=own, step_id=1, status=StepStatus.COMPLETED, recorded_at=_at(dt.date(2020, 5, 1)),
                              review=ReviewStatus.CONFIRMED, reviewed_at=_at(dt.date(2020, 6, 10)))
    StepRecord.objects.create(enrolment=own, step_id=2, status=StepStatus.IN_PROGRESS,
                              recorded_at=_at(dt.date(2020, 6, 2)))
    StepRecord.objects.create(enrolment=other, step_id=1, status=StepStatus.IN_PROGRESS,
                              recorded_at=_at(dt.date(2020, 3, 5)))
    StepRecord.objects.create(enrolment=other, step_id=2, status=StepStatus.NOT_STARTED)  # no times at all
    rows = {e.pk: e for e in selectors.annotated_enrolments(ACTOR, world.campaign)}
    assert rows[own.pk].last_moved == _at(dt.date(2020, 6, 10))
    assert rows[other.pk].last_moved == _at(dt.date(2020, 3, 5))
    assert rows[fresh.pk].last_moved == fresh.created_at


def test_stale_means_more_than_stale_days_without_movement(world):
    campaign = world.campaign
    campaign.stale_days = 30
    campaign.save()
    today = dt.date(2020, 8, 1)
    own, same, other = (Enrolment.objects.get(campaign=campaign, enterprise=world.enterprises[k])
                        for k in ("own", "same_county", "other_county"))
    # 31 days ago: stale; exactly 30 days ago (late in the day): not yet.
    StepRecord.objects.create(enrolment=own, step_id=1, status=StepStatus.IN_PROGRESS,
                              recorded_at=_at(dt.date(2020, 7, 1), 23))
    StepRecord.objects.create(enrolment=same, step_id=1, status=StepStatus.IN_PROGRESS,
                              recorded_at=_at(dt.date(2020, 7, 2), 0))
    # All 35 steps complete long ago: finished, not stalled.
    StepRecord.objects.bulk_create([StepRecord(enrolment=other, step_id=n, status=StepStatus.COMPLETED,
                                               recorded_at=_at(dt.date(2020, 4, 1))) for n in range(1, 36)])
    stale = list(selectors.stale_enrolments(ACTOR, campaign, today))
    assert stale == [own]
    assert selectors.totals(ACTOR, campaign, today).stale == 1
    assert selectors.totals(ACTOR, campaign, today).complete == 1


def test_an_evidence_upload_counts_as_movement(world, settings):
    import datetime as dt

    from django.utils import timezone

    from cpaudit.campaigns.models import Enrolment
    from cpaudit.org.roles import Role
    from cpaudit.progress.models import Evidence, StepRecord
    from cpaudit.progress.selectors.dashboards import annotated_enrolments

    settings.CPAUDIT_TODAY = "2020-09-30"
    enrolment = Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises["own"])
    old = timezone.make_aware(dt.datetime(2020, 5, 1, 9))
    record = StepRecord.objects.create(enrolment=enrolment, step_id=1, status="in_progress",
                                       start_date=dt.date(2020, 4, 1), recorded_at=old)
    recent = timezone.make_aware(dt.datetime(2020, 9, 20, 9))
    Evidence.objects.create(record=record, digest="0" * 64, original_name="a.pdf", kind="pdf",
                            content_type="application/pdf", size=1, uploaded_by=world.users[Role.ENTERPRISE],
                            uploaded_at=recent)
    row = annotated_enrolments(world.users[Role.PROVINCE_STAFF], world.campaign).get(pk=enrolment.pk)
    assert row.last_moved == recent
