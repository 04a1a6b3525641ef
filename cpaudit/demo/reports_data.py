"""Demo monthly reports: the branches that have demo accounts report the two months before this one,
so the city's overview shows every state (on time, late, missing) on `make run`; the city submits its
consolidation of the older month (with its 文号) and has the newer one drafted for its leader.

Written through the report services, as the branch's own staff and leader would, with the business
clock set to the day each report is submitted (`clock.frozen`), so due dates and lateness are real.
The loader calls this after the progress and the applications are in: a report counts what the
register holds on its data date, and the records dated after it are not counted (standings.py).
One submitted branch report gets the scan of its sealed copy (here: its own PDF, as if scanned).

The 评估/验收 results summaries (load_results) show every state of their chain: a branch's accepted by
the city and annexed to the city's consolidation, which the province accepted; one returned by the
city; 定州's sent straight to the province and waiting; a 验收 summary waiting for the city and one
still a draft. Each is written once the applications it counts have had their last event (a summary
counts the applications as they stand that day: nothing dated later may exist), the city's after its
branches' summaries were reviewed.
"""

import datetime as dt

from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone

from cpaudit.applications.models import Application, Decision
from cpaudit.core import clock
from cpaudit.org.models import Agency, User
from cpaudit.org.roles import AgencyKind, Role
from cpaudit.reports import results
from cpaudit.reports.models import MonthlyReport, ReportKind, ResultsSummary
from cpaudit.reports.results_content import counties_of
from cpaudit.reports.scans import scan_upload
from cpaudit.reports.services import report_for, report_save_draft, report_submit

from .data import CITY_NAME

# Branch (by division) → days relative to the due date on which it submits, per month (older first);
# None: it does not submit that month.
PLAN = {
    "130602": (-3, -1),  # 竞秀区: on time
    "130608": (-5, 2),  # 清苑区: late last month
    "130632": (-2, None),  # 安新县: missing last month
    "130682": (-4, -6),  # 定州市
}
SCANNED = "130602"  # 竞秀区 uploads the scan of its sealed older report
PROBLEMS = {  # what each branch writes under 存在的问题
    "130602": "部分企业物料平衡实测数据不完整，已督促补测；个别咨询机构人员更换，进度有所滞后。",
    "130608": "个别企业中/高费方案资金未落实，方案实施进度滞后；已约谈企业负责人，要求制定资金计划。",
    "130632": "辖区企业受白洋淀周边管控影响间歇停产，现场审核工作有所推迟。",
    "130682": "本月未发现影响审核进度的问题。",
}
CITY_PROBLEMS = ("部分企业中/高费方案实施进度滞后于阶段时间节点，已要求相关分局逐家督导；"
                 "未按时报送月报的分局已电话督促。")
CITY_NUMBER = "保环报〔{year}〕{n}号"
CITY_DAYS = 4  # the city consolidates this many days after the branches' due date


def _month_back(day: dt.date, n: int) -> dt.date:
    year, month = day.year, day.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1)


def load_reports(campaign, today: dt.date) -> int:
    """Idempotent: nothing is written when the campaign already has monthly reports. The 评估/验收
    results summaries come with them (load_results, idempotent on its own)."""
    load_results(campaign, today)
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
                report = report_save_draft(actor=staff, report=report, problems=PROBLEMS[division])
                version = report_submit(actor=leader, report=report)
            if division == SCANNED and month == months[0]:
                _upload_scan(staff, report, version.content, day)
            made += 1
    return made + _city(campaign, months, today)


def _city(campaign, months, today: dt.date) -> int:
    """The older month's consolidation submitted by the city leader, the newer one drafted by staff."""
    people = {u.role: u for u in User.objects.filter(is_demo=True, role__in=[Role.CITY_STAFF, Role.CITY_LEADER],
                                                     agency__name=CITY_NAME, agency__kind=AgencyKind.CITY)
              .select_related("agency")}
    staff, leader = people.get(Role.CITY_STAFF), people.get(Role.CITY_LEADER)
    if staff is None or leader is None:
        return 0
    made = 0
    for n, month in enumerate(months):
        if month < dt.date(campaign.year, 1, 1):
            continue
        day = min(campaign.report_due_date(month.year, month.month) + dt.timedelta(days=CITY_DAYS), today)
        with clock.frozen(day):
            report = report_for(actor=staff, campaign=campaign, agency=staff.agency, month=month, kind=ReportKind.CITY)
            report = report_save_draft(actor=staff, report=report, problems=CITY_PROBLEMS,
                              document_number=CITY_NUMBER.format(year=month.year, n=30 + month.month))
            if n == 0:
                report_submit(actor=leader, report=report)
        made += 1
    return made


def _upload_scan(user, report, content: dict, day: dt.date) -> None:
    """The sealed copy's scan, a few days after submission (without a CJK font there is no PDF)."""
    from cpaudit.reports.render import render_pdf

    try:
        data = render_pdf(content)
    except ImproperlyConfigured:
        return
    with clock.frozen(day + dt.timedelta(days=1)):
        scan_upload(actor=user, report=report,
                    uploaded_file=SimpleUploadedFile("盖章扫描件.pdf", data, content_type="application/pdf"))


