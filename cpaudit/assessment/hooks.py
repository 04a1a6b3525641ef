"""Where the scorecards read what other apps find, by county (county code → count).

- spot-check findings (cpaudit.spotchecks, 双随机抽查): the findings 不属实/存在问题 of plans whose results
  the planning agency's leader approved (the public ones), by the enterprise's county, approved by the
  day; per consulting agency on its clients' enrolments;
- coverage gaps (cpaudit.coverage, 应开展未开展): the in-scope enterprises not enrolled (exemptions
  apart) of coverage.selectors.coverage for what the user sees, by county.
Each runs a fixed number of queries, so the scorecards do too.
"""

from __future__ import annotations

import datetime as dt


def _findings():
    from cpaudit.spotchecks.models import Finding, Outcome, PlanStatus

    return Finding.objects.filter(outcome=Outcome.NONCONFORM, item__plan__status=PlanStatus.APPROVED)


def spotcheck_findings(campaign, counties: list[str], day: dt.date) -> dict[str, int]:
    from django.db.models import Count

    rows = (_findings().filter(item__plan__campaign=campaign, item__enterprise__county_id__in=counties,
                               item__plan__approved_at__date__lte=day)
            .order_by().values("item__enterprise__county_id").annotate(n=Count("pk")))
    return {row["item__enterprise__county_id"]: row["n"] for row in rows}


def coverage_gaps(user, campaign, counties: list[str], day: dt.date) -> dict[str, int]:
    from cpaudit.coverage.selectors import coverage

    wanted, gaps = set(counties), {}
    for item in coverage(user, campaign, today=day).result.missing:
        if item.county in wanted:
            gaps[item.county] = gaps.get(item.county, 0) + 1
    return gaps


def spotcheck_findings_by_agency(consulting_agency_ids) -> dict[int, int]:
    """Consulting agency → spot-check findings on its clients (agencies' record)."""
    from django.db.models import Count

    rows = (_findings().filter(item__enrolment__consulting_agency_id__in=list(consulting_agency_ids))
            .order_by().values("item__enrolment__consulting_agency_id").annotate(n=Count("pk")))
    return {row["item__enrolment__consulting_agency_id"]: row["n"] for row in rows}
