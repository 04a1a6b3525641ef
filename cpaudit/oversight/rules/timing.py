"""When decisions were taken: too soon after the item reached the desk, or outside working time.

Times are the log's (the server clock, never pinned). The item reached the desk with the previous move
of the same item: an application's previous status move (its submission, the review before, the batch
that forwarded it), a report's submission or correction, a step's recording or newest evidence.

A record whose own time disagrees with its log entry by more than an hour was made under a pinned
business clock (the demo's story, tests: `clock.frozen`, `CPAUDIT_TODAY`; production cannot pin it):
its times tell a story, not when someone acted, and these two rules leave it alone.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from ..calendar import Calendar
from ..models import Rule
from .base import (
    DRAWS,
    REPORT,
    REPORT_ARRIVALS,
    REPORT_DECISIONS,
    SCORES,
    STEP_ARRIVALS,
    STEP_DECISIONS,
    STEP_REOPENED,
    Context,
    FindingSpec,
    by_person,
)

TOLERANCE = dt.timedelta(hours=1)
LABELS = {"reports.report.submitted": "审批并报送月度报告", "reports.report.accepted": "接收月度报告",
          "reports.report.returned": "退回月度报告", "progress.step.confirmed": "核实审核步骤",
          "progress.step.returned": "退回审核步骤", "progress.step.reopened": "重新打开已核实的步骤",
          "experts.score.submitted": "提交专家评分", "experts.score.resubmitted": "修改专家评分",
          "experts.panel.drawn": "抽取专家组", "experts.panel.redrawn": "重新抽取专家组"}


def _label(entry) -> str:
    from cpaudit.core.logdisplay import action_label

    return LABELS.get(entry.action) or action_label(entry.action)


def _latest(entries, key) -> dict:
    latest: dict = {}
    for e in entries:
        k = key(e)
        if k is not None and (k not in latest or e.time > latest[k]):
            latest[k] = e.time
    return latest


def _apart(a, b) -> bool:
    return a is not None and b is not None and abs(a - b) > TOLERANCE


def pinned_objects(ctx: Context) -> set[tuple[str, str]]:
    """(object type, object id) of the records whose stored time disagrees with their log entries."""
    from cpaudit.applications.models import Decision
    from cpaudit.experts.models import Panel, Score
    from cpaudit.reports.models import ReportVersion

    pinned = set()
    # Applications: the newest Decision (a row per decision entry, paper replies included).
    recorded = dict(Decision.objects.values("application_id").annotate(last=Max("decided_at"))
                    .values_list("application_id", "last"))
    logged = _latest([e for e in ctx.application_entries if e.action not in ctx.batch_codes
                      and e.action not in {"applications.application.submitted", "applications.application.resubmitted"}],
                     lambda e: int(e.object_id))
    pinned |= {("applications.application", str(k)) for k, t in logged.items() if _apart(recorded.get(k), t)}
    others = ctx.other_entries
    versions = dict(ReportVersion.objects.values("report_id").annotate(last=Max("submitted_at"))
                    .values_list("report_id", "last"))
    logged = _latest([e for e in others if e.action in REPORT_ARRIVALS], lambda e: int(e.object_id))
    pinned |= {(REPORT, str(k)) for k, t in logged.items() if _apart(versions.get(k), t)}
    for model, codes in ((Score, SCORES), (Panel, DRAWS)):
        field = "submitted_at" if model is Score else "drawn_at"
        stored = dict(model.objects.values_list("pk", field))
        logged = _latest([e for e in others if e.action in codes], lambda e: int(e.object_id))
        pinned |= {(model._meta.label_lower, str(k)) for k, t in logged.items() if _apart(stored.get(k), t)}
    return pinned


def _step_key(entry):
    data = entry.data if isinstance(entry.data, dict) else {}
    return (data.get("enrolment"), data.get("step")) if data.get("enrolment") else None


def _minutes(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 60}分{seconds % 60}秒"


def _sequences(ctx: Context):
    """(arrival entry, decision entry) pairs for the quick rule, per item, in log order."""
    last: dict = {}
    for e in ctx.application_entries:
        key = ("application", e.object_id)
        if e.action in ctx.decision_codes and by_person(e) and key in last:
            yield last[key], e
        last[key] = e
    last = {}
    for e in ctx.other_entries:
        if e.action in REPORT_ARRIVALS | REPORT_DECISIONS:
            key = ("report", e.object_id)
            if e.action in REPORT_DECISIONS and by_person(e) and key in last:
                yield last[key], e
            if e.action in REPORT_ARRIVALS:
                last[key] = e
        elif e.action in STEP_ARRIVALS | STEP_DECISIONS:
            key = ("step", _step_key(e))
            if e.action in STEP_DECISIONS and by_person(e) and key in last:
                yield last[key], e
            if e.action in STEP_ARRIVALS:
                last[key] = e


def quick_decisions(ctx: Context) -> list[FindingSpec]:
    limit = dt.timedelta(minutes=settings.CPAUDIT_ANOMALY_QUICK_MINUTES)
    pinned = _pinned(ctx)
    found = []
    for arrival, decision in _sequences(ctx):
        if (decision.object_type, decision.object_id) in pinned:
            continue
        gap = decision.time - arrival.time
        if gap >= limit:
            continue
        found.append(FindingSpec(
            rule=Rule.QUICK, key=f"quick:{decision.seq}", official_id=decision.actor_id,
            summary=f"{decision.actor_name}在事项到达后{_minutes(gap)}即{_label(decision)}"
                    f"（少于{settings.CPAUDIT_ANOMALY_QUICK_MINUTES}分钟）",
            details={"到达时间": timezone.localtime(arrival.time).strftime("%Y-%m-%d %H:%M:%S"),
                     "决定时间": timezone.localtime(decision.time).strftime("%Y-%m-%d %H:%M:%S"),
                     "间隔（秒）": int(gap.total_seconds()), "阈值（分钟）": settings.CPAUDIT_ANOMALY_QUICK_MINUTES},
            log_seqs=[arrival.seq, decision.seq]))
    return found


def off_hours(ctx: Context) -> list[FindingSpec]:
    judged = ctx.decision_entries()
    judged += [e for e in ctx.other_entries if e.action in REPORT_DECISIONS | {"reports.report.submitted"}
               | STEP_DECISIONS | {STEP_REOPENED} | SCORES | DRAWS and by_person(e)]
    if not judged:
        return []
    pinned = _pinned(ctx)
    days = [timezone.localdate(e.time) for e in judged]
    calendar = Calendar(min(days), max(days))
    found = []
    for e in sorted(judged, key=lambda e: e.seq):
        if (e.object_type, e.object_id) in pinned:
            continue
        why = calendar.outside(e.time)
        if why is None:
            continue
        local = timezone.localtime(e.time)
        found.append(FindingSpec(
            rule=Rule.OFF_HOURS, key=f"off_hours:{e.seq}", official_id=e.actor_id,
            summary=f"{e.actor_name}于{local:%Y-%m-%d %H:%M}（{why}）{_label(e)}",
            details={"时间": local.strftime("%Y-%m-%d %H:%M:%S"), "说明": why,
                     "工作时间": settings.CPAUDIT_WORKING_HOURS},
            log_seqs=[e.seq]))
    return found


def _pinned(ctx: Context) -> set[tuple[str, str]]:
    if "pinned" not in ctx.memo:
        ctx.memo["pinned"] = pinned_objects(ctx)
    return ctx.memo["pinned"]