# --- 评估/验收 results summaries ---------------------------------------------------------------------

# (phase, reporting unit's division, how far its chain goes, days after the last event it counts)
RESULTS_PLAN = [
    ("evaluation", "130608", "accepted", 1),  # 清苑区: accepted by the city, annexed to its consolidation
    ("evaluation", "130632", "returned", 1),  # 安新县: returned by the city, to be corrected
    ("evaluation", "130682", "submitted", 1),  # 定州市: straight to the province, waiting
    ("evaluation", "130600", "accepted", 0),  # 保定市's consolidation, accepted by the province
    ("acceptance", "130608", "submitted", 1),  # 清苑区: waiting for the city
    ("acceptance", "130632", "draft", 1),  # 安新县: staff's draft
]
RESULTS_REMARKS = {
    "130608": "本辖区申请企业均已出结论。",
    "130632": "安新县碧源皮革有限公司验收不合格，已督促企业整改中/高费方案后重新申请。",
    "130682": "定州市裕华酒业有限公司评估申请逾期提交，已约谈企业负责人。",
    "130600": "部分企业评估申请晚于8月20日提交，已通报相关分局并督促加快办理。",
}
RESULTS_RETURN = "请在情况说明中写明组织评估的专家组成及评估日期后重新报送"
RESULTS_NUMBER = "保环报〔{year}〕{n}号"


def _last_event(campaign, kind: str, agency) -> dt.date:
    """The day of the last dated event of the applications the unit's summary counts (a summary written
    that day comes after them: the loader writes the applications first)."""
    apps = Application.objects.filter(campaign=campaign, kind=kind,
                                      enrolment__enterprise__county_id__in=counties_of(agency))
    found = apps.aggregate(submitted=Max("submitted_at"), result=Max("result_date"))
    decided = Decision.objects.filter(application__in=apps).aggregate(at=Max("decided_at"))["at"]
    days = [d for d in (found["result"],) if d] + [timezone.localtime(t).date()
                                                   for t in (found["submitted"], decided) if t]
    return max(days) if days else dt.date(campaign.year, 1, 1)


def _people(division: str) -> dict:
    """The unit's demo staff and leader (branch roles at a branch or 省直管县, city roles at a city)."""
    agency = Agency.objects.filter(division_id=division, kind__in=[AgencyKind.COUNTY, AgencyKind.DIRECT_COUNTY,
                                                                   AgencyKind.CITY]).order_by("pk").first()
    if agency is None:
        return {}
    roles = ([Role.CITY_STAFF, Role.CITY_LEADER] if agency.kind == AgencyKind.CITY
             else [Role.BRANCH_STAFF, Role.BRANCH_LEADER])
    found = {u.role: u for u in User.objects.filter(is_demo=True, agency=agency, role__in=roles, is_inspector=False)}
    above = agency.supervisor
    reviewer = User.objects.filter(is_demo=True, agency=above, role__in=[Role.CITY_STAFF, Role.PROVINCE_STAFF],
                                   is_inspector=False).order_by("pk").first() if above else None
    if len(found) < 2 or reviewer is None:
        return {}
    return {"agency": agency, "staff": found[roles[0]], "leader": found[roles[1]], "reviewer": reviewer}


def load_results(campaign, today: dt.date) -> int:
    """Idempotent: nothing is written when the campaign already has results summaries."""
    if ResultsSummary.objects.filter(campaign=campaign).exists():
        return 0
    made, reviewed = 0, dt.date.min  # a city consolidates after its branches' summaries were reviewed
    for n, (kind, division, goes, after) in enumerate(RESULTS_PLAN):
        people = _people(division)
        if not people:
            continue
        agency = people["agency"]
        day = _last_event(campaign, kind, agency) + dt.timedelta(days=after)
        if agency.kind == AgencyKind.CITY:
            day = max(day, reviewed + dt.timedelta(days=1))
        if day > today:
            continue
        with clock.frozen(day):
            summary = results.results_for(actor=people["staff"], campaign=campaign, kind=kind, agency=agency)
            number = RESULTS_NUMBER.format(year=campaign.year, n=70 + n) if agency.kind == AgencyKind.CITY else None
            summary = results.results_save_draft(actor=people["staff"], summary=summary,
                                                 remarks=RESULTS_REMARKS.get(division, ""), document_number=number)
            if goes != "draft":
                results.results_submit(actor=people["leader"], summary=summary)
        if goes in ("accepted", "returned"):
            review_day = min(day + dt.timedelta(days=2), today)
            reviewed = max(reviewed, review_day)
            with clock.frozen(review_day):
                if goes == "accepted":
                    results.results_accept(actor=people["reviewer"], summary=summary)
                else:
                    results.results_return(actor=people["reviewer"], summary=summary, reason=RESULTS_RETURN)
        made += 1
    return made
