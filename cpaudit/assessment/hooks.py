"""Where the scorecards read what other apps find, by county (county code → count).

- spot-check findings (cpaudit.spotchecks, 双随机抽查): the findings 不属实/存在问题 of plans whose results
  the planning agency's leader approved (the public ones), by the enterprise's county, approved by the
  day; per consulting agency on its clients' enrolments;
- coverage gaps (cpaudit.coverage, 应开展未开展): 0 until that app provides
  `coverage.selectors.gaps_by_county(campaign, counties, day)`.
Each is one query at most, so the scorecards keep a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import importlib


def _provided(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _findings():
    from cpaudit.spotchecks.models import Finding, Outcome, PlanStatus

    return Finding.objects.filter(outcome=Outcome.NONCONFORM, item__plan__status=PlanStatus.APPROVED)


def spotcheck_findings(campaign, counties: list[str], day: dt.date) -> dict[str, int]:
    from django.db.models import Count

    rows = (_findings().filter(item__plan__campaign=campaign, item__enterprise__county_id__in=counties,
                               item__plan__approved_at__date__lte=day)
            .order_by().values("item__enterprise__county_id").annotate(n=Count("pk")))
    return {row["item__enterprise__county_id"]: row["n"] for row in rows}


def coverage_gaps(campaign, counties: list[str], day: dt.date) -> dict[str, int]:
    provider = _provided("cpaudit.coverage.selectors", "gaps_by_county")
    return dict(provider(campaign, counties, day)) if provider else {}


def spotcheck_findings_by_agency(consulting_agency_ids) -> dict[int, int]:
    """Consulting agency → spot-check findings on its clients (agencies' record)."""
    from django.db.models import Count

    rows = (_findings().filter(item__enrolment__consulting_agency_id__in=list(consulting_agency_ids))
            .order_by().values("item__enrolment__consulting_agency_id").annotate(n=Count("pk")))
    return {row["item__enrolment__consulting_agency_id"]: row["n"] for row in rows}
