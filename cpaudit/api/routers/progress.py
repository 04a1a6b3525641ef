"""/steps and /options: an enrolment's 35 steps (the enterprise or its engaged agency records, branch
staff confirm, return or reopen) and its cleaner production options, through cpaudit.progress' services.

A step's review is bound to what the reviewer saw, as on the step page: GET returns `seen`
(services.steps.review_version: the last recording and the newest file), and confirming or returning
must send it back; a step recorded again or given a new file since is refused with 409 "stale_review".
"""

import datetime as dt
from typing import Literal

from django.db.models import Prefetch, Q
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status
from pydantic import create_model

from cpaudit.campaigns.models import Enrolment
from cpaudit.org import access
from cpaudit.progress.models import (
    BENEFITS,
    Evidence,
    Option,
    OptionCategory,
    OptionStatus,
    ReviewStatus,
    StepRecord,
    StepStatus,
)
from cpaudit.progress.services import steps as step_services
from cpaudit.progress.services.options import option_save
from cpaudit.progress.steps import step as step_info

from ..errors import responses
from ..paging import Paging, page_of, paginate
from ..types import Day, Id, Money, Quantity, Slug, text

router = Router(tags=["审核进展与清洁生产方案"])

def _name(user) -> str | None:
    return (user.full_name or user.username) if user is not None else None


class EvidenceOut(Schema):
    id: int
    name: str
    kind: str
    size: int
    digest: str
    uploaded_at: dt.datetime
    is_current: bool

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.original_name


class StepRecordOut(Schema):
    id: int | None = Field(description="未开始且没有记录时为 null")
    enrolment: int
    step: int
    step_name: str
    stage: int
    status: str
    status_label: str
    start_date: dt.date | None
    completion_date: dt.date | None
    note: str
    recorded_by: str | None
    recorded_at: dt.datetime | None
    review: str
    review_label: str
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_reason: str
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_enrolment(obj) -> int:
        return obj.enrolment_id

    @staticmethod
    def resolve_step(obj) -> int:
        return obj.step_id

    @staticmethod
    def resolve_step_name(obj) -> str:
        return step_info(obj.step_id).name

    @staticmethod
    def resolve_stage(obj) -> int:
        return step_info(obj.step_id).stage

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_review_label(obj) -> str:
        return obj.get_review_display()

    @staticmethod
    def resolve_recorded_by(obj) -> str | None:
        return _name(obj.recorded_by)

    @staticmethod
    def resolve_reviewed_by(obj) -> str | None:
        return _name(obj.reviewed_by)

    @staticmethod
    def resolve_evidence(obj) -> list:
        return list(obj.evidence.all())



class StepRecordDetailOut(StepRecordOut):
    seen: str = Field(description="核实或退回时须原样提交（反映最近一次填报与最新的佐证材料）")

    @staticmethod
    def resolve_seen(obj) -> str:
        return step_services.review_version(obj) if obj.pk else ""


StepRecordPage = page_of(StepRecordOut, "StepRecordPage")


class StepFilters(Paging):
    status: Literal[tuple(StepStatus.values)] | None = None
    review: Literal[tuple(ReviewStatus.values)] | None = None
    stage: int | None = Field(None, ge=1, le=7)


class StepIn(Schema):
    status: Literal[tuple(StepStatus.values)]
    start_date: Day | None = None
    completion_date: Day | None = None
    note: text(2000) = ""


class ConfirmIn(Schema):
    seen: text(100) = Field(description="读取该步骤时得到的 seen")


class ReturnIn(ConfirmIn):
    reason: text(1000)


class ReopenIn(Schema):
    reason: text(1000)


def _records():
    return StepRecord.objects.select_related("recorded_by", "reviewed_by").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("-uploaded_at", "-pk")))


def _enrolment(user, pk) -> Enrolment:
    access.check(user, "progress.step.view")
    return access.get_in_scope(user, Enrolment.objects.select_related("campaign", "enterprise"), pk=pk)


def _record(user, pk) -> StepRecord:
    access.check(user, "progress.step.view")
    return access.get_in_scope(user, _records(), pk=pk)


