"""The content of a results summary (评估/验收结果汇总): a frozen, JSON-safe dict built from the
applications on the day it is built (the submission day for a version).

Schema 1::

    {
      "schema": 1, "type": "results",
      "level": "branch" | "city",
      "kind": "evaluation" | "acceptance", "phase": "评估" | "验收",
      "unit": str, "addressee": str,          # the reporting agency, the agency above it ("" if none)
      "title": str, "document_number": str,
      "campaign": {...},                      # content.campaign_part: name, 省级文号, the notice cited
      "year": int,                            # the campaign's year
      "deadline": "YYYY-MM-DD",               # the phase's hard date (评估 08-20, 验收 11-20 in the seed)
      "as_of": "YYYY-MM-DD", "date": "YYYY-MM-DD",
      "labels": {"passed": "通过"|"合格", "failed": "不通过"|"不合格"},
      "counts": {"applied", "passed", "failed", "pending", "late"},
      "enterprises": [{"name", "county", "county_name", "organizer", "stage", "result", "result_date",
                       "late"}],             # by county, then name
      "rows": [{"county", "name", "counts"}], # city: one per county (its branches' and any with applications)
      "sections": [{"unit", "state", "accepted", "title", "blocks"}],   # city: each supervised branch's
      "remarks": str, "version": int | None, "prepared_by": str, "submitted_by": str,
      "blocks": [...],                        # the wording (results_document.py)
    }

Which applications, and the counts: exactly those of applications.selectors.summary for the same
counties — submitted at least once, the newest per enterprise (a failed one replaced by a new one is
not counted); pending = applied − passed − failed; late = decided after the deadline, or undecided
once it has passed (selectors.is_late). A test compares the two.
"""

from __future__ import annotations

import datetime as dt

from cpaudit.applications.models import FINAL, RESULT_LABELS, Application, Kind, Status
from cpaudit.applications.selectors import deadline, is_late, superseded_q
from cpaudit.assessment.extensions import due_expr
from cpaudit.org.jurisdiction import agency_counties
from cpaudit.org.models import Division
from cpaudit.org.roles import AgencyKind

from . import document
from .content import _person, campaign_part, supervised_branches
from .models import ResultsLevel, ResultsSummary

SCHEMA = 1
PENDING = "未出结论"
COUNT_KEYS = ("applied", "passed", "failed", "pending", "late")


def phase(kind: str) -> str:
    return Kind(kind).label


def labels(kind: str) -> dict:
    """通过/不通过 for 评估, 合格/不合格 for 验收 (domain README § 5)."""
    return {"passed": RESULT_LABELS[kind][True], "failed": RESULT_LABELS[kind][False]}


def title(unit: str, campaign, kind: str) -> str:
    return f"{unit}关于{campaign.year}年清洁生产审核{phase(kind)}结果汇总情况的报告"


def level_of(agency) -> str:
    """A city-level agency consolidates; a county branch or a 省直管县 summarizes its own enterprises."""
    return ResultsLevel.CITY if agency.kind == AgencyKind.CITY else ResultsLevel.BRANCH


def counties_of(agency) -> list[str]:
    """The counties the agency answers for (as a user of it sees them: org.jurisdiction)."""
    return sorted(agency_counties(agency).counties)


# --- the applications ------------------------------------------------------------------------------

def entries(campaign, kind: str, counties: list[str], today: dt.date, city_name: str = "") -> list[dict]:
    """One row per enterprise that applied, by county then name. One query."""
    apps = (Application.objects.filter(campaign=campaign, kind=kind, submitted_at__isnull=False,
                                       enrolment__enterprise__county_id__in=counties)
            .exclude(superseded_q())
            .annotate(effective_due=due_expr())  # an approved extension moves the date (is_late)
            .select_related("campaign", "organizer", "enrolment__enterprise__county")
            .order_by("enrolment__enterprise__county_id", "enrolment__enterprise__name", "pk"))
    rows = []
    for app in apps:
        enterprise = app.enrolment.enterprise
        final = app.status in FINAL and app.passed is not None
        rows.append({
            "name": enterprise.name, "county": enterprise.county_id, "county_name": enterprise.county.name,
            "organizer": document.short_unit(app.organizer.name, city_name) if app.organizer else "",
            "stage": "" if final else app.get_status_display(),
            "result": app.result_label if final else PENDING,
            "result_date": app.result_date.isoformat() if final and app.result_date else "",
            "late": is_late(app, today), "status": app.status,
        })
    return rows


def counts(rows: list[dict]) -> dict:
    passed = sum(1 for r in rows if r["status"] == Status.PASSED)
    failed = sum(1 for r in rows if r["status"] == Status.FAILED)
    return {"applied": len(rows), "passed": passed, "failed": failed, "pending": len(rows) - passed - failed,
            "late": sum(1 for r in rows if r["late"])}


def _by_county(agency, campaign, rows: list[dict]) -> list[dict]:
    """A row per county: the supervised branches in the campaign (zeros included), and any other county
    with applications, by code."""
    codes = {b.division_id for b in supervised_branches(agency, campaign)} | {r["county"] for r in rows}
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return [{"county": code, "name": names.get(code, code), "counts": counts([r for r in rows if r["county"] == code])}
            for code in sorted(codes)]


# --- the summary -----------------------------------------------------------------------------------

def _city_name(agency) -> str:
    """The city-level name that unit names are shortened against (竞秀区分局 within 保定市生态环境局)."""
    if agency.kind == AgencyKind.CITY:
        return agency.name
    supervisor = agency.supervisor
    return supervisor.name if supervisor is not None and supervisor.kind == AgencyKind.CITY else ""


def build(summary: ResultsSummary, today: dt.date, sections: list[dict] | None = None) -> dict:
    """The live content of a summary (without its blocks: finish() adds them). `sections`: for a city,
    the state of each supervised branch's summary (results.city_sections)."""
    agency, campaign, kind = summary.agency, summary.campaign, summary.kind
    supervisor = agency.supervisor
    rows = entries(campaign, kind, counties_of(agency), today, _city_name(agency))
    content = {
        "schema": SCHEMA, "type": "results", "level": summary.level, "kind": kind, "phase": phase(kind),
        "unit": agency.name, "addressee": supervisor.name if supervisor else "",
        "title": title(agency.name, campaign, kind), "document_number": (summary.document_number or "").strip(),
        "campaign": campaign_part(campaign), "year": campaign.year, "deadline": deadline(campaign, kind).isoformat(),
        "as_of": today.isoformat(), "date": today.isoformat(), "labels": labels(kind),
        "counts": counts(rows), "enterprises": [{k: v for k, v in r.items() if k != "status"} for r in rows],
        "rows": _by_county(agency, campaign, rows) if summary.level == ResultsLevel.CITY else [],
        "sections": sections or [],
        "remarks": summary.remarks, "version": None, "prepared_by": _person(summary.prepared_by),
        "submitted_by": "",
    }
    return content


def finish(content: dict, *, version: int | None = None, submitted_by: str = "") -> dict:
    """The content with its version, signer and wording (blocks), composed once."""
    from .results_document import compose

    content = dict(content, version=version, submitted_by=submitted_by)
    content["blocks"] = compose(content)
    return content
