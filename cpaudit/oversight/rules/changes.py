"""What changed after it was decided: confirmed steps reopened by the branch, and an enterprise's options
or figures changed within a few days after a decision on its application (the decision looked at the
numbers before the change).

A failed 评估 reopens step 27 by itself (applications.services.results): that is the chain's own
consequence, logged with the result, not a reopening by a person, and not counted here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from ..models import Rule
from .base import STEP_REOPENED, Context, FindingSpec, by_person

CONFIRMED = "progress.step.confirmed"


def _step_key(entry):
    data = entry.data if isinstance(entry.data, dict) else {}
    return data.get("enrolment"), data.get("step")


def reopened_steps(ctx: Context) -> list[FindingSpec]:
    from cpaudit.campaigns.models import Enrolment
    from cpaudit.progress.steps import step

    confirmed: dict[tuple, object] = {}
    hits = []
    for e in ctx.other_entries:
        if e.action == CONFIRMED:
            confirmed[_step_key(e)] = e
        elif e.action == STEP_REOPENED and by_person(e):
            hits.append((confirmed.get(_step_key(e)), e))
    if not hits:
        return []
    names = dict(Enrolment.objects.filter(pk__in={_step_key(e)[0] for _, e in hits})
                 .values_list("pk", "enterprise__name"))
    found = []
    for before, e in hits:
        enrolment, number = _step_key(e)
        reason = (e.data or {}).get("reason", "")
        found.append(FindingSpec(
            rule=Rule.REOPENED, key=f"reopened:{e.seq}", official_id=e.actor_id,
            summary=f"{e.actor_name}重新打开了{names.get(enrolment, '')}已核实的第{number}步"
                    f"（{step(number).name}）" + (f"，原因：{reason}" if reason else ""),
            details={"企业": names.get(enrolment, ""), "步骤": number, "原因": reason,
                     "核实时间": timezone.localtime(before.time).strftime("%Y-%m-%d %H:%M") if before else "（早于日志）",
                     "重新打开时间": timezone.localtime(e.time).strftime("%Y-%m-%d %H:%M")},
            log_seqs=[s for s in (before.seq if before else None, e.seq) if s]))
    return found


def figures_after_decision(ctx: Context) -> list[FindingSpec]:
    from cpaudit.core.logdisplay import action_label

    window = dt.timedelta(days=settings.CPAUDIT_ANOMALY_FIGURES_DAYS)
    enrolments = ctx.application_enrolments
    decided: dict[int, list] = defaultdict(list)  # enrolment → decision entries, in log order
    for e in ctx.decision_entries():
        enrolment = enrolments.get(int(e.object_id))
        if enrolment is not None:
            decided[enrolment].append(e)
    found = []
    for change in ctx.other_entries:
        if change.action not in {"progress.option.created", "progress.option.updated", "progress.figures.saved"}:
            continue
        enrolment = (change.data or {}).get("enrolment") if isinstance(change.data, dict) else None
        before = [d for d in decided.get(enrolment, ()) if d.seq < change.seq and change.time - d.time <= window]
        if not before:
            continue
        decision = before[-1]
        gap = change.time - decision.time
        found.append(FindingSpec(
            rule=Rule.FIGURES, key=f"figures:{change.seq}", official_id=decision.actor_id,
            summary=f"{decision.actor_name}{action_label(decision.action)}后{_days(gap)}，"
                    f"{change.actor_name}{action_label(change.action)}「{change.object_repr}」",
            details={"决定时间": timezone.localtime(decision.time).strftime("%Y-%m-%d %H:%M"),
                     "修改时间": timezone.localtime(change.time).strftime("%Y-%m-%d %H:%M"),
                     "间隔（小时）": round(gap.total_seconds() / 3600, 1),
                     "窗口（天）": settings.CPAUDIT_ANOMALY_FIGURES_DAYS},
            log_seqs=[decision.seq, change.seq]))
    return found


def _days(gap: dt.timedelta) -> str:
    if gap < dt.timedelta(days=1):
        return f"{int(gap.total_seconds() // 3600)}小时内"
    return f"{gap.days}天"
