"""What every anomaly rule shares: the finding it yields, the decisions as the log records them, and
the data read once per run (each piece one query, whatever the number of decisions).

The decisions judged are the people's own: a decision recorded from a paper reply (据来文录入,
`Decision.transcribed`, log data "signer") is the recorder's transcription, not a decision taken in
the platform, and every rule skips it; so do entries written by system actors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from cpaudit.core.models import ActionLog

APPLICATION = "applications.application"
REPORT = "reports.monthlyreport"
STEP = "progress.steprecord"
REPORT_ARRIVALS = {"reports.report.submitted", "reports.report.corrected"}
REPORT_DECISIONS = {"reports.report.accepted", "reports.report.returned"}
STEP_ARRIVALS = {"progress.step.recorded", "progress.evidence.uploaded"}
STEP_DECISIONS = {"progress.step.confirmed", "progress.step.returned"}
STEP_REOPENED = "progress.step.reopened"
SCORES = {"experts.score.submitted", "experts.score.resubmitted"}
DRAWS = {"experts.panel.drawn", "experts.panel.redrawn"}
CHANGES = {"progress.option.created", "progress.option.updated", "progress.figures.saved"}
ENTRY_FIELDS = ("seq", "time", "actor_id", "actor_name", "action", "object_type", "object_id", "object_repr", "data",
                "changes")


@dataclass
class FindingSpec:
    """One finding as a rule sees it; services.anomaly_run stores it (by `key`)."""

    rule: str
    key: str
    summary: str
    details: dict = field(default_factory=dict)
    log_seqs: list[int] = field(default_factory=list)
    official_id: int | None = None
    # False: the official's supervising level (integrity.supervision); True: the province's leaders.
    province_leaders: bool = False
    supervision: object = None  # integrity.supervision.Supervision, set when the finding is stored


def is_transcribed(entry) -> bool:
    return isinstance(entry.data, dict) and bool(entry.data.get("signer"))


def by_person(entry) -> bool:
    return entry.actor_id is not None and not is_transcribed(entry)


def application_codes() -> tuple[set[str], set[str], set[str]]:
    """(decisions taken in the platform, batch submissions, every status move) of the application chain,
    read from its table (applications.transitions)."""
    from cpaudit.applications import transitions

    rows = [r for r in transitions.TRANSITIONS if r.party != transitions.ENTERPRISE]
    decisions = {r.log for r in rows if not r.paper and r.page != transitions.BATCH}
    batches = {r.log for r in rows if not r.paper and r.page == transitions.BATCH}
    return decisions, batches, {r.log for r in transitions.TRANSITIONS}


class Context:
    """The data of one run, each loaded on first use."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.memo: dict = {}  # results shared between rules (e.g. the pinned records)
        self.decision_codes, self.batch_codes, self.move_codes = application_codes()

    @cached_property
    def application_entries(self) -> list:
        """Every status move of every application, in log order (one query)."""
        return list(ActionLog.objects.filter(object_type=APPLICATION, action__in=sorted(self.move_codes))
                    .only(*ENTRY_FIELDS).order_by("seq"))

    @cached_property
    def other_entries(self) -> list:
        """Reports, steps, evidence, scores, draws, options and figures entries, in log order (one query)."""
        codes = REPORT_ARRIVALS | REPORT_DECISIONS | STEP_ARRIVALS | STEP_DECISIONS | {STEP_REOPENED} | SCORES \
            | DRAWS | CHANGES
        return list(ActionLog.objects.filter(action__in=sorted(codes)).only(*ENTRY_FIELDS).order_by("seq"))

    def decision_entries(self) -> list:
        """The application decisions people took in the platform (batches included)."""
        codes = self.decision_codes | self.batch_codes
        return [e for e in self.application_entries if e.action in codes and by_person(e)]

    @cached_property
    def decisions(self) -> list:
        """Decision rows taken in the platform: (application id, actor id, agency id, step, enterprise id,
        consulting agency id, decided at) — one query."""
        from cpaudit.applications.models import Decision

        return list(Decision.objects.filter(transcribed=False).values_list(
            "application_id", "actor_id", "agency_id", "step", "application__enrolment__enterprise_id",
            "application__enrolment__consulting_agency_id", "decided_at"))

    @cached_property
    def application_enrolments(self) -> dict[int, int]:
        """application id → enrolment id (one query)."""
        from cpaudit.applications.models import Application

        return dict(Application.objects.values_list("pk", "enrolment_id"))

    def entries_of(self, actions: set[str], object_ids=None) -> list:
        wanted = {str(i) for i in object_ids} if object_ids is not None else None
        return [e for e in self.application_entries
                if e.action in actions and (wanted is None or e.object_id in wanted)]
