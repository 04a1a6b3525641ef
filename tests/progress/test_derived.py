import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from cpaudit.core.errors import PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import ReviewStatus, StageTarget, StepStatus
from cpaudit.progress.services import derived
from cpaudit.progress.services.steps import stage_targets_save
from cpaudit.progress.steps import stages

C, P, N = StepStatus.COMPLETED, StepStatus.IN_PROGRESS, StepStatus.NOT_STARTED


def recs(**by_step):
    """recs(s5=C, s12=P) → record-like objects."""
    return [SimpleNamespace(step_id=int(k[1:]), status=v) for k, v in by_step.items()]


def all_of(*stage_numbers, status=C):
    return [SimpleNamespace(step_id=n, status=status) for s in stages() if s.number in stage_numbers
            for n in s.step_numbers]


# --- reached stage and completion ------------------------------------------------------------------

@pytest.mark.parametrize(("records", "expected"), [
    ([], 0),
    (recs(s1=N, s5=N), 0),
    (recs(s1=P), 1),
    (recs(s1=C, s5=P), 2),
    (recs(s1=P, s16=P), 4),  # overlapping stages: the highest one with a started step counts
    (recs(s35=C), 7),
    (recs(s11=P, s23=N), 3),  # a 未开始 row does not count
])
def test_reached_stage_is_the_highest_stage_with_a_started_step(records, expected):
    assert derived.reached_stage(records) == expected


def test_stage_completion_counts_completed_steps_of_every_stage():
    result = derived.stage_completion(all_of(1) + recs(s5=C, s6=P, s28=C))
    assert result == {1: (4, 4), 2: (1, 6), 3: (0, 5), 4: (0, 7), 5: (0, 5), 6: (1, 4), 7: (0, 4)}
    assert sum(total for _, total in result.values()) == 35


def test_missing_before_lists_the_incomplete_steps_of_earlier_stages_only():
    records = all_of(1, 2) + recs(s11=C, s12=P, s16=P)
    assert derived.missing_before(records, 4) == [12, 13, 14, 15]
    assert derived.missing_before(records, 1) == []


# --- milestones ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "expected"), [(C, True), (P, False), (N, False)])
def test_the_audit_through_step_27_makes_eligible_for_evaluation(status, expected):
    through_26 = [r for r in all_of(1, 2, 3, 4, 5) if r.step_id < 27]
    assert derived.eligible_for_evaluation(through_26 + recs(s27=status)) is expected
    assert derived.eligible_for_evaluation(recs(s27=C)) is False  # step 27 alone is not enough


@pytest.mark.parametrize(("status", "expected"), [(C, ()), (P, (35,)), (N, (35,))])
def test_acceptance_relies_on_all_35_steps(status, expected):
    through_34 = [r for r in all_of(1, 2, 3, 4, 5, 6, 7) if r.step_id < 35]
    confirmed = [SimpleNamespace(**vars(r), review=ReviewStatus.CONFIRMED) for r in through_34 + recs(s35=status)]
    blockers = derived.acceptance_blockers(confirmed, with_file={22, 27, 35})
    assert blockers.not_completed == expected and blockers.not_confirmed == () and bool(blockers) == bool(expected)


# --- time nodes ------------------------------------------------------------------------------------

def campaign(year=2020, start=None, evaluation=dt.date(2020, 8, 20), acceptance=dt.date(2020, 11, 20)):
    return SimpleNamespace(year=year, audit_start_date=start, evaluation_deadline=evaluation,
                           acceptance_deadline=acceptance)


def test_default_targets_spread_from_january_first_to_the_deadlines():
    # 2020-01-01 → 2020-08-20 is 232 days: stages 1–5 at 232·k/5 days (floored), stage 5 on the deadline.
    targets = derived.default_stage_targets(campaign())
    assert targets == {
        1: dt.date(2020, 2, 16), 2: dt.date(2020, 4, 2), 3: dt.date(2020, 5, 19), 4: dt.date(2020, 7, 4),
        5: dt.date(2020, 8, 20), 6: dt.date(2020, 10, 5), 7: dt.date(2020, 11, 20),
    }


