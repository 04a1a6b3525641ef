"""Demo monthly reports: the branches that have demo accounts report the two months before this one,
so the city's overview shows every state (on time, late, missing) on `make run`.

Written through the report services, as the branch's own staff and leader would, with the business
clock set to the day each report is submitted (`clock.frozen`), so due dates and lateness are real.
"""

import datetime as dt

from cpaudit.core import clock
from cpaudit.org.models import User
from cpaudit.org.roles import Role
from cpaudit.reports.models import MonthlyReport, ReportKind
from cpaudit.reports.services import report_for, report_save_draft, report_submit

# Branch (by division) → days relative to the due date on which it submits, per month (older first);
# None: it does not submit that month.
PLAN = {
    "130602": (-3, -1),  # 竞秀区: on time
    "130608": (-5, 2),  # 清苑区: late last month
    "130632": (-2, None),  # 安新县: missing last month
    "130682": (-4, -6),  # 定州市
}
PROBLEMS = "部分企业物料平衡实测数据不完整，已督促补测；个别咨询机构人员更换，进度有所滞后。"


def _month_back(day: dt.date, n: int) -> dt.date:
    year, month = day.year, day.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1)


def load_reports(campaign, today: dt.date) -> int:
    """Idempotent: nothing is written when the campaign already has monthly reports."""
    if MonthlyReport.objects.filter(campaign=campaign).exists():
        return 0
    months = [_month_back(today, 2), _month_back(today, 1)]
    users = {(u.agency.division_id, u.role): u for u in User.objects.filter(
        is_demo=True, role__in=[Role.BRANCH_STAFF, Role.BRANCH_LEADER], is_inspector=False).select_related("agency")}
    made = 0
    for division, offsets in PLAN.items():
        staff, leader = users.get((division, Role.BRANCH_STAFF)), users.get((division, Role.BRANCH_LEADER))
        if staff is None or leader is None:
            continue
        for month, offset in zip(months, offsets, strict=True):
            if offset is None or month < dt.date(campaign.year, 1, 1):
                continue
            day = campaign.report_due_date(month.year, month.month) + dt.timedelta(days=offset)
            if day > today:
                continue
            with clock.frozen(day):
                report = report_for(actor=staff, campaign=campaign, agency=staff.agency, month=month,
                                    kind=ReportKind.BRANCH)
                report_save_draft(actor=staff, report=report, problems=PROBLEMS)
                report_submit(actor=leader, report=report)
            made += 1
    return made
