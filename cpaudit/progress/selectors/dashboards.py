"""Read paths of the progress dashboards and the enrolment list: the query shape lives here.

Every figure is computed in SQL. Per enrolment, its EnrolmentProgress row (maintained by database
triggers from its step records and evidence, migration progress 0005) gives
    reached_stage   已实施到X阶段: the highest stage in which any step has started (status other than
                    未开始; a missing StepRecord row is 未开始), 0 when nothing has started;
    completed_steps the number of its steps whose status is 已完成;
    last_moved      the latest recorded_at / reviewed_at of its steps, else the enrolment's created_at.
The matrices group and the totals aggregate over those annotations, so every function here runs a
fixed number of queries whatever the number of enrolments (tests/progress/test_dashboard_queries.py).
The same definitions as pure functions: cpaudit.progress.services.derived.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Substr
from django.utils import timezone

from cpaudit.assessment.extensions import stage_extended_q
from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.org.access import scope
from cpaudit.progress import industry_groups
from cpaudit.progress.models import Option
from cpaudit.progress.services import derived
from cpaudit.progress.steps import all_steps, stages
from cpaudit.registry.models import Industry

TOTAL_STEPS = len(all_steps())
STAGE_NUMBERS = tuple(s.number for s in stages())
# Columns of the matrices: 0 (未开始) and every stage.
REACHED_VALUES = (0, *STAGE_NUMBERS)
STALE_TOP = 10


# --- per-enrolment expressions ------------------------------------------------------------------
# Read from the enrolment's EnrolmentProgress row (kept by database triggers from its step records and
# evidence; no row = nothing recorded): a join, not a scan of every step record per request.

def _summary(name: str, default: int = 0):
    return Coalesce(F(f"progress_summary__{name}"), Value(default), output_field=IntegerField())


def reached_stage_expr():
    """已实施到X阶段: highest stage with a started step (0 = none)."""
    return _summary("reached_stage")


def completed_steps_expr():
    return _summary("completed_steps")


def stage_done_expr(stage: int):
    """How many steps of `stage` are 已完成 (the stage is complete when that equals its size)."""
    if not 1 <= stage <= len(stages()):
        raise ValueError(f"阶段应为1至{len(stages())}，实际为{stage}")
    return _summary(f"done_{stage}")


def last_moved_expr():
    # The later of the records' latest recorded_at / reviewed_at and the latest evidence upload (an
    # upload counts as movement too); with no recorded movement, the enrolment's created_at.
    steps = Coalesce(F("progress_summary__record_moved"), F("created_at"), output_field=DateTimeField())
    uploaded = Coalesce(F("progress_summary__uploaded"), steps, output_field=DateTimeField())
    return Greatest(steps, uploaded)


def stale_cutoff(campaign: Campaign, today: dt.date) -> dt.datetime:
    """An enrolment is stale (停滞) when it has not moved for more than campaign.stale_days days:
    its last movement falls before the start of day (today − stale_days)."""
    day = today - dt.timedelta(days=campaign.stale_days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def stale_q(campaign: Campaign, today: dt.date) -> Q:
    """Stale and not finished: an audit whose 35 steps are all complete is not stalled."""
    return Q(last_moved__lt=stale_cutoff(campaign, today)) & Q(completed_steps__lt=TOTAL_STEPS)


def with_stage_done(qs: QuerySet, numbers) -> QuerySet:
    """Annotate done_<n>: completed steps of stage n, for each stage number given."""
    return qs.annotate(**{f"done_{n}": stage_done_expr(n) for n in numbers})


def past_stages(targets: dict[int, dt.date], today: dt.date) -> list[int]:
    return sorted(stage for stage, day in targets.items() if day < today)


def behind_q(targets: dict[int, dt.date], today: dt.date) -> Q:
    """Behind schedule (未按时间节点完成): a stage whose time node is before today is not complete, as
    derived.behind_schedule. Needs the done_<n> annotations of past_stages (with_stage_done)."""
    q = Q(pk__isnull=True)  # false: no time node has passed yet
    for stage in past_stages(targets, today):
        # An approved extension (延期申请) moves the enterprise's node: assessment.extensions.
        q |= Q(**{f"done_{stage}__lt": len(stages()[stage - 1].steps)}) & ~stage_extended_q(stage, today)
    return q


def _flag(q: Q):
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def _scoped(user, campaign: Campaign) -> QuerySet:
    return scope(user, Enrolment.objects.filter(campaign=campaign))


def annotated_enrolments(user, campaign: Campaign) -> QuerySet:
    """The user's enrolments of the campaign with reached_stage, completed_steps and last_moved."""
    return _scoped(user, campaign).select_related(
        "enterprise", "enterprise__county", "enterprise__industry", "consulting_agency",
    ).annotate(
        reached_stage=reached_stage_expr(), completed_steps=completed_steps_expr(), last_moved=last_moved_expr(),
    )