@router.get("/enrolments/{pk}/steps", response=responses(StepRecordPage),
            summary="审核企业已填报的步骤（未出现的步骤为未开始）")
def step_list(request, pk: Id, filters: Query[StepFilters]):
    enrolment = _enrolment(request.user, pk)
    qs = _records().filter(enrolment=enrolment)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.review:
        qs = qs.filter(review=filters.review)
    if filters.stage:
        qs = qs.filter(step__stage=filters.stage)
    return paginate(qs.order_by("step_id"), filters)


@router.get("/steps/{pk}", response=responses(StepRecordDetailOut), summary="一个步骤的填报、佐证材料与核实情况")
def step_detail(request, pk: Id):
    return _record(request.user, pk)


@router.put("/enrolments/{pk}/steps/{number}", response=responses(StepRecordDetailOut),
            summary="填报一个步骤（企业或受托咨询机构）")
def step_record(request, pk: Id, payload: StepIn, number: int = Path(..., ge=1, le=35)):
    enrolment = _enrolment(request.user, pk)
    access.check(request.user, "progress.step.record", enrolment)
    record = step_services.step_record(actor=request.user, enrolment=enrolment, step_number=number,
                                       status=payload.status, start_date=payload.start_date,
                                       completion_date=payload.completion_date, note=payload.note)
    if record.pk is None:  # 未开始 with nothing to keep: no row, as on the page
        return _blank(enrolment.pk, number)
    return _record(request.user, record.pk)


def _blank(enrolment_id: int, number: int) -> dict:
    return {"id": None, "enrolment": enrolment_id, "step": number,
            "step_name": step_info(number).name, "stage": step_info(number).stage,
            "status": StepStatus.NOT_STARTED, "status_label": StepStatus.NOT_STARTED.label, "start_date": None,
            "completion_date": None, "note": "", "recorded_by": None, "recorded_at": None,
            "review": ReviewStatus.NONE, "review_label": ReviewStatus.NONE.label, "reviewed_by": None,
            "reviewed_at": None, "review_reason": "", "evidence": [], "seen": ""}


def _reviewed(user, pk, right: str) -> StepRecord:
    record = _record(user, pk)
    access.check(user, right, record)
    return record


@router.post("/steps/{pk}/confirm", response=responses(StepRecordDetailOut), summary="核实步骤（分局经办）")
def step_confirm(request, pk: Id, payload: ConfirmIn):
    record = _reviewed(request.user, pk, "progress.step.review")
    step_services.step_confirm(actor=request.user, record=record, version=payload.seen)
    return _record(request.user, pk)


@router.post("/steps/{pk}/return", response=responses(StepRecordDetailOut), summary="退回步骤（分局经办，须说明原因）")
def step_return(request, pk: Id, payload: ReturnIn):
    record = _reviewed(request.user, pk, "progress.step.review")
    step_services.step_return(actor=request.user, record=record, reason=payload.reason, version=payload.seen)
    return _record(request.user, pk)


@router.post("/steps/{pk}/reopen", response=responses(StepRecordDetailOut), summary="重新打开已核实的步骤（分局经办）")
def step_reopen(request, pk: Id, payload: ReopenIn):
    record = _reviewed(request.user, pk, "progress.step.reopen")
    step_services.step_reopen(actor=request.user, record=record, reason=payload.reason)
    return _record(request.user, pk)


# --- options ---------------------------------------------------------------------------------------

BENEFIT_FIELDS = [f"{kind}_{suffix}" for kind in ("expected", "achieved") for suffix, _ in BENEFITS]


class FlagOut(Schema):
    field: str
    label: str
    expected: str
    achieved: str
    factor: str


