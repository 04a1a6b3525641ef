"""Reads of the results summaries: which units' summaries a user's level lists, with their state and
what they reported. One query for the units, two for their summaries and versions, whatever their
number."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from cpaudit.org import access
from cpaudit.org.models import Agency
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, AgencyKind

from .content import supervised_branches
from .models import ResultsSummary, ResultsVersion
from .results import latest_version
from .results_content import level_of


@dataclass
class Row:
    agency: Agency
    summary: ResultsSummary | None
    version: ResultsVersion | None

    @property
    def level_label(self) -> str:
        return "市局汇总" if self.agency.kind == AgencyKind.CITY else (
            "省直管县汇总" if self.agency.kind == AgencyKind.DIRECT_COUNTY else "分局汇总")

    @property
    def status_label(self) -> str:
        return self.summary.get_status_display() if self.summary is not None and self.summary.pk else "未编制"

    @property
    def counts(self) -> dict | None:
        """What the unit reported in its latest version (None before its first submission)."""
        return self.version.content.get("counts") if self.version is not None else None


def units(user, campaign) -> list[Agency]:
    """The reporting units a level looks at: a branch its own; a city itself, then its branches in the
    campaign; the province the city-level agencies of the province (cities and 省直管县)."""
    agency = getattr(user, "agency", None)
    if agency is None:
        return []
    if agency.kind in BRANCH_AGENCY_KINDS:
        return [agency]
    if agency.kind == AgencyKind.CITY:
        return [agency, *supervised_branches(agency, campaign)]
    return list(Agency.objects.filter(kind__in=[AgencyKind.CITY, AgencyKind.DIRECT_COUNTY],
                                      division__code__startswith=agency.division_id[:2])
                .select_related("supervisor").order_by("kind", "division_id", "pk"))


def rows(user, campaign, kind: str, agencies: list[Agency] | None = None) -> list[Row]:
    """One row per unit (units() unless given), with its summary (within the user's scope) and latest
    version."""
    agencies = units(user, campaign) if agencies is None else agencies
    found = {}
    summaries = (access.scope(user, ResultsSummary.objects.filter(campaign=campaign, kind=kind, agency__in=agencies))
                 .select_related("agency", "prepared_by")
                 .prefetch_related(Prefetch("versions", queryset=ResultsVersion.objects.select_related("submitted_by"))))
    for summary in summaries:
        if summary.level == level_of(summary.agency):
            found[summary.agency_id] = summary
    return [Row(agency, found.get(agency.pk), latest_version(found.get(agency.pk))) for agency in agencies]
