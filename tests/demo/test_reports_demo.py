import datetime as dt
import io

from django.core.management import call_command

from cpaudit.campaigns.models import Campaign
from cpaudit.reports.models import MonthlyReport
from cpaudit.reports.services import deadline_state


def test_demo_reports_show_on_time_late_and_missing(db, settings):
    settings.CPAUDIT_TODAY = "2026-11-29"
    call_command("load-demo", "--allow-non-sqlite", stdout=io.StringIO())
    campaign = Campaign.objects.get(slug="byd2026")
    today = dt.date(2026, 11, 29)
    states = {(r.agency.division_id, r.month): deadline_state(r, campaign, r.month, today)
              for r in MonthlyReport.objects.filter(campaign=campaign).select_related("agency")}
    assert states[("130602", dt.date(2026, 10, 1))] == "on_time"
    assert states[("130608", dt.date(2026, 10, 1))] == "late"
    assert ("130632", dt.date(2026, 10, 1)) not in states  # 安新: missing that month
    assert all(r.versions.count() == 1 for r in MonthlyReport.objects.filter(campaign=campaign))
    call_command("load-demo", "--allow-non-sqlite", stdout=io.StringIO())  # idempotent
    assert MonthlyReport.objects.filter(campaign=campaign).count() == len(states)
