"""The 7 stages and 35 steps (progress/data/audit_steps.csv), as constants: no query needed to name them.

The same rows are loaded into the AuditStep table by migration, so records can point at a step.
"""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "audit_steps.csv"

# Deliverable steps: 22 中期审核报告, 27 送评估稿, 35 终稿. They need every earlier stage complete.
DELIVERABLE_STEPS = (22, 27, 35)
EVALUATION_STEP = 27  # complete → eligible to apply for 评估
FINAL_STEP = 35  # complete (and 评估 passed) → eligible to apply for 验收


@dataclass(frozen=True)
class Step:
    number: int
    stage: int
    stage_name: str
    name: str
    deliverable: str


@dataclass(frozen=True)
class Stage:
    number: int
    name: str
    steps: tuple[Step, ...]

    @property
    def step_numbers(self) -> tuple[int, ...]:
        return tuple(s.number for s in self.steps)


@lru_cache(maxsize=1)
def all_steps() -> tuple[Step, ...]:
    with DATA.open(encoding="utf-8") as fh:
        return tuple(Step(int(r["step_no"]), int(r["stage_no"]), r["stage_name"], r["step_name"], r["deliverable"])
                     for r in csv.DictReader(fh))


@lru_cache(maxsize=1)
def stages() -> tuple[Stage, ...]:
    result = []
    for number in sorted({s.stage for s in all_steps()}):
        steps = tuple(s for s in all_steps() if s.stage == number)
        result.append(Stage(number, steps[0].stage_name, steps))
    return tuple(result)


def step(number: int) -> Step:
    if not 1 <= number <= len(all_steps()):
        raise ValueError(f"审核步骤应为第1至{len(all_steps())}步，实际为{number}")
    return all_steps()[number - 1]


def stage_name(number: int) -> str:
    if not 1 <= number <= len(stages()):
        raise ValueError(f"审核阶段应为第1至{len(stages())}阶段，实际为{number}")
    return stages()[number - 1].name