# --- the enrolment list -------------------------------------------------------------------------

SORTS = {
    "name": ("enterprise__name",),
    "county": ("enterprise__county_id", "enterprise__name"),
    "stage": ("reached_stage", "enterprise__name"),
    "moved": ("last_moved", "enterprise__name"),
}
DEFAULT_SORT = "county"


def enrolment_list(user, campaign: Campaign, filters: dict | None = None, *, today: dt.date,
                   targets: dict[int, dt.date] | None = None) -> QuerySet:
    """The annotated enrolments filtered and sorted as the list page and the export ask, each also
    with is_stale, is_behind and industry_group (one of the six, "" outside them).

    filters: q (name contains / USCC starts with), county, industry (大类 or any code prefix),
    industry_group (one of the six industries, or industry_groups.OTHER_KEY), stage
    (reached stage, 0 = 未开始), started (reached stage ≥ 1), stage_done (that stage complete), complete (all 35 steps complete),
    management_level, enterprise_type, stale, behind, option_status (has an option in that status),
    sort (a key of SORTS, "-" for descending). `targets`: the campaign's time nodes
    (derived.stage_targets, one query when not given)."""
    filters = filters or {}
    targets = derived.stage_targets(campaign) if targets is None else targets
    qs = with_stage_done(annotated_enrolments(user, campaign), past_stages(targets, today)).annotate(
        is_stale=_flag(stale_q(campaign, today)), is_behind=_flag(behind_q(targets, today)),
        industry_group=industry_groups.group_expr())
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__startswith=q.upper()))
    for key, lookup in (("county", "enterprise__county_id"), ("management_level", "enterprise__management_level"),
                        ("enterprise_type", "enterprise_type")):
        if filters.get(key):
            qs = qs.filter(**{lookup: filters[key]})
    if filters.get("industry"):
        qs = qs.filter(enterprise__industry__code__startswith=filters["industry"].upper())
    if filters.get("industry_group"):
        qs = qs.filter(industry_groups.group_q(filters["industry_group"]))
    if filters.get("stage") not in (None, ""):
        qs = qs.filter(reached_stage=int(filters["stage"]))
    if filters.get("started"):
        qs = qs.filter(reached_stage__gt=0)
    if filters.get("stage_done"):
        stage = int(filters["stage_done"])
        qs = qs.annotate(stage_done=stage_done_expr(stage)).filter(
            stage_done__gte=len(stages()[stage - 1].steps))
    if filters.get("complete"):
        qs = qs.filter(completed_steps__gte=TOTAL_STEPS)
    if filters.get("stale"):
        qs = qs.filter(stale_q(campaign, today))
    if filters.get("behind"):
        qs = qs.filter(behind_q(targets, today))
    if filters.get("option_status"):
        qs = qs.filter(Exists(Option.objects.filter(enrolment=OuterRef("pk"), status=filters["option_status"])))
    return qs.order_by(*_ordering(filters.get("sort") or DEFAULT_SORT))


def _ordering(sort: str) -> tuple:
    descending = sort.startswith("-")
    keys = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT])
    first = F(keys[0]).desc() if descending else F(keys[0]).asc()
    return (first, *keys[1:], "pk")


def stale_enrolments(user, campaign: Campaign, today: dt.date) -> QuerySet:
    """Enrolments that have not moved for more than campaign.stale_days days, longest first."""
    return annotated_enrolments(user, campaign).filter(stale_q(campaign, today)).order_by(
        "last_moved", "enterprise__name", "pk")


# --- matrices and totals ------------------------------------------------------------------------

@dataclass
class MatrixRow:
    key: str  # county code, or industry 大类 code
    name: str
    counts: dict[int, int] = field(default_factory=dict)  # reached stage → enrolments

    @property
    def cells(self) -> list[tuple[int, int]]:
        return [(stage, self.counts.get(stage, 0)) for stage in REACHED_VALUES]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Matrix:
    rows: list[MatrixRow]

    @property
    def column_totals(self) -> list[tuple[int, int]]:
        return [(stage, sum(r.counts.get(stage, 0) for r in self.rows)) for stage in REACHED_VALUES]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)


