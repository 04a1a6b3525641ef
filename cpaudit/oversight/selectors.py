"""Read paths of the anomaly review and the per-official record. Findings are seen by the audit
administrator and by the supervising level of the official concerned (integrity.supervision), never by
that official; a page costs a fixed number of queries whatever the number of findings or entries.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cpaudit.core.models import ActionLog
from cpaudit.integrity.selectors import hide_log_entries
from cpaudit.integrity.supervision import supervised_officials_q, visible_q
from cpaudit.org import access
from cpaudit.org.models import User

from .models import Finding

RECORD_DECISION, RECORD_RETURN, RECORD_REOPEN, RECORD_OVERRIDE = "决定", "退回", "重新打开", "变更或例外处理"
# Codes outside the application chain (whose codes come from applications.transitions).
OTHER_DECISIONS = {"reports.report.submitted", "reports.report.accepted", "progress.step.confirmed",
                   "experts.score.submitted", "experts.panel.drawn"}
OTHER_RETURNS = {"reports.report.returned", "progress.step.returned"}
REOPENINGS = {"progress.step.reopened"}
# A decision taken again or a check set aside: a redraw, a changed score, a corrected report.
OVERRIDES = {"experts.panel.redrawn", "experts.score.resubmitted", "reports.report.corrected"}


def finding_scope(user, qs: QuerySet) -> QuerySet:
    if getattr(user, "is_system", False):
        return qs
    if not access.allowed(user, "oversight.finding.view"):
        return qs.none()
    q = visible_q(user, named_field="official")
    return qs.none() if q is None else qs.filter(q)


def findings(user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = finding_scope(user, Finding.objects.all()).select_related("official", "supervising_agency", "reviewed_by")
    if filters.get("rule"):
        qs = qs.filter(rule=filters["rule"])
    status = filters.get("status")
    if status == "open":
        qs = qs.filter(reviewed_at__isnull=True, present=True)
    elif status == "reviewed":
        qs = qs.filter(reviewed_at__isnull=False)
    elif status == "gone":
        qs = qs.filter(present=False)
    if filters.get("q"):
        text = filters["q"]
        qs = qs.filter(Q(summary__contains=text) | Q(official__full_name__contains=text)
                       | Q(official__username=text))
    return qs.order_by("reviewed_at", "-last_found_at", "-pk")


def finding_entries(user, finding: Finding) -> list:
    """The log entries behind a finding (whoever sees the finding sees them, as its evidence)."""
    return list(hide_log_entries(user, ActionLog.objects.filter(seq__in=finding.log_seqs or [])).order_by("seq"))


# --- the per-official record -----------------------------------------------------------------------

def officials(user, text: str = "") -> QuerySet:
    """The officials and experts whose record `user` may open."""
    q = supervised_officials_q(user)
    if q is None:
        return User.objects.none()
    qs = User.objects.filter(q).select_related("agency")
    if text:
        qs = qs.filter(Q(full_name__contains=text) | Q(username__contains=text) | Q(agency__name__contains=text))
    return qs.order_by("agency__division_id", "agency_id", "role", "pk")


def record_codes() -> dict[str, str]:
    """Action code → category of the per-official record."""
    from cpaudit.oversight.rules.base import application_codes

    decisions, batches, moves = application_codes()
    from cpaudit.applications import transitions

    paper = {r.log for r in transitions.TRANSITIONS if r.paper}
    codes = {code: RECORD_DECISION for code in decisions | batches | paper | OTHER_DECISIONS}
    codes.update({code: RECORD_RETURN for code in OTHER_RETURNS | {"applications.application.result_sent_back"}})
    codes.update({code: RECORD_REOPEN for code in REOPENINGS})
    codes.update({code: RECORD_OVERRIDE for code in OVERRIDES})
    return codes


def category(entry, codes: dict[str, str]) -> str | None:
    data = entry.data if isinstance(entry.data, dict) else {}
    if data.get("uscc_check_accepted"):
        return RECORD_OVERRIDE
    found = codes.get(entry.action)
    if found == RECORD_DECISION and data.get("outcome") == "return":
        return RECORD_RETURN
    return found


def official_record(viewer, person) -> tuple[list, list]:
    """(log rows [(entry, category)], Decision rows) of everything `person` decided, returned, reopened
    or took again, oldest first. Three queries."""
    from cpaudit.applications.models import Decision

    codes = record_codes()
    entries = hide_log_entries(viewer, ActionLog.objects.filter(actor_id=person.pk).filter(
        Q(action__in=sorted(codes)) | Q(data__uscc_check_accepted=True))).order_by("seq")
    rows = [(e, category(e, codes)) for e in entries]
    decisions = list(Decision.objects.filter(actor_id=person.pk).select_related(
        "application__enrolment__enterprise", "version", "agency").order_by("decided_at", "pk"))
    return rows, decisions
