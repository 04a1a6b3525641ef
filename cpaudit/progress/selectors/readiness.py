"""What the blockers of an application (services.derived.evaluation_blockers / acceptance_blockers)
read, for many enrolments at once: one query for the step records with whether each has a current
evidence file, one for the 中/高费 options still open. Callers (the applications' eligibility, the
progress page) run a fixed number of queries whatever the number of enrolments.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from ..models import Evidence, Option, OptionCategory, OptionStatus, StepRecord
from ..services.consistency import open_text

# A 中/高费 option blocks 验收 until it is implemented, or abandoned with a reason.
OPEN_STATUSES = (OptionStatus.PROPOSED, OptionStatus.SCREENED, OptionStatus.IMPLEMENTING)


@dataclass
class StepState:
    """The records of one enrolment (step_id, status, review) and the steps with a current file."""

    records: list = field(default_factory=list)
    with_file: set[int] = field(default_factory=set)


def step_states(enrolment_ids) -> dict[int, StepState]:
    """enrolment id → StepState, for every id given (an enrolment with no record gets an empty one)."""
    ids = list(enrolment_ids)
    result = {pk: StepState() for pk in ids}
    current_file = Evidence.objects.filter(record=OuterRef("pk"), is_current=True)
    rows = (StepRecord.objects.filter(enrolment_id__in=ids).only("enrolment_id", "step_id", "status", "review")
            .annotate(has_file=Exists(current_file)))
    for record in rows:
        state = result[record.enrolment_id]
        state.records.append(record)
        if record.has_file:
            state.with_file.add(record.step_id)
    return result


def open_high_options(enrolment_ids) -> dict[int, list[str]]:
    """enrolment id → "「name」（status）" of its 中/高费 options that are neither implemented nor
    abandoned with a reason (only enrolments that have some)."""
    abandoned_silently = Q(status=OptionStatus.ABANDONED, abandon_reason="")
    rows = (Option.objects.filter(enrolment_id__in=list(enrolment_ids), category=OptionCategory.HIGH)
            .filter(Q(status__in=OPEN_STATUSES) | abandoned_silently)
            .order_by("enrolment_id", "pk").only("enrolment_id", "name", "status", "abandon_reason"))
    result: dict[int, list[str]] = {}
    for option in rows:
        result.setdefault(option.enrolment_id, []).append(open_text(option))
    return result
