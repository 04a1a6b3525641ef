"""Reads of the assessment app: who sees which circulars and summons, the lists, and the consulting
agencies' record. Each is a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, Min, Q

from cpaudit.applications.models import Application, Kind, Status
from cpaudit.campaigns.models import AuditMode, Campaign, Enrolment
from cpaudit.org import access
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.org.roles import GOVERNMENT_ROLES
from cpaudit.progress.models import StepRecord, StepStatus
from cpaudit.progress.selectors.dashboards import completed_steps_expr, last_moved_expr, reached_stage_expr
from cpaudit.progress.steps import stages
from cpaudit.registry.models import ConsultingAgency

from . import hooks
from .models import Circular, CircularStatus, Extension, ExtensionStatus, Summons, Suspension

# --- scopes (cpaudit.org.access._SCOPES) ------------------------------------------------------------

def _supervisors(agency) -> list[int]:
    ids, current = [], agency.supervisor
    while current is not None and len(ids) < 3:
        ids.append(current.pk)
        current = current.supervisor
    return ids


def circular_scope(user, qs):
    """Its own agency's circulars in any state; issued ones of the agencies above it; issued ones of
    the agencies within its jurisdiction (the province sees the cities')."""
    if getattr(user, "is_system", False):
        return qs
    if getattr(user, "role", None) not in GOVERNMENT_ROLES or not user.agency_id:
        return qs.none()
    jur = jurisdiction_of(user)
    issued = Q(status=CircularStatus.ISSUED) & (Q(agency_id__in=_supervisors(user.agency)) | (
        jur.q("agency__division__code") if jur.prefix is not None else Q(pk__in=[])))
    return qs.filter(Q(agency_id=user.agency_id) | issued)


def summons_scope(user, qs):
    """The summoning agency's people, the summoned unit's, and the levels whose jurisdiction covers it."""
    if getattr(user, "is_system", False):
        return qs
    if getattr(user, "role", None) not in GOVERNMENT_ROLES or not user.agency_id:
        return qs.none()
    jur = jurisdiction_of(user)
    q = Q(agency_id=user.agency_id) | Q(summoned_id=user.agency_id)
    if not jur.empty:
        q |= jur.q("summoned__division__code")
    return qs.filter(q)


# --- lists ------------------------------------------------------------------------------------------

def circulars(user):
    return access.scope(user, Circular.objects.select_related("campaign", "agency", "prepared_by", "issued_by"))


def summonses(user):
    return access.scope(user, Summons.objects.select_related("campaign", "agency", "summoned", "decided_by"))


def extensions(user, **filters):
    return access.scope(user, Extension.objects.filter(**filters)).select_related(
        "enrolment__enterprise__county", "enrolment__campaign", "requested_by")


def extension_todo_q(user) -> Q | None:
    role = getattr(user, "role", None)
    if access.allowed(user, "assessment.extension.branch_decide") and role in GOVERNMENT_ROLES:
        return Q(status=ExtensionStatus.BRANCH_PENDING)
    if access.allowed(user, "assessment.extension.city_decide") and role in GOVERNMENT_ROLES:
        return Q(status=ExtensionStatus.CITY_PENDING)
    return None


def public_circulars(campaign) -> list[Circular]:
    """Issued circulars marked for the public (the disclosure page): title, 文号, unit, date. One query."""
    return list(Circular.objects.filter(campaign=campaign, status=CircularStatus.ISSUED, for_public=True)
                .select_related("agency").order_by("-issued_at", "-pk"))


# --- consulting agencies' record ---------------------------------------------------------------------

@dataclass
class Client:
    enrolment: Enrolment
    reached_stage: int
    completed_steps: int
    stalled: bool
    durations: dict[int, int] = field(default_factory=dict)  # stage → days it took
    medians: dict[int, float] = field(default_factory=dict)  # the campaign's median per stage
    slow_stages: list[int] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    flags: int = 0


@dataclass
class AgencyRecord:
    agency: ConsultingAgency
    clients: list[Client] = field(default_factory=list)
    passed: int = 0
    failed: int = 0
    flags: int = 0
    findings: int = 0
    suspension: Suspension | None = None
    points: int = 100
    grade: str = ""
    deductions: dict[str, int] = field(default_factory=dict)

    @property
    def stalled(self) -> int:
        return sum(1 for c in self.clients if c.stalled)

    @property
    def slow_stages(self) -> int:
        return sum(len(c.slow_stages) for c in self.clients)


SLOW_FACTOR = 1.5  # a stage that took more than this times the campaign's median is slow


def grade_of(points: int) -> str:
    for grade, floor in settings.CPAUDIT_AGENCY_CREDIT["grades"]:
        if points >= floor:
            return grade
    return settings.CPAUDIT_AGENCY_CREDIT["grades"][-1][0]


def _durations(campaign_ids) -> dict[tuple[int, int], int]:
    """(enrolment, stage) → days from the stage's first start to its last completion, for completed
    stages of the campaigns' enrolments. One query."""
    rows = (StepRecord.objects.filter(enrolment__campaign_id__in=campaign_ids)
            .values("enrolment_id", "step__stage")
            .annotate(start=Min("start_date"), end=Max("completion_date"),
                      done=Count("pk", filter=Q(status=StepStatus.COMPLETED))))
    sizes = {s.number: len(s.steps) for s in stages()}
    out = {}
    for row in rows:
        if row["done"] == sizes[row["step__stage"]] and row["start"] and row["end"]:
            out[(row["enrolment_id"], row["step__stage"])] = max((row["end"] - row["start"]).days, 0)
    return out


def agency_records(user, today: dt.date, agency_id: int | None = None) -> list[AgencyRecord]:
    """Every consulting agency (or one) with its clients in the user's scope (active campaigns),
    their stages, stage durations against the campaign median, results, consistency flags, spot-check
    findings, suspension and credit grade. Ten queries whatever the number of clients."""
    from cpaudit.progress.selectors.consistency import flags_for_enrolments

    agencies = access.scope(user, ConsultingAgency.objects.all()).order_by("name")
    if agency_id is not None:
        agencies = agencies.filter(pk=agency_id)
    records = {a.pk: AgencyRecord(a) for a in agencies}
    enrolments = list(access.scope(user, Enrolment.objects.filter(
        consulting_agency_id__in=list(records), mode=AuditMode.ENTRUSTED, campaign__status=Campaign.Status.ACTIVE))
        .select_related("enterprise__county", "campaign")
        .annotate(reached_stage=reached_stage_expr(), completed_steps=completed_steps_expr(),
                  last_moved=last_moved_expr())
        .order_by("consulting_agency_id", "enterprise__name"))
    campaign_ids = sorted({e.campaign_id for e in enrolments})
    durations = _durations(campaign_ids)
    by_campaign: dict[tuple[int, int], list[int]] = {}
    campaign_of = dict(Enrolment.objects.filter(campaign_id__in=campaign_ids).values_list("pk", "campaign_id"))
    for (enrolment_id, stage), days in durations.items():
        by_campaign.setdefault((campaign_of.get(enrolment_id), stage), []).append(days)
    medians = {key: statistics.median(values) for key, values in by_campaign.items()}
    ids = [e.pk for e in enrolments]
    results: dict[int, list[str]] = {}
    outcomes: dict[int, list[str]] = {}
    for app in (Application.objects.filter(enrolment_id__in=ids, status__in=[Status.PASSED, Status.FAILED])
                .order_by("enrolment_id", "-kind", "pk")):  # 评估 before 验收
        results.setdefault(app.enrolment_id, []).append(f"{Kind(app.kind).label}{app.result_label}")
        outcomes.setdefault(app.enrolment_id, []).append(app.status)
    flags = flags_for_enrolments(ids) if ids else {}
    findings = hooks.spotcheck_findings_by_agency(list(records))
    suspensions = {s.consulting_agency_id: s for s in Suspension.objects.filter(
        consulting_agency_id__in=list(records), lifted_at__isnull=True).select_related("started_by")}
    for e in enrolments:
        record = records[e.consulting_agency_id]
        cutoff = today - dt.timedelta(days=e.campaign.stale_days)
        client = Client(
            enrolment=e, reached_stage=e.reached_stage, completed_steps=e.completed_steps,
            stalled=e.completed_steps < 35 and e.last_moved.date() < cutoff,
            results=results.get(e.pk, []), flags=len(flags.get(e.pk, [])))
        for s in stages():
            days = durations.get((e.pk, s.number))
            median = medians.get((e.campaign_id, s.number))
            if days is None:
                continue
            client.durations[s.number], client.medians[s.number] = days, median
            if median and days > SLOW_FACTOR * median:
                client.slow_stages.append(s.number)
        record.clients.append(client)
        record.flags += client.flags
        record.passed += outcomes.get(e.pk, []).count(Status.PASSED)
        record.failed += outcomes.get(e.pk, []).count(Status.FAILED)
    weights = settings.CPAUDIT_AGENCY_CREDIT["deductions"]
    for record in records.values():
        record.findings = findings.get(record.agency.pk, 0)
        record.suspension = suspensions.get(record.agency.pk)
        record.deductions = {
            "failed": weights["failed"] * record.failed, "slow_stage": weights["slow_stage"] * record.slow_stages,
            "stalled": weights["stalled"] * record.stalled, "consistency_flag": weights["consistency_flag"] * record.flags,
            "spotcheck_finding": weights["spotcheck_finding"] * record.findings}
        record.points = max(0, 100 - sum(record.deductions.values()))
        record.grade = grade_of(record.points)
    return list(records.values())


DEDUCTION_LABELS = {"failed": "评估/验收未通过", "slow_stage": "阶段用时超过批次中位数1.5倍", "stalled": "客户企业停滞",
                    "consistency_flag": "数据一致性提示", "spotcheck_finding": "抽查发现问题"}
