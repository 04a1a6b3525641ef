"""What each person must do now (工作台): sections of pending work, each a list with its count.

A section is a `Source`: a function of the user giving a queryset (or, for the few worked out in
Python, a list) and a function turning one row into an `Item`. The workbench shows each section's
count and its first items; the section's own page (`/workbench/<key>/`) lists every item of the very
same source, so the count always matches the list behind it. Each section costs a fixed number of
queries (a count and a page), whatever the number of items.

Which sections a role has is `SECTIONS_BY_ROLE`; whose turn an application is comes from
applications.selectors.todo (the transition table's `owner`: staff and leader desks apart).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from cpaudit.core import clock
from cpaudit.org import access
from cpaudit.org.roles import (
    BRANCH_AGENCY_KINDS,
    CITY_ROLES,
    PROVINCE_ROLES,
    STAFF_ROLES,
    AgencyKind,
    Role,
)

LIMIT = 8  # items shown per section on the workbench itself


@dataclass
class Item:
    title: str
    url: str
    detail: str = ""
    due: dt.date | None = None
    days_left: int | None = None
    action: dict | None = None  # a POST the workbench offers beside the item (催报)


@dataclass
class Source:
    key: str
    title: str
    rows: Callable  # (user, filters) → QuerySet or list
    item: Callable  # (row, today) → Item
    hint: str = ""  # what to do with these
    filters: tuple[str, ...] = ()  # GET parameters the section page filters by


@dataclass
class Section:
    key: str
    title: str
    hint: str
    count: int
    items: list[Item] = field(default_factory=list)

    @property
    def url(self) -> str:
        return reverse("workbench:section", args=[self.key])


def _count(rows) -> int:
    return len(rows) if isinstance(rows, list) else rows.count()


def _slice(rows, start: int, stop: int) -> list:
    return list(rows[start:stop])


# --- enterprise and consulting agency ----------------------------------------------------------

def _records(user, **lookup):
    from cpaudit.progress.models import StepRecord

    return (access.scope(user, StepRecord.objects.filter(enrolment__campaign__status="active", **lookup))
            .select_related("step", "enrolment__enterprise"))


def _steps_returned(user, filters):
    from cpaudit.progress.models import ReviewStatus

    return _records(user, review=ReviewStatus.RETURNED).order_by("enrolment__enterprise__name", "step_id", "pk")


def _step_returned_item(record, today) -> Item:
    return Item(f"{record.enrolment.enterprise.name} · 第{record.step_id}步 {record.step.name}",
                reverse("progress:step_edit", args=[record.enrolment_id, record.step_id]),
                f"退回原因：{record.review_reason}")


def _steps_open(user, filters):
    from cpaudit.progress.models import ReviewStatus, StepStatus

    return (_records(user, status=StepStatus.IN_PROGRESS).exclude(review=ReviewStatus.RETURNED)
            .order_by("enrolment__enterprise__name", "step_id", "pk"))


def _step_open_item(record, today) -> Item:
    started = f"{record.start_date:%Y-%m-%d} 开始" if record.start_date else ""
    return Item(f"{record.enrolment.enterprise.name} · 第{record.step_id}步 {record.step.name}",
                reverse("progress:step_edit", args=[record.enrolment_id, record.step_id]),
                f"进行中，完成后填报完成日期并提交核实 {started}".strip())


def _options_open(user, filters):
    from cpaudit.progress.models import Option, OptionStatus

    return (access.scope(user, Option.objects.filter(
        enrolment__campaign__status="active", status__in=[OptionStatus.SCREENED, OptionStatus.IMPLEMENTING]))
        .select_related("enrolment__enterprise").order_by("planned_date", "enrolment__enterprise__name", "pk"))


def _option_item(option, today) -> Item:
    days = (option.planned_date - today).days if option.planned_date else None
    return Item(f"{option.enrolment.enterprise.name} · {option.name}",
                reverse("progress:option_list", args=[option.enrolment_id]),
                f"{option.get_status_display()}：实施后请更新状态和实际效益", option.planned_date, days)


def _deadlines(user, filters):
    from cpaudit.campaigns.models import Enrolment

    return (access.scope(user, Enrolment.objects.filter(campaign__status="active"))
            .select_related("enterprise", "campaign").order_by("campaign__evaluation_deadline",
                                                              "enterprise__name", "pk"))


def _deadline_item(enrolment, today) -> Item:
    campaign = enrolment.campaign
    due, what = campaign.evaluation_deadline, "评估申请截止"
    if due and due < today:
        due, what = campaign.acceptance_deadline, "验收申请截止"
    days = (due - today).days if due else None
    left = "" if days is None else (f"剩{days}天" if days >= 0 else f"已过{-days}天")
    return Item(f"{enrolment.enterprise.name} · {campaign.name}",
                reverse("progress:enrolment_progress", args=[enrolment.pk]),
                f"{what}：{due:%Y-%m-%d}（{left}）" if due else what, due, days)


# --- applications (everyone on the chain: whose turn by the transition table) -------------------

def _applications_todo(user, filters):
    from cpaudit.applications.selectors import todo

    return todo(user).order_by("submitted_at", "pk")


def _application_item(application, today) -> Item:
    return Item(f"{application.enrolment.enterprise.name} · {application.get_kind_display()}申请",
                reverse("applications:detail", args=[application.pk]), application.get_status_display())


def _panels_to_draw(user, filters):
    from cpaudit.applications.models import Status
    from cpaudit.experts.models import Panel

    if user.role not in STAFF_ROLES:
        return _applications_todo(user, filters).none()
    current = Panel.objects.filter(application=OuterRef("pk"), is_current=True)
    return _applications_todo(user, filters).filter(status=Status.ORGANIZING).exclude(Exists(current))


def _panel_item(application, today) -> Item:
    return Item(f"{application.enrolment.enterprise.name} · {application.get_kind_display()}",
                reverse("experts:panel", args=[application.pk]), "待抽取专家组")


# --- branch staff: steps to confirm ---------------------------------------------------------------

def _steps_pending(user, filters):
    from cpaudit.progress.models import ReviewStatus

    if user.role != Role.BRANCH_STAFF:
        return _records(user).none()
    qs = _records(user, review=ReviewStatus.PENDING).annotate(
        files=Count("evidence", filter=Q(evidence__is_current=True)))
    if filters.get("enterprise"):
        qs = qs.filter(enrolment__enterprise_id=filters["enterprise"])
    if filters.get("stage"):
        qs = qs.filter(step__stage=filters["stage"])
    return qs.order_by("enrolment__enterprise__name", "step_id", "pk")


def _step_pending_item(record, today) -> Item:
    done = f"{record.completion_date:%Y-%m-%d} 完成" if record.completion_date else ""
    return Item(f"{record.enrolment.enterprise.name} · 第{record.step_id}步 {record.step.name}",
                reverse("progress:step_edit", args=[record.enrolment_id, record.step_id]),
                f"{done}，佐证材料{record.files}份".lstrip("，"), record.completion_date)


# --- monthly reports ------------------------------------------------------------------------------

def _own_reports(user, filters):
    """Reports of the user's agency that are the user's desk's to move: staff draft or correct a
    draft/returned one; the leader submits a draft."""
    from cpaudit.reports.models import MonthlyReport, ReportStatus

    if user.agency_id is None:
        return MonthlyReport.objects.none()
    qs = MonthlyReport.objects.filter(agency_id=user.agency_id, campaign__status="active")
    if user.role in STAFF_ROLES:  # a draft is its 经办人's (转办 moves it), or anyone's before it has one
        qs = qs.filter(Q(prepared_by=user) | Q(prepared_by__isnull=True),
                       status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
    else:
        qs = qs.filter(status=ReportStatus.DRAFT)
    return access.scope(user, qs).select_related("campaign", "agency", "prepared_by").order_by("month", "pk")


def _own_report_item(report, today) -> Item:
    from cpaudit.reports.deadlines import due_date, report_link

    due = due_date(report.campaign, report.month)
    if report.kind == "city":
        url = reverse("reports:city_overview", args=[report.campaign.slug, f"{report.month:%Y-%m}",
                                                     report.agency_id])
    else:
        url = report_link(report.campaign, report.month, report.agency)
    who = f"（经办人：{report.prepared_by.full_name or report.prepared_by.username}）" if report.prepared_by else ""
    return Item(f"{report.campaign.name} · {report.month.year}年{report.month.month}月{report.get_kind_display()}",
                url, f"{report.get_status_display()}{who}", due, (due - today).days)


def _reports_to_accept(user, filters):
    from cpaudit.reports.models import MonthlyReport, ReportStatus

    if user.role not in (Role.CITY_STAFF, Role.PROVINCE_STAFF) or user.agency_id is None:
        return MonthlyReport.objects.none()
    return (access.scope(user, MonthlyReport.objects.filter(agency__supervisor_id=user.agency_id,
                                                            status=ReportStatus.SUBMITTED))
            .select_related("campaign", "agency").order_by("month", "agency__division_id", "pk"))


def _report_accept_item(report, today) -> Item:
    from cpaudit.reports.deadlines import report_link

    if report.kind == "city":
        url = reverse("reports:city_overview", args=[report.campaign.slug, f"{report.month:%Y-%m}",
                                                     report.agency_id])
    else:
        url = report_link(report.campaign, report.month, report.agency)
    return Item(f"{report.agency} · {report.month.year}年{report.month.month}月", url, "已报送，待接收或退回")


@dataclass
class Late:
    campaign: object
    month: dt.date
    branch: object
    due: dt.date


def late_branches(user, filters=None) -> list[Late]:
    """Branches under the user's city (or, for the province, every branch in its jurisdiction) whose
    report of this or last month is past due and not submitted. Three queries per active campaign."""
    from cpaudit.campaigns.models import Campaign, CampaignCounty
    from cpaudit.org.jurisdiction import jurisdiction_of
    from cpaudit.org.models import Agency
    from cpaudit.progress.services.derived import audit_start
    from cpaudit.reports import content as C
    from cpaudit.reports.deadlines import SUBMITTED_STATES, due_date
    from cpaudit.reports.models import MonthlyReport, ReportKind

    agency = user.agency
    if user.role not in CITY_ROLES | PROVINCE_ROLES or agency is None:
        return []
    today = clock.today()
    this_month = C.month_start(today)
    previous = C.month_start(this_month - dt.timedelta(days=1))
    rows = []
    for campaign in access.scope(user, Campaign.objects.filter(status=Campaign.Status.ACTIVE)).order_by("pk"):
        branches = Agency.objects.filter(kind__in=BRANCH_AGENCY_KINDS, division_id__in=CampaignCounty.objects.filter(
            campaign=campaign).values("county_id")).select_related("supervisor").order_by("division_id", "pk")
        if agency.kind == AgencyKind.PROVINCE:
            area = jurisdiction_of(user)
            branches = [b for b in branches if area.covers(b.division_id)]
        else:
            branches = [b for b in branches if b.supervisor_id == agency.pk and b.pk != agency.pk]
        if not branches:
            continue
        start = C.month_start(audit_start(campaign))
        months = [m for m in (previous, this_month) if m >= start and today > due_date(campaign, m)]
        submitted = set(MonthlyReport.objects.filter(
            kind=ReportKind.BRANCH, campaign=campaign, month__in=months, status__in=SUBMITTED_STATES,
            agency_id__in=[b.pk for b in branches]).values_list("agency_id", "month"))
        for month in months:
            rows += [Late(campaign, month, b, due_date(campaign, month)) for b in branches
                     if (b.pk, month) not in submitted]
    return rows


def _late_item(late: Late, today) -> Item:
    from cpaudit.reports.deadlines import report_link

    return Item(f"{late.branch} · {late.month.year}年{late.month.month}月进度报告",
                report_link(late.campaign, late.month, late.branch),
                f"{late.campaign.name}：截止{late.due:%Y-%m-%d}，已逾期{(today - late.due).days}天未报送",
                late.due, (late.due - today).days,
                action={"campaign": late.campaign.pk, "month": f"{late.month:%Y-%m}", "branch": late.branch.pk})


# --- stalled and behind-schedule enterprises (per active campaign) ---------------------------------

def _stalled(user, filters) -> list:
    from cpaudit.campaigns.models import Campaign
    from cpaudit.progress.selectors.dashboards import totals

    if user.role not in STAFF_ROLES:
        return []
    today = clock.today()
    rows = []
    for campaign in access.scope(user, Campaign.objects.filter(status=Campaign.Status.ACTIVE)).order_by("pk"):
        found = totals(user, campaign, today)
        if found.stale or found.behind:
            rows.append((campaign, found))
    return rows


def _stalled_item(row, today) -> Item:
    campaign, found = row
    url = reverse("progress:enrolment_list", args=[campaign.slug])
    return Item(f"{campaign.name}", f"{url}?stale=1",
                f"停滞{found.stale}家，未按时间节点完成{found.behind}家（点击查看停滞企业）")


# --- experts ----------------------------------------------------------------------------------------

def _scoring(user, filters):
    from cpaudit.experts.models import PanelMember, Score
    from cpaudit.experts.selectors import my_tasks

    if user.role != Role.EXPERT:
        return PanelMember.objects.none()
    return my_tasks(user).exclude(Exists(Score.objects.filter(member=OuterRef("pk")))).filter(
        panel__application__status="organizing")


def _scoring_item(member, today) -> Item:
    application = member.panel.application
    when = f"，评审日期{member.panel.meeting_date:%Y-%m-%d}" if member.panel.meeting_date else ""
    return Item(f"{application.enrolment.enterprise.name} · {application.get_kind_display()}评分",
                reverse("experts:score", args=[member.pk]),
                f"评分页附审核报告、佐证材料、方案清单和一致性提示{when}", member.panel.meeting_date)


# --- notifications --------------------------------------------------------------------------------

def _unread(user, filters):
    from cpaudit.reports.models import Notification

    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).order_by("-created_at", "-pk")


def _unread_item(note, today) -> Item:
    return Item(note.text, note.link or reverse("reports:notifications"), f"{note.created_at:%Y-%m-%d %H:%M}")


# --- administrators -------------------------------------------------------------------------------

def _lockouts(user, filters):
    from cpaudit.security.models import Lockout

    if user.role != Role.SECURITY_ADMIN:
        return Lockout.objects.none()
    return Lockout.objects.filter(until__gt=clock.server_now()).order_by("until", "pk")


def _lockout_item(lockout, today) -> Item:
    return Item(str(lockout), reverse("security:lockout_list"), f"锁定至{lockout.until:%Y-%m-%d %H:%M}")


def _incidents(user, filters):
    from cpaudit.jobs.models import Incident

    if user.role != Role.SYSTEM_ADMIN:
        return Incident.objects.none()
    return Incident.objects.filter(resolved_at__isnull=True).order_by("-pk")


def _incident_item(incident, today) -> Item:
    return Item(str(incident), reverse("jobs:status"), "待处理的运行故障")


def _findings(user, filters):
    from cpaudit.oversight.models import Finding
    from cpaudit.oversight.selectors import finding_scope

    if not access.allowed(user, "oversight.finding.review"):
        return Finding.objects.none()
    return finding_scope(user, Finding.objects.filter(reviewed_at__isnull=True)).order_by("-pk")


def _finding_item(finding, today) -> Item:
    return Item(str(finding), reverse("oversight:finding_detail", args=[finding.pk]), "待核查的异常情况")


SOURCES: dict[str, Source] = {s.key: s for s in (
    Source("steps_returned", "被退回的步骤", _steps_returned, _step_returned_item, "按退回原因修改后重新填报完成"),
    Source("steps_open", "进行中的步骤", _steps_open, _step_open_item, "完成后填报完成日期，交分局核实"),
    Source("options", "待更新的方案", _options_open, _option_item, "实施后更新方案状态和实际效益"),
    Source("deadlines", "申请截止日期", _deadlines, _deadline_item, "按期提出评估、验收申请"),
    Source("applications", "轮到您办理的评估/验收申请", _applications_todo, _application_item, "按申请流程轮到您这一环节办理的申请"),
    Source("steps_pending", "待核实的步骤", _steps_pending, _step_pending_item, "核实或退回企业填报的步骤",
           ("enterprise", "stage")),
    Source("panels", "待抽取专家组", _panels_to_draw, _panel_item, "抽取专家组，组织评估/验收"),
    Source("reports", "本单位待办月报", _own_reports, _own_report_item, "起草、修改或审批报送"),
    Source("reports_to_accept", "待接收的月报", _reports_to_accept, _report_accept_item, "接收或退回下级报送的月报"),
    Source("late", "逾期未报的分局", late_branches, _late_item, "可向逾期分局发送催报通知"),
    Source("stalled", "停滞和滞后的企业", _stalled, _stalled_item, "督促停滞和未按时间节点完成的企业"),
    Source("scoring", "待评分的评审任务", _scoring, _scoring_item, "查看材料并提交评分"),
    Source("lockouts", "登录锁定", _lockouts, _lockout_item, "核实后解除锁定"),
    Source("incidents", "运行故障", _incidents, _incident_item, "处理后标记解决"),
    Source("findings", "待核查的异常情况", _findings, _finding_item, "核查并填写核查意见"),
    Source("unread", "未读通知", _unread, _unread_item, "处理完相关事项后自动标为已读"),
)}

_ENTERPRISE = ("steps_returned", "applications", "steps_open", "options", "deadlines")
SECTIONS_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.ENTERPRISE: _ENTERPRISE,
    Role.CONSULTANT: _ENTERPRISE,
    Role.BRANCH_STAFF: ("steps_pending", "applications", "panels", "reports", "stalled"),
    Role.BRANCH_LEADER: ("applications", "reports"),
    Role.CITY_STAFF: ("applications", "panels", "reports_to_accept", "late", "reports", "stalled"),
    Role.CITY_LEADER: ("applications", "reports", "late"),
    Role.PROVINCE_STAFF: ("applications", "panels", "reports_to_accept", "late", "stalled"),
    Role.PROVINCE_LEADER: ("applications", "late"),
    Role.EXPERT: ("scoring",),
    Role.SYSTEM_ADMIN: ("incidents",),
    Role.SECURITY_ADMIN: ("lockouts",),
    Role.AUDIT_ADMIN: ("findings",),
}


def keys_for(user) -> tuple[str, ...]:
    return (*SECTIONS_BY_ROLE.get(getattr(user, "role", None), ()), "unread")


def source_for(user, key: str) -> Source | None:
    return SOURCES[key] if key in keys_for(user) else None


def sections(user, *, limit: int = LIMIT) -> list[Section]:
    """The user's workbench: each section with its count and first items."""
    today = clock.today()
    result = []
    for key in keys_for(user):
        source = SOURCES[key]
        rows = source.rows(user, {})
        result.append(Section(key, source.title, source.hint, _count(rows),
                              [source.item(row, today) for row in _slice(rows, 0, limit)]))
    return result


def section_rows(user, key: str, filters: dict):
    """The full list behind a section (the section page pages it)."""
    return SOURCES[key].rows(user, filters)


def to_items(key: str, rows) -> list[Item]:
    today = clock.today()
    return [SOURCES[key].item(row, today) for row in rows]


def next_item(user, key: str) -> Item | None:
    """The first pending item of a section (下一项): where to go after finishing one."""
    rows = _slice(SOURCES[key].rows(user, {}), 0, 1)
    return SOURCES[key].item(rows[0], clock.today()) if rows else None


def done(user, limit: int = 15) -> list:
    """已办: the user's own latest actions from the action log (the Chinese sentence of each)."""
    from cpaudit.core import logdisplay
    from cpaudit.core.models import ActionLog

    entries = ActionLog.objects.filter(actor_id=user.pk).exclude(action__startswith="security.").exclude(
        action__in=["org.user.login", "org.user.logout", "org.user.login_failed"])
    return [{"time": e.time, "label": logdisplay.action_label(e.action), "object": e.object_repr}
            for e in entries.order_by("-seq")[:limit]]
