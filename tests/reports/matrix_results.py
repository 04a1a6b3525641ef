"""Authorization rows for the 评估/验收 results summaries' pages (collected by
tests/test_authorization_matrix.py).

Written from authority.md and the seed (§ 二: results go branch → city → province), not from
cpaudit.org.access: government roles see the summaries of their jurisdiction — a branch its own, a city
its branches' and its own consolidation, the province everything; outside that 404. Enterprises,
consultants, experts and the administrators have no business with them (403).

Relations as in matrix_reports: "own"/"same_county" = world.branch_a, "other_county" = world.branch_b,
"other_city" = world.branch_sjz.
"""

import datetime as dt

from django.utils import timezone

from cpaudit.org.roles import Role
from cpaudit.reports import results
from cpaudit.reports.models import ReportStatus, ResultsLevel, ResultsSummary, ResultsVersion

from .matrix_reports import GOV, SEES_BRANCH, _branch, rule

KIND = "evaluation"


def campaign_kwargs(w, rel):
    return {"slug": w.campaign.slug, "kind": KIND}


def document_kwargs(w, rel):
    return {**campaign_kwargs(w, rel), "agency_pk": _branch(w, rel).pk}


def download_kwargs(w, rel):
    return {**document_kwargs(w, rel), "fmt": "txt"}


def version_kwargs(w, rel):
    """A submitted version 1 of the relation's branch summary (written directly: the setting)."""
    summary, _ = ResultsSummary.objects.get_or_create(level=ResultsLevel.BRANCH, campaign=w.campaign, kind=KIND,
                                                      agency=_branch(w, rel),
                                                      defaults={"status": ReportStatus.SUBMITTED})
    content = results.build_content(summary, dt.date(2020, 8, 25))
    version, _ = ResultsVersion.objects.get_or_create(summary=summary, number=1, defaults={
        "content": {**content, "version": 1}, "digest": "0" * 64, "submitted_by": w.users[Role.BRANCH_LEADER],
        "submitted_at": timezone.make_aware(dt.datetime(2020, 8, 25, 10, 0))})
    return {"pk": version.pk}


def index_rule(role, rel):
    return 302 if role in GOV else 403  # to the list of the active campaign's 评估


MATRIX = {
    "reports:results_index": (None, index_rule, "get"),
    "reports:results_list": (campaign_kwargs, lambda role, rel: 200 if role in GOV else 403, "get"),
    "reports:results_document": (document_kwargs, rule(SEES_BRANCH), "get"),
    "reports:results_download": (download_kwargs, rule(SEES_BRANCH), "get"),
    "reports:results_version": (version_kwargs, rule(SEES_BRANCH), "get"),
}

# An empty POST (no action chosen) meets the page's gate and comes back with a message, changing nothing.
POSTED = ["reports:results_document"]
