"""Where the scorecards read what other apps find, by county (county code → count).

- spot-check findings (cpaudit.spotchecks, 双随机抽查): 0 until that app provides
  `spotchecks.selectors.findings_by_county(campaign, counties, day)`;
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


def spotcheck_findings(campaign, counties: list[str], day: dt.date) -> dict[str, int]:
    provider = _provided("cpaudit.spotchecks.selectors", "findings_by_county")
    return dict(provider(campaign, counties, day)) if provider else {}


def coverage_gaps(campaign, counties: list[str], day: dt.date) -> dict[str, int]:
    provider = _provided("cpaudit.coverage.selectors", "gaps_by_county")
    return dict(provider(campaign, counties, day)) if provider else {}


def spotcheck_findings_by_agency(consulting_agency_ids) -> dict[int, int]:
    """Consulting agency → spot-check findings on its clients (agencies' record)."""
    provider = _provided("cpaudit.spotchecks.selectors", "findings_by_consulting_agency")
    return dict(provider(list(consulting_agency_ids))) if provider else {}
