"""The demo's submitted reports agree with the register as of their data date: the loader creates its
data in time order (progress, applications, then the reports), so what a report counted on its day is
what the register, reconstructed now for that day, holds."""

import datetime as dt
from collections import defaultdict

from cpaudit.reports import content as C
from cpaudit.reports.document import short_unit
from cpaudit.reports.models import ReportKind, ReportVersion

DEMO_TODAY = "2026-12-06"  # tests/demo/conftest.py loads the demo once for the module, on this day


def test_every_submitted_report_counts_what_the_register_held_on_its_data_date(demo_once, db, settings):
    settings.CPAUDIT_TODAY = "2026-12-06"
    versions = list(ReportVersion.objects.select_related("report__agency", "report__campaign"))
    assert {v.report.kind for v in versions} == {ReportKind.BRANCH, ReportKind.CITY}
    applied = 0
    for version in versions:
        report, content = version.report, version.content
        month, as_of = C.parse_month(content["month"]), dt.date.fromisoformat(content["as_of"])
        branches = C.supervised_branches(report.agency, report.campaign) if report.kind == ReportKind.CITY else []
        counties = [b.division_id for b in branches] or [report.agency.division_id]
        items = C.standings_at(report.campaign, counties, month, as_of, live=False)
        now = C.summary(items)
        where = f"{report} 第{version.number}版（数据截至{as_of}）"
        for key in ("sentences", "not_started", "table", "industries", "stalled"):
            assert content[key] == now[key], (where, key)
        assert content["applications"] == C.applications_at(report.campaign, counties, as_of), where
        if branches:
            by_county = defaultdict(list)
            for item in items:
                by_county[item.county].append(item)
            grid = C.grid("分局", [(short_unit(b.name, report.agency.name), by_county[b.division_id]) for b in branches])
            assert content["summary"] == grid, where
        applied += sum(kind["applied"] for kind in content["applications"].values())
    assert applied  # the demo's reports do count applications (清苑's November: one 评估 passed on 11-13)


def test_qingyuan_november_counts_its_passed_evaluation(demo_once, db, settings):
    settings.CPAUDIT_TODAY = "2026-12-06"
    version = ReportVersion.objects.get(report__agency__division_id="130608", report__month=dt.date(2026, 11, 1),
                                        report__kind=ReportKind.BRANCH)
    assert version.content["applications"]["evaluation"]["passed"] >= 1
