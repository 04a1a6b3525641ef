import datetime as dt
import io

from django.core.management import call_command

from cpaudit.campaigns.models import Campaign
from cpaudit.reports.models import MonthlyReport, ReportKind, ReportStatus
from cpaudit.reports.render_txt import render_txt
from cpaudit.reports.services import deadline_state

DEMO_TODAY = "2026-11-29"  # tests/demo/conftest.py loads the demo once for the module, on this day


def test_demo_reports_show_on_time_late_and_missing(demo_once, db, settings):
    settings.CPAUDIT_TODAY = "2026-11-29"
    campaign = Campaign.objects.get(slug="byd2026")
    today = dt.date(2026, 11, 29)
    states = {(r.agency.division_id, r.month): deadline_state(r, campaign, r.month, today)
              for r in MonthlyReport.objects.filter(campaign=campaign, kind=ReportKind.BRANCH).select_related("agency")}
    assert states[("130602", dt.date(2026, 10, 1))] == "on_time"
    assert states[("130608", dt.date(2026, 10, 1))] == "late"
    assert ("130632", dt.date(2026, 10, 1)) not in states  # 安新: missing that month
    assert all(r.versions.count() == 1 for r in MonthlyReport.objects.filter(campaign=campaign, kind=ReportKind.BRANCH))
    call_command("load-demo", "--allow-non-sqlite", stdout=io.StringIO())  # idempotent
    assert MonthlyReport.objects.filter(campaign=campaign, kind=ReportKind.BRANCH).count() == len(states)
    assert MonthlyReport.objects.filter(campaign=campaign, kind=ReportKind.CITY).count() == 2


def test_demo_city_consolidates_and_a_branch_uploads_its_sealed_copy(demo_once, db, settings):
    settings.CPAUDIT_TODAY = "2026-11-29"
    campaign = Campaign.objects.get(slug="byd2026")
    assert campaign.notice_citation() == "《关于加快推进实施清洁生产审核工作的通知》（保环办函〔2026〕45号）"
    history = Campaign.objects.get(slug="byd2020")  # the seed itself: no 文号 of its own
    assert (history.notice_number, history.notice_date) == ("", dt.date(2020, 7, 21))
    assert history.document_number == "冀环办字函〔2020〕202号"
    cities = {r.month: r for r in MonthlyReport.objects.filter(campaign=campaign, kind=ReportKind.CITY)}
    older, newer = cities[dt.date(2026, 9, 1)], cities[dt.date(2026, 10, 1)]
    content = older.versions.get().content
    assert content["document_number"] == "保环报〔2026〕39号" and content["blocks"][0]["number"] == "保环报〔2026〕39号"
    assert "根据《关于加快推进实施清洁生产审核工作的通知》（保环办函〔2026〕45号）要求" in render_txt(content)
    assert [b["label"] for b in content["blocks"] if b["type"] == "annex"]  # the branches' reports
    assert newer.status == ReportStatus.DRAFT and newer.document_number and newer.problems
    scanned = MonthlyReport.objects.get(campaign=campaign, kind=ReportKind.BRANCH, agency__division_id="130602",
                                        month=dt.date(2026, 9, 1)).versions.get()
    assert scanned.scan_digest and scanned.scan_content_type == "application/pdf"


def test_demo_results_summaries_in_every_state(demo_once, db, settings):
    """The 评估/验收 results summaries: accepted (and annexed to the city's consolidation, which the
    province accepted), returned, waiting at the province and at the city, a draft; each submitted
    version counts what the applications say for its day (nothing counted was dated later)."""
    from cpaudit.applications import selectors
    from cpaudit.org.models import User
    from cpaudit.reports import results
    from cpaudit.reports.models import ResultsSummary

    settings.CPAUDIT_TODAY = "2026-11-29"
    campaign = Campaign.objects.get(slug="byd2026")
    states = {(s.kind, s.agency.division_id): s.status
              for s in ResultsSummary.objects.filter(campaign=campaign).select_related("agency")}
    assert states == {
        ("evaluation", "130608"): ReportStatus.ACCEPTED, ("evaluation", "130632"): ReportStatus.RETURNED,
        ("evaluation", "130682"): ReportStatus.SUBMITTED, ("evaluation", "130600"): ReportStatus.ACCEPTED,
        ("acceptance", "130608"): ReportStatus.SUBMITTED, ("acceptance", "130632"): ReportStatus.DRAFT}
    city = ResultsSummary.objects.get(campaign=campaign, kind="evaluation", agency__division_id="130600",
                                      agency__name="保定市生态环境局")
    content = city.versions.get().content
    assert [s["state"] for s in content["sections"] if s["accepted"]] == ["已接收（第1版）"]
    assert "附件1" in render_txt(content) and content["document_number"].startswith("保环报〔2026〕")
    for summary in ResultsSummary.objects.filter(campaign=campaign).exclude(status=ReportStatus.DRAFT):
        version = summary.versions.order_by("-number").first()
        day = dt.date.fromisoformat(version.content["as_of"])
        assert results.build_content(summary, day)["counts"] == version.content["counts"], summary
        people = User.objects.filter(agency=summary.agency, is_demo=True).order_by("pk").first()
        live = selectors.summary(people, campaign, summary.kind, day).total
        assert version.content["counts"]["applied"] == live.applied and \
            version.content["counts"]["passed"] == live.passed, summary
    assert ReportStatus.RETURNED == ResultsSummary.objects.get(campaign=campaign, kind="evaluation",
                                                               agency__division_id="130632").status