def _matrix(values: QuerySet, key: str, name: str) -> Matrix:
    rows: dict[str, MatrixRow] = {}
    for item in values:
        row = rows.setdefault(item[key], MatrixRow(item[key], item[name] or item[key]))
        row.counts[item["reached_stage"]] = row.counts.get(item["reached_stage"], 0) + item["n"]
    return Matrix(sorted(rows.values(), key=lambda r: r.key))


def county_stage_matrix(user, campaign: Campaign) -> Matrix:
    """County × reached stage: how many enrolments of each county have reached each stage. One query."""
    values = _scoped(user, campaign).annotate(reached_stage=reached_stage_expr()).order_by().values(
        "enterprise__county_id", "enterprise__county__name", "reached_stage").annotate(n=Count("pk"))
    return _matrix(values, "enterprise__county_id", "enterprise__county__name")


def industry_stage_matrix(user, campaign: Campaign) -> Matrix:
    """Industry 大类 (the first two digits of the 小类 code) × reached stage, with the 大类's name. One query."""
    major_name = Subquery(Industry.objects.filter(code=OuterRef("major")).values("name")[:1])
    values = _scoped(user, campaign).annotate(
        reached_stage=reached_stage_expr(), major=Substr("enterprise__industry_id", 1, 2),
    ).annotate(major_name=major_name).order_by().values("major", "major_name", "reached_stage").annotate(
        n=Count("pk"))
    return _matrix(values, "major", "major_name")


def industry_group_stage_matrix(user, campaign: Campaign) -> Matrix:
    """The six industries (in the notice's order, each shown even when empty) × reached stage, then the
    enrolments outside the six (其他) when there are any. One query."""
    values = _scoped(user, campaign).annotate(
        reached_stage=reached_stage_expr(), group=industry_groups.group_expr(),
    ).order_by().values("group", "reached_stage").annotate(n=Count("pk"))
    rows = {group: MatrixRow(group, group) for group in industry_groups.GROUPS}
    for item in values:
        key = item["group"] or industry_groups.OTHER_KEY
        row = rows.setdefault(key, MatrixRow(key, industry_groups.OTHER))
        row.counts[item["reached_stage"]] = row.counts.get(item["reached_stage"], 0) + item["n"]
    return Matrix(list(rows.values()))


@dataclass
class StageTotal:
    number: int
    name: str
    reached: int  # enrolments whose reached stage is this one
    done: int  # enrolments that completed every step of this stage
    enrolled: int

    @property
    def done_rate(self) -> float:
        return self.done / self.enrolled if self.enrolled else 0.0


@dataclass
class Totals:
    enrolled: int
    started: int
    complete: int  # all 35 steps 已完成
    stale: int
    behind: int
    not_started: int
    stages: list[StageTotal]

    @property
    def started_rate(self) -> float:
        return self.started / self.enrolled if self.enrolled else 0.0

    @property
    def complete_rate(self) -> float:
        return self.complete / self.enrolled if self.enrolled else 0.0


def totals(user, campaign: Campaign, today: dt.date, targets: dict[int, dt.date] | None = None) -> Totals:
    """Enrolled, started, complete, stale, behind schedule, and per stage: reached and completed. One
    query (two when the time nodes are not given)."""
    targets = derived.stage_targets(campaign) if targets is None else targets
    qs = with_stage_done(_scoped(user, campaign).annotate(
        reached_stage=reached_stage_expr(), completed_steps=completed_steps_expr(), last_moved=last_moved_expr(),
    ), STAGE_NUMBERS)
    aggregates = {
        "enrolled": Count("pk"),
        "started": Count("pk", filter=Q(reached_stage__gt=0)),
        "complete": Count("pk", filter=Q(completed_steps__gte=TOTAL_STEPS)),
        "stale": Count("pk", filter=stale_q(campaign, today)),
        "behind": Count("pk", filter=behind_q(targets, today)),
    }
    for stage in REACHED_VALUES:
        aggregates[f"reached_{stage}"] = Count("pk", filter=Q(reached_stage=stage))
    for s in stages():
        aggregates[f"done_{s.number}_n"] = Count("pk", filter=Q(**{f"done_{s.number}__gte": len(s.steps)}))
    result = qs.aggregate(**aggregates)
    enrolled = result["enrolled"]
    return Totals(
        enrolled=enrolled, started=result["started"], complete=result["complete"], stale=result["stale"],
        behind=result["behind"], not_started=result["reached_0"],
        stages=[StageTotal(s.number, s.name, result[f"reached_{s.number}"], result[f"done_{s.number}_n"], enrolled)
                for s in stages()],
    )