def test_default_targets_start_from_the_audit_start_date_when_set():
    targets = derived.default_stage_targets(campaign(start=dt.date(2020, 3, 1), evaluation=dt.date(2020, 8, 8)))
    # 160 days: 32 per stage.
    assert [targets[k] for k in range(1, 6)] == [dt.date(2020, 4, 2), dt.date(2020, 5, 4), dt.date(2020, 6, 5),
                                                 dt.date(2020, 7, 7), dt.date(2020, 8, 8)]
    assert targets[6] == dt.date(2020, 9, 29) and targets[7] == dt.date(2020, 11, 20)


def test_default_targets_never_decrease_even_for_a_late_start():
    targets = derived.default_stage_targets(campaign(start=dt.date(2020, 9, 1)))
    values = [targets[k] for k in range(1, 8)]
    assert values == sorted(values) and targets[7] == dt.date(2020, 11, 20)


TARGETS = {k: dt.date(2020, k, 10) for k in range(1, 8)}  # stage k due on the 10th of month k


def test_behind_schedule_flags_incomplete_stages_whose_node_has_passed():
    records = all_of(1) + recs(s5=C, s6=C)
    assert derived.behind_schedule(records, TARGETS, dt.date(2020, 3, 11)) == [2, 3]
    assert derived.behind_schedule(records, TARGETS, dt.date(2020, 3, 10)) == [2]  # due today: not yet behind
    assert derived.behind_schedule(records, TARGETS, dt.date(2020, 1, 10)) == []
    assert derived.behind_schedule(all_of(1, 2, 3), TARGETS, dt.date(2020, 3, 11)) == []


def test_stage_targets_apply_the_campaigns_overrides(world):
    StageTarget.objects.create(campaign=world.campaign, stage=3, target_date=dt.date(2020, 6, 1))
    targets = derived.stage_targets(world.campaign)
    assert targets[3] == dt.date(2020, 6, 1)
    assert targets[2] == derived.default_stage_targets(world.campaign)[2]


def test_stage_targets_save_stores_overrides_and_logs(world):
    actor = world.users[Role.PROVINCE_STAFF]
    defaults = derived.default_stage_targets(world.campaign)
    result = stage_targets_save(actor=actor, campaign=world.campaign,
                                targets={**defaults, 3: dt.date(2020, 6, 1)})
    assert result[3] == dt.date(2020, 6, 1)
    # Only the override is stored: the other nodes keep following the campaign's deadlines.
    assert list(StageTarget.objects.values_list("stage", "target_date")) == [(3, dt.date(2020, 6, 1))]
    entry = ActionLog.objects.get(action="progress.targets.updated")
    assert entry.changes == {"stage_3": [defaults[3].isoformat(), "2020-06-01"]}
    # Back to the default: the override goes.
    stage_targets_save(actor=actor, campaign=world.campaign, targets={3: defaults[3]})
    assert not StageTarget.objects.exists()


def test_stage_targets_must_not_decrease(world):
    with pytest.raises(ValidationError) as exc:
        stage_targets_save(actor=world.users[Role.PROVINCE_STAFF], campaign=world.campaign,
                           targets={4: dt.date(2020, 1, 5)})
    assert "第4阶段的节点日期不能早于第3阶段" in str(exc.value)
    assert not StageTarget.objects.exists() and not ActionLog.objects.filter(action="progress.targets.updated")


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.CITY_STAFF, Role.ENTERPRISE])
def test_only_the_campaigns_owner_sets_targets(world, role):
    # The world's campaign belongs to the province: a city may not change it either.
    with pytest.raises(PermissionDenied):
        stage_targets_save(actor=world.users[role], campaign=world.campaign, targets={1: dt.date(2020, 2, 1)})
    assert not StageTarget.objects.exists()
