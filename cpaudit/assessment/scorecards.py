"""Branch scorecards (考核) per campaign and month: the figures, the weighted score and the rankings.

The reference day of a month is its last day, or today while the month is running. Per branch (one
county), computed in SQL over the campaign's enrolments — one aggregate query grouped by county:
    enrolled      enterprises in the list;
    on_schedule   every time node passed by the reference day met (a stage node moved by an approved
                  extension counts from its new date) — `behind` the others;
    stage_done    per stage whose node has passed: enterprises that completed it (the share per stage
                  against the time nodes);
    stale         not moved for more than the campaign's stale days (progress.selectors.dashboards);
    evaluation_due / evaluation_in_time, acceptance_due / acceptance_in_time: enterprises whose 评估
                  (验收) date — the campaign's 08-20 / 11-20, or an approved extension — has passed by
                  the reference day, and those of them whose application passed by that date;
    late_applications  applications late as applications.selectors.is_late counts them;
and, per branch, the month's report (on time / late / missing / not yet due, reports.deadlines), the
approved spot-check findings and the coverage gaps (hooks.py).
The score weighs them with settings.CPAUDIT_SCORECARD_WEIGHTS; branches are ranked within their
city-level unit and, for the province, across it; city-level units get a card summed from their
branches. A fixed number of queries whatever the number of enterprises (tests pin it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import BooleanField, Case, Count, DateField, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from cpaudit.applications.models import FINAL, Application, Kind, Status
from cpaudit.campaigns.models import Campaign, CampaignCounty, Enrolment
from cpaudit.org import access
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.org.models import Agency
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, AgencyKind
from cpaudit.progress.selectors.dashboards import (
    completed_steps_expr,
    last_moved_expr,
    past_stages,
    stage_done_expr,
    stale_q,
)
from cpaudit.progress.services import derived
from cpaudit.progress.steps import stages
from cpaudit.reports import deadlines
from cpaudit.reports.standings import month_end, month_start

from . import hooks
from .extensions import stage_extended_q
from .models import ExtensionStatus, Target

REPORT_SCORE = {"on_time": 1.0, "late": 0.5, "missing": 0.0, "pending": 1.0}
REPORT_LABELS = deadlines.DEADLINE_LABELS


def reference_day(month: dt.date, today: dt.date) -> dt.date:
    return min(month_end(month_start(month)), today)


def _rate(part: int, whole: int) -> float:
    """A share; nothing due counts as fully met."""
    return part / whole if whole else 1.0


@dataclass
class Card:
    code: str  # the county (a branch) or the city-level agency's division (a city card)
    name: str
    agency: Agency | None
    city_code: str = ""
    city_name: str = ""
    enrolled: int = 0
    behind: int = 0
    stale: int = 0
    stage_done: dict[int, int] = field(default_factory=dict)
    evaluation_due: int = 0
    evaluation_in_time: int = 0
    acceptance_due: int = 0
    acceptance_in_time: int = 0
    late_applications: int = 0
    report_state: str = "pending"
    reports: dict[str, int] = field(default_factory=dict)  # a city card: its branches' report states
    spotcheck_findings: int = 0
    coverage_gaps: int = 0
    score: float = 0.0
    rank: int = 0  # within its city-level unit (a branch) or across the province (a city card)
    province_rank: int | None = None

    @property
    def on_schedule(self) -> int:
        return self.enrolled - self.behind

    @property
    def on_schedule_rate(self) -> float:
        return _rate(self.on_schedule, self.enrolled)

    @property
    def on_schedule_pct(self) -> str:
        return f"{self.on_schedule_rate * 100:.0f}%"

    @property
    def stale_rate(self) -> float:
        return self.stale / self.enrolled if self.enrolled else 0.0

    @property
    def evaluation_rate(self) -> float:
        return _rate(self.evaluation_in_time, self.evaluation_due)

    @property
    def acceptance_rate(self) -> float:
        return _rate(self.acceptance_in_time, self.acceptance_due)

    @property
    def report_rate(self) -> float:
        if self.reports:
            total = sum(self.reports.values())
            return sum(REPORT_SCORE[s] * n for s, n in self.reports.items()) / total if total else 1.0
        return REPORT_SCORE[self.report_state]

    @property
    def report_label(self) -> str:
        if self.reports:
            return "，".join(f"{REPORT_LABELS[s]}{n}" for s, n in sorted(self.reports.items()))
        return REPORT_LABELS[self.report_state]

    def stage_rates(self, passed: list[int]) -> list[tuple[int, int, float]]:
        return [(s, self.stage_done.get(s, 0), _rate(self.stage_done.get(s, 0), self.enrolled)) for s in passed]


def weigh(card: Card, weights: dict | None = None) -> float:
    w = weights or settings.CPAUDIT_SCORECARD_WEIGHTS
    score = (w["on_schedule"] * card.on_schedule_rate + w["active"] * (1 - card.stale_rate)
             + w["report_on_time"] * card.report_rate + w["evaluation"] * card.evaluation_rate
             + w["acceptance"] * card.acceptance_rate
             - w["spotcheck_finding"] * card.spotcheck_findings - w["coverage_gap"] * card.coverage_gaps)
    return round(score, 1)


@dataclass
class Scorecards:
    campaign: Campaign
    month: dt.date
    day: dt.date
    targets: dict[int, dt.date]
    passed_stages: list[int]
    branches: list[Card]
    cities: list[Card]  # only for a user who sees more than one city-level unit
    whole_province: bool

    def lagging(self, limit: int = 3) -> list[Card]:
        """The lowest-scoring branches (ties by name), those below the average first."""
        if not self.branches:
            return []
        average = sum(c.score for c in self.branches) / len(self.branches)
        low = sorted((c for c in self.branches if c.score < average), key=lambda c: (c.score, c.code))
        return low[:limit]


def _city_of(branch: Agency) -> Agency:
    if branch.kind == AgencyKind.DIRECT_COUNTY or branch.supervisor is None:
        return branch
    return branch.supervisor


def _phase_due(kind: str, campaign_field: str):
    """The enrolment's effective date for a phase: the latest approved extension, else the campaign's."""
    from .models import Extension

    extended = Extension.objects.filter(enrolment_id=OuterRef("pk"), target=kind, status=ExtensionStatus.APPROVED)
    latest = Subquery(extended.order_by("-requested_date").values("requested_date")[:1], output_field=DateField())
    return Coalesce(latest, campaign_field, output_field=DateField())


def _in_time(kind: str, due: str):
    return Exists(Application.objects.filter(enrolment_id=OuterRef("pk"), kind=kind, status=Status.PASSED,
                                             result_date__lte=OuterRef(due)))


def _enrolment_figures(user, campaign: Campaign, targets, day: dt.date) -> dict[str, dict]:
    """county → the enrolment figures (one query)."""
    passed = past_stages(targets, day)
    qs = access.scope(user, Enrolment.objects.filter(campaign=campaign)).annotate(
        completed_steps=completed_steps_expr(), last_moved=last_moved_expr(),
        evaluation_date=_phase_due(Target.EVALUATION, "campaign__evaluation_deadline"),
        acceptance_date=_phase_due(Target.ACCEPTANCE, "campaign__acceptance_deadline"),
        **{f"done_{s}": stage_done_expr(s) for s in passed},
    ).annotate(evaluation_ok=_in_time(Kind.EVALUATION, "evaluation_date"),
               acceptance_ok=_in_time(Kind.ACCEPTANCE, "acceptance_date"))
    behind = Q(pk__isnull=True)
    for s in passed:
        behind |= Q(**{f"done_{s}__lt": len(stages()[s - 1].steps)}) & ~stage_extended_q(s, day)
    aggregates = {
        "enrolled": Count("pk"), "behind": Count("pk", filter=behind), "stale": Count("pk", filter=stale_q(campaign, day)),
        "evaluation_due": Count("pk", filter=Q(evaluation_date__lt=day)),
        "evaluation_in_time": Count("pk", filter=Q(evaluation_date__lt=day, evaluation_ok=True)),
        "acceptance_due": Count("pk", filter=Q(acceptance_date__lt=day)),
        "acceptance_in_time": Count("pk", filter=Q(acceptance_date__lt=day, acceptance_ok=True)),
        **{f"stage_{s}": Count("pk", filter=Q(**{f"done_{s}__gte": len(stages()[s - 1].steps)})) for s in passed},
    }
    rows = qs.order_by().values("enterprise__county_id").annotate(**aggregates)
    return {row["enterprise__county_id"]: row for row in rows}


def _late_applications(user, campaign: Campaign, day: dt.date) -> dict[str, int]:
    """county → applications late at `day` (applications.selectors.is_late, extensions followed). One query."""
    from cpaudit.applications.selectors import superseded_q

    from .extensions import due_expr

    rows = (access.scope(user, Application.objects.filter(campaign=campaign, submitted_at__isnull=False))
            .exclude(superseded_q()).annotate(due=due_expr())
            .order_by().values("enrolment__enterprise__county_id", "status", "result_date", "due")
            .annotate(n=Count("pk")))
    late: dict[str, int] = {}
    for row in rows:
        decided_late = row["status"] in FINAL and row["result_date"] and row["result_date"] > row["due"]
        if decided_late or (row["status"] not in FINAL and day > row["due"]):
            county = row["enrolment__enterprise__county_id"]
            late[county] = late.get(county, 0) + row["n"]
    return late


def _branches(user, campaign: Campaign) -> list[Agency]:
    jur = jurisdiction_of(user)
    if jur.empty:
        return []
    return list(Agency.objects.filter(
        jur.q("division__code"), kind__in=BRANCH_AGENCY_KINDS,
        division_id__in=CampaignCounty.objects.filter(campaign=campaign).values("county_id"),
    ).select_related("division", "supervisor__division").order_by("division_id", "pk"))


def scorecards(user, campaign: Campaign, month: dt.date, today: dt.date) -> Scorecards:
    """Every branch the user sees, with its figures, score and rank (fixed number of queries)."""
    access.check(user, "assessment.scorecard.view")
    month = month_start(month)
    day = reference_day(month, today)
    targets = derived.stage_targets(campaign)
    passed = past_stages(targets, day)
    branches = _branches(user, campaign)
    figures = _enrolment_figures(user, campaign, targets, day)
    late = _late_applications(user, campaign, day)
    reports = {r.agency_id: r for r in deadlines.branch_reports(campaign, month, [b.pk for b in branches])}
    counties = [b.division_id for b in branches]
    findings = hooks.spotcheck_findings(campaign, counties, day)
    gaps = hooks.coverage_gaps(user, campaign, counties, day)
    cards = []
    for branch in branches:
        code, row = branch.division_id, figures.get(branch.division_id, {})
        city = _city_of(branch)
        card = Card(
            code=code, name=branch.division.name, agency=branch, city_code=city.division_id, city_name=city.name,
            enrolled=row.get("enrolled", 0), behind=row.get("behind", 0), stale=row.get("stale", 0),
            stage_done={s: row.get(f"stage_{s}", 0) for s in passed},
            evaluation_due=row.get("evaluation_due", 0), evaluation_in_time=row.get("evaluation_in_time", 0),
            acceptance_due=row.get("acceptance_due", 0), acceptance_in_time=row.get("acceptance_in_time", 0),
            late_applications=late.get(code, 0),
            report_state=deadlines.deadline_state(reports.get(branch.pk), campaign, month, today),
            spotcheck_findings=findings.get(code, 0), coverage_gaps=gaps.get(code, 0))
        card.score = weigh(card)
        cards.append(card)
    _rank(cards, key=lambda c: c.city_code)
    cities = _city_cards(cards, passed)
    whole = jurisdiction_of(user).prefix is not None
    if whole:
        for n, card in enumerate(sorted(cards, key=lambda c: (-c.score, c.code)), 1):
            card.province_rank = n
    return Scorecards(campaign, month, day, targets, passed, cards, cities if len(cities) > 1 else [], whole)


def _rank(cards: list[Card], key) -> None:
    groups: dict[str, list[Card]] = {}
    for card in cards:
        groups.setdefault(key(card), []).append(card)
    for group in groups.values():
        for n, card in enumerate(sorted(group, key=lambda c: (-c.score, c.code)), 1):
            card.rank = n


def _city_cards(cards: list[Card], passed: list[int]) -> list[Card]:
    """A card per city-level unit, summed from its branches, ranked across the province."""
    cities: dict[str, Card] = {}
    for card in cards:
        city = cities.setdefault(card.city_code, Card(code=card.city_code, name=card.city_name, agency=None))
        for name in ("enrolled", "behind", "stale", "evaluation_due", "evaluation_in_time", "acceptance_due",
                     "acceptance_in_time", "late_applications", "spotcheck_findings", "coverage_gaps"):
            setattr(city, name, getattr(city, name) + getattr(card, name))
        for s in passed:
            city.stage_done[s] = city.stage_done.get(s, 0) + card.stage_done.get(s, 0)
        city.reports[card.report_state] = city.reports.get(card.report_state, 0) + 1
    result = list(cities.values())
    for city in result:
        city.score = weigh(city)
    for n, city in enumerate(sorted(result, key=lambda c: (-c.score, c.code)), 1):
        city.rank = n
    return sorted(result, key=lambda c: c.rank)


def lagging_enterprises(user, campaign: Campaign, month: dt.date, today: dt.date, limit: int = 30) -> list[dict]:
    """The enterprises behind a time node, stalled, or past a phase date without a pass (one query),
    for a circular: name, county, what is wrong."""
    month = month_start(month)
    day = reference_day(month, today)
    targets = derived.stage_targets(campaign)
    passed = past_stages(targets, day)
    qs = access.scope(user, Enrolment.objects.filter(campaign=campaign)).annotate(
        completed_steps=completed_steps_expr(), last_moved=last_moved_expr(),
        evaluation_date=_phase_due(Target.EVALUATION, "campaign__evaluation_deadline"),
        **{f"done_{s}": stage_done_expr(s) for s in passed},
    ).annotate(evaluation_ok=_in_time(Kind.EVALUATION, "evaluation_date"))
    flags = {}
    for s in passed:
        flags[f"behind_{s}"] = Q(**{f"done_{s}__lt": len(stages()[s - 1].steps)}) & ~stage_extended_q(s, day)
    flags["stale"] = stale_q(campaign, day)
    flags["evaluation_missed"] = Q(evaluation_date__lt=day, evaluation_ok=False)
    qs = qs.annotate(**{f"f_{k}": Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
                        for k, q in flags.items()})
    any_flag = Q(pk__isnull=True)
    for q in flags.values():
        any_flag |= q
    rows = []
    for e in qs.filter(any_flag).select_related("enterprise__county").order_by(
            "enterprise__county_id", "enterprise__name")[:limit]:
        problems = [f"未按时间节点完成第{s}阶段" for s in passed if getattr(e, f"f_behind_{s}")]
        if e.f_stale:
            problems.append(f"超过{campaign.stale_days}天无进展")
        if e.f_evaluation_missed:
            problems.append(f"评估期限（{e.evaluation_date:%m月%d日}）已过未通过评估")
        rows.append({"name": e.enterprise.name, "county": e.enterprise.county.name,
                     "county_code": e.enterprise.county_id, "problems": "；".join(problems)})
    return rows
