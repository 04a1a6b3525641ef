"""Deadlines of monthly reports, the city's overview of its branches, and reminders.

A branch's report is on time or late by its FIRST submission's day (a later send-back and correction
does not rewrite whether it reported in time); else missing (past the due date) or pending.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from cpaudit.campaigns.models import Campaign, CampaignCounty
from cpaudit.core import clock
from cpaudit.core.errors import PermissionDenied
from cpaudit.org import access
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.org.models import Agency, User
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, BRANCH_ROLES, AgencyKind, Role
from cpaudit.progress.services.derived import audit_start

from . import content as C
from .models import MonthlyReport, Notification, ReportKind, ReportStatus, ReportVersion

SUBMITTED_STATES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
DEADLINE_LABELS = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "missing": "逾期未报送",
    "pending": "未报送",
}
RETURNED_LABEL = "已退回"


def month_of(month) -> dt.date:
    if isinstance(month, str):
        return C.parse_month(month)
    return C.month_start(month)


def latest_version(report) -> ReportVersion | None:
    """The newest version (uses prefetched versions when there are)."""
    if report is None or report.pk is None:
        return None
    versions = list(report.versions.all())
    return max(versions, key=lambda v: v.number) if versions else None


def branch_reports(campaign, month, agency_ids):
    return (MonthlyReport.objects.filter(kind=ReportKind.BRANCH, campaign=campaign, month=month,
                                         agency_id__in=agency_ids)
            .select_related("agency", "agency__supervisor", "campaign", "prepared_by")
            .prefetch_related(Prefetch("versions", queryset=ReportVersion.objects.order_by("number"))))


# --- deadlines -------------------------------------------------------------------------------------

def due_date(campaign: Campaign, month) -> dt.date:
    month = month_of(month)
    return campaign.report_due_date(month.year, month.month)


def deadline_state(report: MonthlyReport | None, campaign: Campaign, month, today: dt.date) -> str:
    """on_time / late, judged by the FIRST submission's day: a later send-back and correction does not
    rewrite whether the branch reported in time; else missing (past the due date) or pending. A version
    its leader withdrew (report_withdraw) was never a submission: it does not count."""
    due = due_date(campaign, month)
    if report is not None and report.pk is not None:
        versions = [v for v in report.versions.all() if v.withdrawn_at is None]
        if versions:
            first = min(versions, key=lambda v: v.number)
            return "on_time" if timezone.localdate(first.submitted_at) <= due else "late"
    return "missing" if today > due else "pending"


@dataclass
class OverviewRow:
    agency: Agency
    report: MonthlyReport | None
    state: str
    label: str
    submitted_at: dt.datetime | None
    versions: int
    returned: bool


def city_overview(*, actor, campaign: Campaign, month, today: dt.date | None = None,
                  agency: Agency | None = None) -> list[OverviewRow]:
    """Every branch a city-level agency supervises (the actor's own, or — for the province — the one
    given), with its report's deadline state. Three queries."""
    access.check(actor, "reports.report.view")
    own = getattr(actor, "agency", None)
    if agency is None:
        agency = own
    elif own is None or (agency.pk != own.pk and own.kind != AgencyKind.PROVINCE):
        raise PermissionDenied("只能查看本单位所辖分局的月报报送情况")
    elif own.kind == AgencyKind.PROVINCE and not jurisdiction_of(actor).covers(_first_county(agency)):
        raise PermissionDenied("该单位不在您的辖区内")
    if agency is None or agency.kind in BRANCH_AGENCY_KINDS:
        raise PermissionDenied("只有市局（或省厅）人员可以查看各分局月报报送情况")
    month, today = month_of(month), today or clock.today()
    kinds = [AgencyKind.COUNTY] if agency.kind == AgencyKind.CITY else list(BRANCH_AGENCY_KINDS)
    branches = list(Agency.objects.filter(
        supervisor=agency, kind__in=kinds,
        division_id__in=CampaignCounty.objects.filter(campaign=campaign).values("county_id"),
    ).order_by("division_id", "pk"))
    reports = {r.agency_id: r for r in branch_reports(campaign, month, [b.pk for b in branches])}
    rows = []
    for branch in branches:
        report = reports.get(branch.pk)
        state = deadline_state(report, campaign, month, today)
        version = latest_version(report)
        rows.append(OverviewRow(
            agency=branch, report=report, state=state, label=DEADLINE_LABELS[state],
            submitted_at=version.submitted_at if version else None,
            versions=len(report.versions.all()) if report else 0,
            returned=report is not None and report.status == ReportStatus.RETURNED,
        ))
    return rows


def _first_county(agency: Agency) -> str:
    """A county the city-level agency answers for (its division for 定州-like agencies)."""
    sub = Agency.objects.filter(supervisor=agency).values_list("division_id", flat=True).first()
    return sub or agency.division_id


# --- reminders -------------------------------------------------------------------------------------

def send_reminders(*, today: dt.date) -> int:
    """In-app notifications, once each (keyed): branch staff and leaders whose report of the current
    month is not submitted and is due within campaign.reminder_days; and the supervising agency's
    staff when a branch's report of the current or previous month is past due and not submitted.
    Active campaigns only, months from the campaign's audit start. Returns the number created."""
    created = 0
    this_month = C.month_start(today)
    previous = C.month_start(this_month - dt.timedelta(days=1))
    for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE):
        counties = CampaignCounty.objects.filter(campaign=campaign).values("county_id")
        branches = list(Agency.objects.filter(kind__in=BRANCH_AGENCY_KINDS, division_id__in=counties)
                        .select_related("supervisor"))
        start = C.month_start(audit_start(campaign))
        for month in (previous, this_month):
            if month < start:
                continue
            due = due_date(campaign, month)
            submitted = set(MonthlyReport.objects.filter(
                kind=ReportKind.BRANCH, campaign=campaign, month=month, status__in=SUBMITTED_STATES,
            ).values_list("agency_id", flat=True))
            tag = f"{campaign.pk}:{month:%Y-%m}"
            when = f"{month.year}年{month.month}月进度报告"
            for branch in branches:
                if branch.pk in submitted:
                    continue
                if month == this_month and 0 <= (due - today).days <= campaign.reminder_days:
                    text = f"【{campaign.name}】{when}应于{due.month}月{due.day}日前报送，尚未报送"
                    created += _notify(User.objects.filter(agency=branch, role__in=sorted(BRANCH_ROLES)),
                                       f"reminder:{tag}:{branch.pk}", text, report_link(campaign, month, branch))
                if today > due and branch.supervisor_id:
                    text = f"【{campaign.name}】{branch}{when}已逾期（截止{due.month}月{due.day}日）未报送"
                    created += _notify(User.objects.filter(agency_id=branch.supervisor_id,
                                                           role__in=[Role.CITY_STAFF, Role.PROVINCE_STAFF]),
                                       f"late:{tag}:{branch.pk}", text, report_link(campaign, month, branch))
    return created


def report_link(campaign, month, agency) -> str:
    from django.urls import reverse

    return reverse("reports:branch_report", args=[campaign.slug, f"{month:%Y-%m}", agency.pk])


def _notify(users, key: str, text: str, link: str = "") -> int:
    count = 0
    for user in users.filter(is_active=True):
        _, made = Notification.objects.get_or_create(user=user, key=key, defaults={"text": text[:300], "link": link})
        count += made
    return count
