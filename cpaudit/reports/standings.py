"""Where each enrolment stood on a data date, and the stage grids built from that.

As of a data date D:
- a step counts as started when it has a start or completion date ≤ D, completed when its completion
  date is ≤ D (a reopened step loses its completion date, so a reconstruction can undercount
  completions — not stages: the start date stays);
- when D is today (the live data of the current month) the record's current status also bounds it,
  as the dashboards' reached_stage: a record marked in progress counts even without a date, one set
  back to 未开始 does not. A date after D never counts, so a report dated D says what the register said
  on D even when later records exist (the demo creates its history that way; a real register cannot
  hold dates after today).
- An enrolment whose start_date is after D counts as not started. Enrolment.created_at is NOT used:
  lists are entered after the fact, so it does not tell when an enterprise joined.

Stalled (did not move during the month): not all 35 steps completed as of D, enrolment started
(start_date empty or ≤ D), and no step date between the month's first day and D.
"""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, F, Max, Q, Value, When

from cpaudit.campaigns.models import Enrolment
from cpaudit.progress.industry_groups import GROUPS, OTHER, group_of
from cpaudit.progress.models import StepRecord, StepStatus
from cpaudit.progress.steps import all_steps, stages

NOT_STARTED_ROW = "尚未开始"
TOTAL_STEPS = len(all_steps())


# --- months and dates ------------------------------------------------------------------------------

def month_start(month: dt.date) -> dt.date:
    return month.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def parse_month(text: str) -> dt.date:
    """"YYYY-MM" → the month's first day; ValueError with a Chinese message otherwise."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return dt.date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise ValueError(f"月份格式应为 YYYY-MM（如 2020-05），实际为“{text}”") from None


def data_date(month: dt.date, today: dt.date) -> dt.date:
    """The day the data are taken at: today within the current month, else the month's last day.
    A future month has no data date (ValueError)."""
    if month_start(month) > today:
        raise ValueError(f"{month.year}年{month.month}月尚未开始，不能编制进度报告")
    return min(today, month_end(month))


# --- standings -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """One enrolment as of the data date."""

    name: str
    county: str
    reached: int  # 0 = not started
    moved: bool  # a step date within the month (up to the data date)
    finished: bool  # all 35 steps completed
    begun: bool  # the enrolment's start date is not after the data date
    group: str = OTHER  # the industry group (one of the six, else 其他)

    @property
    def stalled(self) -> bool:
        return self.begun and not self.finished and not self.moved


def standings(campaign, counties, month: dt.date, today: dt.date) -> list[Standing]:
    """Every enrolment of the campaign in `counties` as of the month's data date. Two queries."""
    as_of = data_date(month, today)
    return standings_at(campaign, counties, month_start(month), as_of, live=as_of >= today)


def standings_at(campaign, counties, first: dt.date, as_of: dt.date, *, live: bool) -> list[Standing]:
    """As standings, for any data date `as_of` in the month starting `first`. Each enrolment's steps are
    folded by the database (one GROUP BY over the step records: at 50,000 enterprises a loop over the
    ~450,000 records in Python took 1.4 s of a city's consolidation); tests/reports/test_standings_sql.py
    holds it to the rule written in Python over one enrolment's records."""
    counties = list(counties)
    enrolments = list(Enrolment.objects.filter(campaign=campaign, enterprise__county_id__in=counties)
                      .values_list("pk", "start_date", "enterprise__name", "enterprise__county_id",
                                   "enterprise__industry_id"))
    started, done = _started_done(as_of, live)
    moved = Q(start_date__gte=first, start_date__lte=as_of) | Q(completion_date__gte=first, completion_date__lte=as_of)
    folded = {row[0]: row[1:] for row in (
        StepRecord.objects.filter(enrolment__campaign=campaign, enrolment__enterprise__county_id__in=counties)
        .values("enrolment_id").order_by()
        .annotate(reached=Max(Case(When(started, then=F("step__stage")), default=Value(0))),
                  completed=Count("pk", filter=done), moved=Count("pk", filter=moved))
        .values_list("enrolment_id", "reached", "completed", "moved"))}
    result = []
    for pk, start, name, county, industry in enrolments:
        begun = start is None or start <= as_of
        reached, completed, moved_count = folded.get(pk, (0, 0, 0))
        result.append(Standing(name, county, reached if begun else 0, moved_count > 0, completed >= TOTAL_STEPS,
                               begun, group_of(industry)))
    return result


def _started_done(as_of: dt.date, live: bool) -> tuple[Q, Q]:
    """When a step record counts as started and as completed on `as_of` (the module's rule, in SQL)."""
    if live:
        # A date after as_of (the demo's later history) is not yet true on as_of.
        not_after = Q(start_date__isnull=True) | Q(start_date__lte=as_of)
        started = ~Q(status=StepStatus.NOT_STARTED) & not_after
        done = Q(status=StepStatus.COMPLETED) & (Q(completion_date__isnull=True) | Q(completion_date__lte=as_of))
        return started, done
    return Q(start_date__lte=as_of) | Q(completion_date__lte=as_of), Q(completion_date__lte=as_of)


# --- grids: a label per row × the 7 stages, 尚未开始 and 合计 ----------------------------------------------

def grid(label_header: str, groups: list[tuple[str, list[Standing]]]) -> dict:
    """One row per (label, standings): enterprises per reached stage, not started, total; a totals row."""
    headers = [label_header] + [s.name for s in stages()] + [NOT_STARTED_ROW, "合计"]
    rows = []
    for label, items in groups:
        counts = [sum(1 for i in items if i.reached == s.number) for s in stages()]
        counts.append(sum(1 for i in items if not i.reached))
        rows.append([label, *counts, sum(counts)])
    totals = ["合计"] + [sum(r[c] for r in rows) for c in range(1, len(headers))]
    return {"headers": headers, "rows": rows, "totals": totals}


def industry_grid(items: list[Standing]) -> dict:
    """The six industry groups in the notice's order, then 其他 when an enterprise is outside them."""
    by_group = defaultdict(list)
    for item in items:
        by_group[item.group].append(item)
    labels = list(GROUPS) + ([OTHER] if by_group.get(OTHER) else [])
    return grid("行业", [(label, by_group[label]) for label in labels])
