"""Reads of applications: the list a user works from, what awaits them, and the roll-up of results
(branch → city → province) per campaign and phase. Each is a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from cpaudit.assessment.extensions import due_expr, effective_due
from cpaudit.org import access
from cpaudit.org.models import Agency
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, GOVERNMENT_ROLES, AgencyKind, Role

from . import transitions
from .models import EDITABLE, FINAL, IN_CHAIN, Application, Kind, Level, Status


def applications(user, **filters):
    return (access.scope(user, Application.objects.filter(**filters))
            .select_related("enrolment__enterprise__county", "campaign", "organizer")
            .annotate(effective_due=due_expr())  # the phase's date, moved by an approved extension
            .order_by("enrolment__enterprise__county_id", "enrolment__enterprise__name", "kind"))


def todo_q(user) -> Q | None:
    """What awaits the user (None: nothing can): the states the transition table makes theirs, within
    scope. A government user's turn depends on the levels above its agency (paper or not, per campaign)
    and, for the organizer's states, on who organizes: `_turns` works it out from the user's own chain,
    so the query stays one whatever the number of applications."""
    role = getattr(user, "role", None)
    if role in (Role.ENTERPRISE, Role.CONSULTANT):
        return Q(status__in=EDITABLE)
    if role == Role.EXPERT:
        return Q(status=Status.ORGANIZING)
    agency = getattr(user, "agency", None)
    if agency is None or role not in GOVERNMENT_ROLES:
        return None
    q = Q(pk__in=[])
    for condition in _turns(user, agency):
        q |= condition
    return q


def _user_chain(agency) -> dict:
    """The agencies above (and including) the user's, by level, as a route through it would have them."""
    chain = {}
    if agency.kind in BRANCH_AGENCY_KINDS:
        chain[Level.BRANCH] = agency
        city = agency if agency.kind == AgencyKind.DIRECT_COUNTY else agency.supervisor
    elif agency.kind == AgencyKind.CITY:
        city = agency
    else:
        city = None
    if city is not None:
        chain[Level.CITY] = city
        if city.supervisor is not None and city.supervisor.kind == AgencyKind.PROVINCE:
            chain[Level.PROVINCE] = city.supervisor
    if agency.kind == AgencyKind.PROVINCE:
        chain[Level.PROVINCE] = agency
    return chain


def _turns(user, agency):
    """Q conditions (state, organizer, campaigns) under which it is the user's turn."""
    from .services.common import on_paper, paper_config

    agency = Agency.objects.select_related("supervisor", "supervisor__supervisor").get(pk=agency.pk)
    chain = _user_chain(agency)
    config = paper_config([a.pk for a in chain.values()])
    explicit = sorted({c for campaigns in config.values() if campaigns for c in campaigns})
    # Campaign classes: each campaign named in the paper settings, then every other campaign.
    classes = [(Q(campaign_id=c), c) for c in explicit] + [(~Q(campaign_id__in=explicit), None)]
    direct = agency.kind == AgencyKind.DIRECT_COUNTY
    for campaign_q, campaign_id in classes:
        paper = frozenset(level for level, a in chain.items() if level != Level.BRANCH
                          and not (level == Level.CITY and direct) and on_paper(config, a, campaign_id))
        for organizer_level in (Level.BRANCH, Level.CITY, Level.PROVINCE):
            organizer = chain.get(organizer_level)
            route = transitions.Route(agencies=chain, organizer_level=organizer_level, organizer=organizer,
                                      paper=paper, direct=direct)
            for state in transitions.STATE_PARTY:
                party = transitions.STATE_PARTY[state]
                if party == transitions.ENTERPRISE or (party != transitions.ORGANIZER
                                                       and organizer_level != Level.BRANCH):
                    continue  # the enterprise's own states; a non-organizer state counted once
                turn = transitions.owner(state, route)
                if turn is None or not turn.includes(user):
                    continue
                if party == transitions.ORGANIZER:
                    if organizer is None:
                        continue
                    yield campaign_q & Q(status=state, organizer_id=organizer.pk)
                else:
                    yield campaign_q & Q(status=state)


def todo(user, campaign=None):
    q = todo_q(user)
    if q is None:
        return Application.objects.none()
    qs = applications(user).filter(q)
    return qs.filter(campaign=campaign) if campaign is not None else qs


def deadline(campaign, kind: str) -> dt.date:
    return campaign.evaluation_deadline if kind == Kind.EVALUATION else campaign.acceptance_deadline