OptionBase = create_model(
    "OptionBase", __base__=Schema,
    id=(int, ...), enrolment=(int, ...), enterprise=(str, ...), name=(str, ...), category=(str, ...),
    category_label=(str, ...), category_reason=(str, ...), source_step=(int | None, ...),
    investment=(Money, ...), status=(str, ...), status_label=(str, ...), planned_date=(dt.date | None, ...),
    actual_date=(dt.date | None, ...), abandon_reason=(str, ...), other_pollutant=(str, ...),
    flags=(list[FlagOut], ...), updated_at=(dt.datetime, ...),
    **{name: (Quantity | None, ...) for name in BENEFIT_FIELDS})


class OptionOut(OptionBase):
    @staticmethod
    def resolve_enrolment(obj) -> int:
        return obj.enrolment_id

    @staticmethod
    def resolve_enterprise(obj) -> str:
        return obj.enrolment.enterprise.name

    @staticmethod
    def resolve_source_step(obj) -> int | None:
        return obj.source_step_id

    @staticmethod
    def resolve_category_label(obj) -> str:
        return obj.get_category_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


OptionPage = page_of(OptionOut, "OptionPage")


class OptionFilters(Paging):
    campaign: Slug | None = None
    enrolment: Id | None = None
    category: Literal[tuple(OptionCategory.values)] | None = None
    status: Literal[tuple(OptionStatus.values)] | None = None
    q: text(100) | None = None
    flagged: bool | None = None


OptionFields = create_model(
    "OptionFields", __base__=Schema, __doc__="方案的字段；修改时只改动提交的字段。类别留空则按投资额与批次分界建议。",
    name=(text(200) | None, None), category=(Literal[tuple(OptionCategory.values)] | None, None),
    category_reason=(text(300) | None, None), source_step=(int | None, Field(None, ge=1, le=35)),
    investment=(Money | None, None), status=(Literal[tuple(OptionStatus.values)] | None, None),
    planned_date=(Day | None, None), actual_date=(Day | None, None), abandon_reason=(text(300) | None, None),
    other_pollutant=(text(50) | None, None),
    **{name: (Quantity | None, None) for name in BENEFIT_FIELDS})


def _options(user):
    access.check(user, "progress.step.view")
    return access.scope(user, Option.objects.select_related("enrolment__enterprise"))


def _option(user, pk) -> Option:
    return access.get_in_scope(user, _options(user), pk=pk)


def _option_data(payload) -> dict:
    data = payload.dict(exclude_unset=True)
    for key in ("name", "category_reason", "abandon_reason", "other_pollutant"):
        if key in data and data[key] is None:
            data[key] = ""
    return data


@router.get("/options", response=responses(OptionPage), summary="清洁生产方案列表（可按批次、企业、类别、状态筛选）")
def option_list(request, filters: Query[OptionFilters]):
    qs = _options(request.user)
    if filters.campaign:
        qs = qs.filter(enrolment__campaign__slug=filters.campaign)
    if filters.enrolment:
        qs = qs.filter(enrolment_id=filters.enrolment)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(enrolment__enterprise__name__icontains=filters.q))
    if filters.flagged is not None:
        qs = qs.exclude(flags=[]) if filters.flagged else qs.filter(flags=[])
    return paginate(qs.order_by("enrolment_id", "pk"), filters)


@router.get("/options/{pk}", response=responses(OptionOut), summary="清洁生产方案详情")
def option_detail(request, pk: Id):
    return _option(request.user, pk)


@router.post("/enrolments/{pk}/options", response=responses(OptionOut, 201),
             summary="新增清洁生产方案（企业或受托咨询机构）")
def option_create(request, pk: Id, payload: OptionFields):
    enrolment = _enrolment(request.user, pk)
    access.check(request.user, "progress.option.change", enrolment)
    option = option_save(actor=request.user, enrolment=enrolment, option=None, data=_option_data(payload))
    return Status(201, _option(request.user, option.pk))


@router.patch("/options/{pk}", response=responses(OptionOut), summary="修改清洁生产方案（企业或受托咨询机构）")
def option_update(request, pk: Id, payload: OptionFields):
    option = _option(request.user, pk)
    access.check(request.user, "progress.option.change", option.enrolment)
    option_save(actor=request.user, enrolment=option.enrolment, option=option, data=_option_data(payload))
    return _option(request.user, pk)
