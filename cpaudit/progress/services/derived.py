"""Values derived from an enrolment's step records: how far it has got, how complete each stage is,
whether it may apply for 评估/验收, and whether it is behind its campaign's time nodes (按时间节点完成).

Pure functions over records (anything with `step_id` and `status`, and `review` for the blockers; a
missing step counts as 未开始), plus `stage_targets(campaign)`, the one selector (a single query, or
none when prefetched). The bulk reads behind the blockers are in selectors/readiness.py.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..models import ReviewStatus, StepStatus
from ..steps import DELIVERABLE_STEPS, EVALUATION_STEP, FINAL_STEP, stages, step

STAGE_COUNT = 7
EVENLY_SPREAD_STAGES = 5  # stages 1–5 run from the audit start to the 评估 deadline


def _statuses(records: Iterable) -> dict[int, str]:
    return {r.step_id: r.status for r in records}


def reached_stage(records: Iterable) -> int:
    """已实施到X阶段: the highest stage in which any step has started; 0 when none has."""
    started = [step(n).stage for n, status in _statuses(records).items() if status != StepStatus.NOT_STARTED]
    return max(started, default=0)


def stage_completion(records: Iterable) -> dict[int, tuple[int, int]]:
    """{stage: (completed steps, steps in the stage)} for all seven stages."""
    statuses = _statuses(records)
    return {
        s.number: (sum(1 for n in s.step_numbers if statuses.get(n) == StepStatus.COMPLETED), len(s.steps))
        for s in stages()
    }


def missing_before(records: Iterable, stage_number: int) -> list[int]:
    """Step numbers of the stages before `stage_number` that are not completed."""
    statuses = _statuses(records)
    return [n for s in stages() if s.number < stage_number for n in s.step_numbers
            if statuses.get(n) != StepStatus.COMPLETED]


def completed_through(records: Iterable, last_step: int) -> bool:
    statuses = _statuses(records)
    return all(statuses.get(n) == StepStatus.COMPLETED for n in range(1, last_step + 1))


def eligible_for_evaluation(records: Iterable) -> bool:
    """The audit completed through step 27 (清洁生产审核报告送评估稿). Whether the enterprise may apply
    also needs the branch's confirmation and the deliverables' files: evaluation_blockers."""
    return completed_through(records, EVALUATION_STEP)


def steps_text(numbers: Iterable[int]) -> str:
    """"第1至17、19、22步": consecutive numbers as a range, so a refusal stays readable."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}、{r[1]}" if len(r) == 2 else f"{r[0]}至{r[-1]}" for r in runs]
    return f"第{'、'.join(parts)}步"


@dataclass(frozen=True)
class Blockers:
    """Why an application that relies on steps 1…N may not be started or submitted yet (empty: it may).

    not_completed: steps not 已完成; missing_file: completed deliverable steps (22, 27, 35) with no
    current evidence file; not_confirmed: completed steps the branch has not confirmed (核实);
    open_options: 中/高费 options neither implemented nor abandoned with a reason (验收 only), as
    "「name」（status）" texts."""

    not_completed: tuple[int, ...] = ()
    missing_file: tuple[int, ...] = ()
    not_confirmed: tuple[int, ...] = ()
    open_options: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.not_completed or self.missing_file or self.not_confirmed or self.open_options)

    def reasons(self) -> list[str]:
        result = []
        if self.not_completed:
            result.append(f"审核尚未完成{steps_text(self.not_completed)}")
        if self.missing_file:
            result.append("、".join(f"第{n}步（{step(n).deliverable}）" for n in self.missing_file) + "尚未上传成果文件")
        if self.not_confirmed:
            result.append(f"{steps_text(self.not_confirmed)}尚未经分局核实")
        if self.open_options:
            result.append("中/高费方案须已实施，或填写理由后放弃：" + "、".join(self.open_options))
        return result

    def message(self, what: str) -> str:
        """The refusal shown to the enterprise, e.g. "第18、22步尚未经分局核实，暂不能申请评估"."""
        return "；".join(self.reasons()) + f"，暂不能申请{what}"