def is_late(application, today: dt.date) -> bool:
    """Phase 1 (评估) ends on the evaluation deadline, phase 2 (验收) on the acceptance deadline:
    late = decided after it, or still undecided once it has passed. An approved extension (延期申请)
    moves the enterprise's date: assessment.extensions.effective_due."""
    due = effective_due(application)
    if application.submitted_at is None:
        return False  # never submitted: not an application yet (the summary does not count it either)
    if application.status in FINAL:
        return application.result_date is not None and application.result_date > due
    return today > due


def superseded_q() -> Q:
    """A failed application the enterprise has since replaced with a new one of the same kind: the
    summaries count enterprises, so only the newest application of each enrolment and kind counts."""
    newer = Application.objects.filter(enrolment_id=OuterRef("enrolment_id"), kind=OuterRef("kind"),
                                       pk__gt=OuterRef("pk"))
    return Q(status=Status.FAILED) & Q(Exists(newer))


@dataclass
class Counts:
    applied: int = 0  # submitted at least once
    drafting: int = 0  # started, never submitted
    in_review: int = 0
    returned: int = 0
    passed: int = 0
    failed: int = 0
    late: int = 0

    @property
    def pending(self) -> int:
        return self.applied - self.passed - self.failed

    def add(self, other: Counts) -> None:
        for name in ("applied", "drafting", "in_review", "returned", "passed", "failed", "late"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SummaryRow:
    code: str
    name: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Summary:
    kind: str
    deadline: dt.date
    rows: list[SummaryRow]
    total: Counts
    group_label: str


def summary(user, campaign, kind: str, today: dt.date) -> Summary:
    """Counts per county (a branch, a city) or per city-level agency (the province): 3 queries."""
    due = deadline(campaign, kind)
    rows = (access.scope(user, Application.objects.filter(campaign=campaign, kind=kind))
            .exclude(superseded_q())
            .annotate(due=due_expr())  # the enterprise's date (assessment.extensions)
            .values("enrolment__enterprise__county_id", "status", "submitted_at", "result_date", "due")
            .annotate(n=Count("pk")))
    by_province = getattr(user, "role", None) in (Role.PROVINCE_STAFF, Role.PROVINCE_LEADER) \
        or getattr(user, "is_system", False)
    units = _units(by_province)
    grouped: dict[str, Counts] = defaultdict(Counts)
    for row in rows:
        county = row["enrolment__enterprise__county_id"]
        unit = units.get(county, (county, county))[0] if by_province else county
        c = grouped[unit]
        n, status = row["n"], row["status"]
        if row["submitted_at"] is None:
            c.drafting += n
            continue
        c.applied += n
        if status in IN_CHAIN:
            c.in_review += n
        elif status == Status.RETURNED:
            c.returned += n
        elif status == Status.PASSED:
            c.passed += n
        elif status == Status.FAILED:
            c.failed += n
        if (status in FINAL and row["result_date"] and row["result_date"] > row["due"]) or \
                (status not in FINAL and today > row["due"]):
            c.late += n
    names = _names(units, grouped, by_province)
    result = [SummaryRow(code, names.get(code, code), counts) for code, counts in sorted(grouped.items())]
    total = Counts()
    for row in result:
        total.add(row.counts)
    return Summary(kind, due, result, total, "设区市（省管县）" if by_province else "县（市、区）")


def _branches():
    return Agency.objects.filter(kind__in=BRANCH_AGENCY_KINDS).select_related("supervisor", "division")


def city_level(branch: Agency) -> Agency:
    """The city-level agency a branch reports through: its supervisor; a 省直管县 is its own."""
    if branch.kind == AgencyKind.DIRECT_COUNTY or branch.supervisor is None:
        return branch
    return branch.supervisor


def city_units() -> dict[str, dict]:
    """City-level agencies with the counties they report for ({code: {"agency", "counties"}}): one query."""
    units: dict[str, dict] = {}
    for branch in _branches():
        unit = city_level(branch)
        units.setdefault(unit.division_id, {"agency": unit, "counties": []})["counties"].append(branch.division_id)
    return units


def _units(by_province: bool) -> dict[str, tuple[str, str]]:
    """county code → (row code, row name): the city level for the province (named by its agency),
    else the county itself."""
    units = {}
    for branch in _branches():
        if by_province:
            unit = city_level(branch)
            units[branch.division_id] = (unit.division_id, unit.name)
        else:
            units[branch.division_id] = (branch.division_id, branch.division.name)
    return units


def _names(units, grouped, by_province) -> dict[str, str]:
    names = {code: name for code, name in units.values()}
    missing = [code for code in grouped if code not in names]
    if missing:
        from cpaudit.org.models import Division

        names.update(dict(Division.objects.filter(code__in=missing).values_list("code", "name")))
    return names
