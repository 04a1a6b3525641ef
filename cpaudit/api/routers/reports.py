"""/reports: monthly progress reports (每月工作进度) through cpaudit.reports' services — branch staff
draft, the leader submits (a frozen version), the supervising city's staff accept or return; the city's
consolidation is drafted and submitted the same way.

Decisions are bound to what the decider read, as on the report pages (cpaudit.reports.seen): GET
returns `seen` — for a draft the SM3 of its live content, for a submitted report its latest version —
and submit / accept / return must send it back; anything changed since is refused with 409 "stale".
"""

import datetime as dt
from typing import Any, Literal

from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema

from cpaudit.campaigns.models import Campaign
from cpaudit.core import clock
from cpaudit.core.errors import PermissionDenied
from cpaudit.org import access
from cpaudit.reports import services
from cpaudit.reports.models import MonthlyReport, ReportKind, ReportStatus, ReportVersion
from cpaudit.reports.seen import content_token, version_token

from ..errors import responses
from ..output import With
from ..paging import Paging, page_of, paginate
from ..types import Id, Month, Slug, text

router = Router(tags=["月度进度报告"])


class AgencyOut(Schema):
    id: int
    name: str


class ReportOut(Schema):
    id: int
    kind: str
    kind_label: str
    campaign: str
    agency: AgencyOut
    month: str = Field(description="YYYY-MM")
    status: str
    status_label: str
    document_number: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_campaign(obj) -> str:
        return obj.campaign.slug

    @staticmethod
    def resolve_agency(obj) -> dict:
        return {"id": obj.agency_id, "name": obj.agency.name}

    @staticmethod
    def resolve_month(obj) -> str:
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class VersionOut(Schema):
    number: int
    digest: str
    reason: str
    submitted_by: str
    submitted_at: dt.datetime

    @staticmethod
    def resolve_submitted_by(obj) -> str:
        return obj.submitted_by.full_name or obj.submitted_by.username


class ReportDetailOut(ReportOut):
    problems: str
    remarks: str
    return_reason: str
    versions: list[VersionOut]
    content: dict[str, Any] = Field(description="报告内容：已报送的为冻结版本，草稿为按当前数据生成")
    seen: str = Field(description="报送、接收或退回时须原样提交")


ReportPage = page_of(ReportOut, "ReportPage")


class ReportFilters(Paging):
    campaign: Slug | None = None
    kind: Literal[tuple(ReportKind.values)] | None = None
    status: Literal[tuple(ReportStatus.values)] | None = None
    month: Month | None = None
    agency: Id | None = None


class DraftIn(Schema):
    campaign: Slug
    month: Month
    kind: Literal[tuple(ReportKind.values)] = ReportKind.BRANCH
    problems: text(5000) = ""
    remarks: text(5000) = ""
    document_number: text(100) | None = None


class SubmitIn(Schema):
    seen: text(100) = Field(description="读取报告时得到的 seen")
    reason: text(1000) = Field("", description="更正后重新报送时必填")


class AcceptIn(Schema):
    seen: text(100)


class ReturnIn(AcceptIn):
    reason: text(1000)


def _month(value: str) -> dt.date:
    year, month = value.split("-")
    return dt.date(int(year), int(month), 1)


def _reports(user):
    access.check(user, "reports.report.view")
    return access.scope(user, MonthlyReport.objects.select_related("agency", "agency__supervisor", "campaign"))


def _report(user, pk) -> MonthlyReport:
    versions = Prefetch("versions", queryset=ReportVersion.objects.select_related("submitted_by").order_by("number"))
    return access.get_in_scope(user, _reports(user).prefetch_related(versions), pk=pk)


def _detail(user, pk) -> dict:
    report = _report(user, pk)
    content = services.content_for(report, today=clock.today())
    versions = list(report.versions.all())
    submitted = report.status in services.SUBMITTED_STATES
    seen = version_token(versions[-1] if versions else None) if submitted else content_token(content)
    return With(report, versions=versions, content=content, seen=seen)


@router.get("/reports", response=responses(ReportPage), summary="月度进度报告列表（辖区内已起草的）")
def report_list(request, filters: Query[ReportFilters]):
    qs = _reports(request.user)
    if filters.campaign:
        qs = qs.filter(campaign__slug=filters.campaign)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.month:
        qs = qs.filter(month=_month(filters.month))
    if filters.agency:
        qs = qs.filter(agency_id=filters.agency)
    return paginate(qs.order_by("-month", "agency_id", "kind"), filters)


@router.post("/reports/drafts", response=responses(ReportDetailOut),
             summary="起草或修改本单位某月的报告（经办人员；首次保存即建立报告）")
def report_draft(request, payload: DraftIn):
    user = request.user
    access.check(user, "reports.report.prepare")
    if not getattr(user, "agency_id", None):
        raise PermissionDenied("只有所属单位的经办人员可以起草月度进度报告")
    campaign = access.get_in_scope(user, Campaign.objects.all(), slug=payload.campaign)
    report = services.report_for(actor=user, campaign=campaign, agency=user.agency, month=_month(payload.month),
                                 kind=payload.kind)
    saved = services.report_save_draft(actor=user, report=report, problems=payload.problems,
                                       remarks=payload.remarks, document_number=payload.document_number)
    return _detail(user, saved.pk)


@router.get("/reports/{pk}", response=responses(ReportDetailOut), summary="月度进度报告详情与内容")
def report_detail(request, pk: Id):
    return _detail(request.user, pk)


@router.post("/reports/{pk}/submit", response=responses(ReportDetailOut), summary="审批并报送（单位负责人）")
def report_submit(request, pk: Id, payload: SubmitIn):
    report = _report(request.user, pk)
    access.check(request.user, "reports.report.submit", report)
    services.report_submit(actor=request.user, report=report, reason=payload.reason, seen=payload.seen)
    return _detail(request.user, pk)


@router.post("/reports/{pk}/accept", response=responses(ReportDetailOut), summary="接收分局月报（市局经办）")
def report_accept(request, pk: Id, payload: AcceptIn):
    report = _report(request.user, pk)
    access.check(request.user, "reports.report.review", report)
    services.report_accept(actor=request.user, report=report, seen=payload.seen)
    return _detail(request.user, pk)


@router.post("/reports/{pk}/return", response=responses(ReportDetailOut), summary="退回分局月报（市局经办，须说明原因）")
def report_return(request, pk: Id, payload: ReturnIn):
    report = _report(request.user, pk)
    access.check(request.user, "reports.report.review", report)
    services.report_return(actor=request.user, report=report, reason=payload.reason, seen=payload.seen)
    return _detail(request.user, pk)