def blockers_through(records: Iterable, last_step: int, with_file: Iterable[int]) -> Blockers:
    """What stands between the audit and an application relying on steps 1…`last_step`: every one
    completed, every deliverable among them with a current file (`with_file`: the step numbers that
    have one) and every one confirmed by the branch."""
    by_step = {r.step_id: r for r in records}
    with_file = set(with_file)
    numbers = range(1, last_step + 1)
    completed = [n for n in numbers if n in by_step and by_step[n].status == StepStatus.COMPLETED]
    return Blockers(
        not_completed=tuple(n for n in numbers if n not in completed),
        missing_file=tuple(n for n in completed if n in DELIVERABLE_STEPS and n not in with_file),
        not_confirmed=tuple(n for n in completed if by_step[n].review != ReviewStatus.CONFIRMED),
    )


def evaluation_blockers(records: Iterable, with_file: Iterable[int]) -> Blockers:
    """评估 relies on steps 1–27 (the report that goes to 评估 is step 27's file)."""
    return blockers_through(records, EVALUATION_STEP, with_file)


def acceptance_blockers(records: Iterable, with_file: Iterable[int], open_options: Iterable[str] = ()) -> Blockers:
    """验收 relies on all 35 steps (step 35's file is the final report) and on every 中/高费 option being
    implemented or abandoned with a reason (`open_options`, see selectors.readiness). The passed 评估
    it also needs is the applications' to check."""
    found = blockers_through(records, FINAL_STEP, with_file)
    return Blockers(found.not_completed, found.missing_file, found.not_confirmed, tuple(open_options))


def completed_deliverables_after(records: Iterable, stage_number: int) -> list[int]:
    """Completed deliverable steps (22, 27, 35) of stages after `stage_number`: they stand on that stage
    being complete, so a step of it cannot be undone while they stay completed."""
    statuses = _statuses(records)
    return [n for n in DELIVERABLE_STEPS if step(n).stage > stage_number and statuses.get(n) == StepStatus.COMPLETED]


def audit_start(campaign) -> dt.date:
    return campaign.audit_start_date or dt.date(campaign.year, 1, 1)


def default_stage_targets(campaign) -> dict[int, dt.date]:
    """Stages 1–5 spread evenly from the audit start to the 评估 deadline (stage 5 = the deadline),
    stage 6 half-way between the 评估 and 验收 deadlines, stage 7 = the 验收 deadline."""
    start = audit_start(campaign)
    evaluation, acceptance = campaign.evaluation_deadline, campaign.acceptance_deadline
    span = max((evaluation - start).days, 0)
    targets = {k: start + dt.timedelta(days=span * k // EVENLY_SPREAD_STAGES)
               for k in range(1, EVENLY_SPREAD_STAGES + 1)}
    targets[6] = evaluation + dt.timedelta(days=max((acceptance - evaluation).days, 0) // 2)
    targets[7] = acceptance
    for k in range(2, STAGE_COUNT + 1):  # never decreasing, even for a campaign starting after a deadline
        targets[k] = max(targets[k], targets[k - 1])
    return targets


def stage_targets(campaign) -> dict[int, dt.date]:
    """The campaign's time nodes: the defaults, overridden by its StageTarget rows."""
    targets = default_stage_targets(campaign)
    targets.update({t.stage: t.target_date for t in campaign.stage_targets.all()})
    return targets


def behind_schedule(records: Iterable, targets: dict[int, dt.date], today: dt.date) -> list[int]:
    """Stages whose target date has passed (before today) while the stage is not complete."""
    completion = stage_completion(records)
    return [stage for stage, (done, total) in completion.items()
            if stage in targets and targets[stage] < today and done < total]
