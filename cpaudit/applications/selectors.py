"""Reads of applications: the list a user works from, what awaits them, and the roll-up of results
(branch → city → province) per campaign and phase. Each is a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from cpaudit.org import access
from cpaudit.org.models import Agency
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, AgencyKind, Role

from .models import EDITABLE, FINAL, IN_CHAIN, Application, Kind, Status


def applications(user, **filters):
    return (access.scope(user, Application.objects.filter(**filters))
            .select_related("enrolment__enterprise__county", "campaign", "organizer")
            .order_by("enrolment__enterprise__county_id", "enrolment__enterprise__name", "kind"))


# State → the role whose turn it is; the organizer's states also need the actor's agency to organize.
TURN = {
    Status.BRANCH_REVIEW: Role.BRANCH_STAFF, Status.BRANCH_APPROVAL: Role.BRANCH_LEADER,
    Status.BRANCH_BATCH: Role.BRANCH_LEADER, Status.CITY_REVIEW: Role.CITY_STAFF,
    Status.CITY_APPROVAL: Role.CITY_LEADER, Status.CITY_BATCH: Role.CITY_LEADER,
    Status.PROVINCE_REVIEW: Role.PROVINCE_STAFF, Status.PROVINCE_APPROVAL: Role.PROVINCE_LEADER,
}
ORGANIZER_TURN = {Status.ORGANIZING: {Role.BRANCH_STAFF, Role.CITY_STAFF, Role.PROVINCE_STAFF},
                  Status.RESULT_PENDING: {Role.BRANCH_LEADER, Role.CITY_LEADER, Role.PROVINCE_LEADER}}


def todo_q(user) -> Q | None:
    """What awaits the user (None: nothing can). Within scope, by the user's role and agency."""
    role = getattr(user, "role", None)
    if role == Role.ENTERPRISE:
        return Q(status__in=EDITABLE)
    if role == Role.CONSULTANT:
        return Q(status__in=EDITABLE)
    if role == Role.EXPERT:
        return Q(status=Status.ORGANIZING)
    states = [s for s, r in TURN.items() if r == role]
    q = Q(status__in=states) if states else Q(pk__in=[])
    organizing = [s for s, roles in ORGANIZER_TURN.items() if role in roles]
    if organizing and getattr(user, "agency_id", None):
        q |= Q(status__in=organizing, organizer_id=user.agency_id)
    return q


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
    late = decided after it, or still undecided once it has passed."""
    due = deadline(application.campaign, application.kind)
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
            .values("enrolment__enterprise__county_id", "status", "submitted_at", "result_date")
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
        if (status in FINAL and row["result_date"] and row["result_date"] > due) or \
                (status not in FINAL and today > due):
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
