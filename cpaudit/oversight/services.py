"""事后有督: business actions of the anomaly review and the working-day calendar.

- `anomaly_run` runs every rule (rules/) over the log and the decisions, on demand from the findings
  page or daily from the worker, and stores what they find by key: a new finding is created, a known
  one refreshed (its review stays), one no longer seen is marked as such. One log entry per run.
- `finding_review` marks a finding reviewed with a note (the audit administrator or the supervising
  level).
- `calendar_day_save` / `calendar_day_delete`: province and city staff keep the calendar of holidays
  and 调休 working days the off-hours rule reads.

Log codes: oversight.anomaly.run, oversight.finding.reviewed, oversight.calendar.saved,
oversight.calendar.deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.core.logdisplay import register
from cpaudit.integrity.supervision import provinces, supervision_of
from cpaudit.org import access
from cpaudit.org.models import User

from .models import CalendarDay, DayKind, Finding
from .rules import RULES
from .rules.base import Context

register("oversight.anomaly.run", "运行异常情况筛查",
         detail=lambda e: f"发现{(e.data or {}).get('found', 0)}条，其中新增{(e.data or {}).get('new', 0)}条")
register("oversight.finding.reviewed", "核查异常情况")
register("oversight.calendar.saved", "维护工作日历")
register("oversight.calendar.deleted", "删除工作日历中的特殊日期")

FINDING_FIELDS = ["summary", "details", "log_seqs", "official_id", "supervising_agency_id", "leaders_only",
                  "last_found_at", "present"]


@dataclass
class RunResult:
    counts: dict[str, int] = field(default_factory=dict)
    new: int = 0
    gone: int = 0

    @property
    def found(self) -> int:
        return sum(self.counts.values())


def _place(specs) -> None:
    """Each finding's supervising level, from its official (one query for all of them)."""
    ids = {s.official_id for s in specs if s.official_id}
    users = User.objects.select_related("agency__supervisor", "enterprise").in_bulk(ids) if ids else {}
    known = provinces()
    for spec in specs:
        person = users.get(spec.official_id) if not spec.province_leaders else None
        spec.supervision = supervision_of(person, known_provinces=known)


def find(now=None) -> tuple[list, dict[str, int]]:
    """What every rule finds now, each finding placed with its supervising level; a fixed number of
    queries whatever the number of decisions (tests/oversight pin it)."""
    ctx = Context(now or clock.server_now())
    specs, counts = [], {}
    for rule, run in RULES.items():
        found = run(ctx)
        counts[rule] = len(found)
        specs.extend(found)
    _place(specs)
    return specs, counts


@transaction.atomic
def anomaly_run(*, actor) -> RunResult:
    access.check(actor, "oversight.anomaly.run")
    now = clock.server_now()
    specs, counts = find(now)
    result = RunResult(counts=counts)
    existing = {f.key: f for f in Finding.objects.select_for_update().filter(key__in=[s.key for s in specs])}
    new, changed = [], []
    for spec in specs:
        values = {"summary": spec.summary, "details": spec.details, "log_seqs": sorted(set(spec.log_seqs)),
                  "official_id": spec.official_id, "supervising_agency_id": getattr(spec.supervision.agency, "pk", None),
                  "leaders_only": spec.supervision.leaders_only, "last_found_at": now, "present": True}
        finding = existing.get(spec.key)
        if finding is None:
            new.append(Finding(rule=spec.rule, key=spec.key, first_found_at=now, **values))
            continue
        for name, value in values.items():
            setattr(finding, name, value)
        changed.append(finding)
    Finding.objects.bulk_create(new, batch_size=500)
    Finding.objects.bulk_update(changed, FINDING_FIELDS, batch_size=500)
    result.new = len(new)
    result.gone = Finding.objects.filter(present=True).exclude(key__in=[s.key for s in specs]).update(present=False)
    log_action(actor=actor, action="oversight.anomaly.run", object_type="oversight.finding", data={
        "counts": {str(k): v for k, v in result.counts.items()}, "found": result.found, "new": result.new,
        "no_longer_found": result.gone})
    return result


@transaction.atomic
def finding_review(*, actor, finding: Finding, note: str) -> Finding:
    access.check(actor, "oversight.finding.review", finding)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.reviewed:
        raise InvalidState(f"该异常情况已由{finding.reviewed_by}于{finding.reviewed_at:%Y-%m-%d}核查", code="reviewed")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请写明核查情况（如：经核实属正常办理，原因是……）"})
    finding.reviewed_by, finding.reviewed_at, finding.review_note = actor, clock.server_now(), note
    finding.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    log_action(actor=actor, action="oversight.finding.reviewed", obj=finding,
               data={"rule": finding.rule, "key": finding.key, "note": note, "official": finding.official_id})
    return finding


CALENDAR_FIELDS = ["date", "kind", "name", "source"]


@transaction.atomic
def calendar_day_save(*, actor, date: dt.date | None, kind: str, name: str, source: str = "") -> CalendarDay:
    """Add a special day, or change the one on that date."""
    access.check(actor, "oversight.calendar.change")
    name, source = (name or "").strip(), (source or "").strip()
    errors = {}
    if date is None:
        errors["date"] = "请填写日期"
    if kind not in DayKind.values:
        errors["kind"] = "请选择放假或上班"
    if not name:
        errors["name"] = "请填写名称（如：国庆节、国庆节调休上班）"
    if errors:
        raise ValidationError(errors)
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    created = day is None
    day = day or CalendarDay(date=date)
    before = {} if created else snapshot(day, CALENDAR_FIELDS)
    day.kind, day.name, day.source = kind, name[:50], source[:200]
    changes = diff(before, snapshot(day, CALENDAR_FIELDS))
    if not changes:
        return day
    day.updated_by, day.updated_at = actor, clock.server_now()
    day.save()
    log_action(actor=actor, action="oversight.calendar.saved", obj=day, changes=changes)
    return day


@transaction.atomic
def calendar_day_delete(*, actor, day: CalendarDay) -> None:
    access.check(actor, "oversight.calendar.change")
    day = CalendarDay.objects.select_for_update().get(pk=day.pk)
    before = snapshot(day, CALENDAR_FIELDS)
    log_action(actor=actor, action="oversight.calendar.deleted", obj=day, changes=diff(before, {}))
    day.delete()

