"""/applications and /batches: 评估/验收 applications, their frozen versions and decisions, and the
decisions themselves (reviews and approvals, batches, result proposal and confirmation) through
cpaudit.applications.services — the table in transitions.py decides whose turn it is, as on the pages.

Every decision is bound to what the decider read: GET /applications/{id} returns `seen`
(services.basis.seen_token: the version, its digest, the SM3 of the evidence, options and figures, and
for a result the scores or the proposal); each POST must send it back unchanged, and anything changed
since is refused with 409 "stale". For a batch, GET /batches/waiting gives each application's `seen`.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from cpaudit.applications import selectors, services, transitions
from cpaudit.applications.models import Application, Batch, Decision, Kind, Outcome, Step
from cpaudit.applications.models import Status as AppStatus
from cpaudit.applications.services.basis import result_extra, seen_token, seen_tokens
from cpaudit.campaigns.models import Campaign
from cpaudit.core.errors import InvalidState
from cpaudit.org import access
from cpaudit.registry.models import ManagementLevel

from ..errors import responses
from ..output import With
from ..paging import Paging, page_of, paginate
from ..types import DivisionCode, Id, Slug, text

router = Router(tags=["评估与验收申请"])

KindLiteral = Literal[tuple(Kind.values)]
CheckKey = Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")]
DECISION_STEPS = (Step.BRANCH_REVIEW, Step.BRANCH_APPROVAL, Step.CITY_REVIEW, Step.CITY_APPROVAL,
                  Step.PROVINCE_REVIEW, Step.PROVINCE_APPROVAL)


class EnterpriseRef(Schema):
    id: int
    name: str
    uscc: str
    county: str


class ApplicationOut(Schema):
    id: int
    campaign: str
    enrolment: int
    enterprise: EnterpriseRef
    kind: str
    kind_label: str
    status: str
    status_label: str
    organizer_level: str
    organizer: str | None
    submitted_at: dt.datetime | None
    return_reason: str
    returned_level: str
    passed: bool | None
    result_date: dt.date | None
    result_label: str

    @staticmethod
    def resolve_campaign(obj) -> str:
        return obj.campaign.slug

    @staticmethod
    def resolve_enrolment(obj) -> int:
        return obj.enrolment_id

    @staticmethod
    def resolve_enterprise(obj) -> dict:
        e = obj.enrolment.enterprise
        return {"id": e.pk, "name": e.name, "uscc": e.uscc, "county": e.county_id}

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_organizer(obj) -> str | None:
        return obj.organizer.name if obj.organizer_id else None


ApplicationPage = page_of(ApplicationOut, "ApplicationPage")


class ApplicationFilters(Paging):
    campaign: Slug | None = None
    kind: KindLiteral | None = None
    status: Literal[tuple(AppStatus.values)] | None = None
    county: DivisionCode | None = None
    management_level: Literal[tuple(ManagementLevel.values)] | None = None
    q: text(100) | None = None
    todo: bool | None = Field(None, description="true：只列出轮到本人办理的申请")


class VersionOut(Schema):
    number: int
    digest: str
    submitted_by: str
    submitted_at: dt.datetime

    @staticmethod
    def resolve_submitted_by(obj) -> str:
        return obj.submitted_by.full_name or obj.submitted_by.username


class FrozenVersionOut(VersionOut):
    content: dict[str, Any] = Field(description="提交时冻结的申请表内容")


class DecisionOut(Schema):
    id: int
    version: int
    step: str
    step_label: str
    outcome: str
    outcome_label: str
    opinion: str
    checks: dict[str, Any]
    actor_name: str
    agency: str
    decided_at: dt.datetime
    transcribed: bool
    source_number: str
    source_date: dt.date | None
    voided_at: dt.datetime | None
    void_reason: str

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.version.number

    @staticmethod
    def resolve_step_label(obj) -> str:
        return obj.get_step_display()

    @staticmethod
    def resolve_outcome_label(obj) -> str:
        return obj.get_outcome_display()

    @staticmethod
    def resolve_agency(obj) -> str:
        return obj.agency.name


class NextStepOut(Schema):
    what: str
    party: str
    mine: bool
    paper: bool


class ApplicationDetailOut(ApplicationOut):
    result_opinion: str
    latest_version: FrozenVersionOut | None
    earlier_versions: list[VersionOut]
    decisions: list[DecisionOut]
    next_step: NextStepOut | None
    action: str | None = Field(description="本人现在可办理的操作：decide、batch、propose、confirm、record、edit 或 null")
    seen: str = Field(description="办理时须原样提交")


class DecisionIn(Schema):
    step: Literal[tuple(DECISION_STEPS)]
    outcome: Literal[tuple(Outcome.values)]
    opinion: text(2000) = ""
    checks: dict[CheckKey, bool] = Field(default_factory=dict, description="分局审核的两项核查（同意时必填）")
    seen: text(200)


class ProposalIn(Schema):
    opinion: text(2000) = ""
    seen: text(200)


class ConfirmationIn(Schema):
    outcome: Literal[tuple(Outcome.values)]
    opinion: text(2000) = ""
    seen: text(200)


def _applications(user):
    access.check(user, "applications.application.view")
    return selectors.applications(user)


def _application(user, pk) -> Application:
    access.check(user, "applications.application.view")
    return access.get_in_scope(user, Application.objects.select_related(
        "enrolment__enterprise__county", "enrolment__consulting_agency", "campaign", "organizer"), pk=pk)


def _route(application):
    try:
        return services.chain_route(application)
    except InvalidState:
        return None


def _action(user, application, route) -> str | None:
    if application.status in (AppStatus.DRAFT, AppStatus.RETURNED):
        return "edit" if access.allowed(user, "applications.application.prepare") else None
    if route is None:
        return None
    turn = transitions.owner(application.status, route)
    if turn is None or not turn.includes(user):
        return None
    return transitions.rows_in(application.status, route)[0].page


def _detail(user, pk) -> dict:
    application = _application(user, pk)
    versions = list(application.versions.select_related("submitted_by").order_by("-number"))
    decisions = list(Decision.objects.filter(application=application).select_related("agency", "version")
                     .order_by("decided_at", "pk"))
    route = _route(application)
    turn = transitions.owner(application.status, route) if route is not None else None
    next_step = None if turn is None else {
        "what": transitions.next_label(application.status, route), "party": turn.label or "（未确定）",
        "mine": turn.includes(user), "paper": turn.paper}
    return With(application, latest_version=versions[0] if versions else None, earlier_versions=versions[1:],
                decisions=decisions, next_step=next_step, action=_action(user, application, route),
                seen=seen_token(application, result_extra(application)))


@router.get("/applications", response=responses(ApplicationPage), summary="评估/验收申请列表")
def application_list(request, filters: Query[ApplicationFilters]):
    user = request.user
    qs = _applications(user)
    if filters.todo:
        q = selectors.todo_q(user)
        qs = qs.filter(q) if q is not None else qs.none()
    if filters.campaign:
        qs = qs.filter(campaign__slug=filters.campaign)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.county:
        qs = qs.filter(enrolment__enterprise__county_id=filters.county)
    if filters.management_level:
        qs = qs.filter(enrolment__enterprise__management_level=filters.management_level)
    if filters.q:
        qs = qs.filter(Q(enrolment__enterprise__name__icontains=filters.q)
                       | Q(enrolment__enterprise__uscc__icontains=filters.q))
    return paginate(qs, filters)


@router.get("/applications/{pk}", response=responses(ApplicationDetailOut),
            summary="申请详情：冻结的申请表、各级意见、当前办理环节与 seen")
def application_detail(request, pk: Id):
    return _detail(request.user, pk)


@router.post("/applications/{pk}/decisions", response=responses(ApplicationDetailOut),
             summary="审核或审批意见（分局、市局、省厅的经办与负责人）")
def application_decide(request, pk: Id, payload: DecisionIn):
    application = _application(request.user, pk)
    services.application_decide(actor=request.user, application=application, step=payload.step,
                                outcome=payload.outcome, opinion=payload.opinion, checks=payload.checks,
                                seen=payload.seen)
    return _detail(request.user, pk)


@router.post("/applications/{pk}/result-proposal", response=responses(ApplicationDetailOut),
             summary="按专家组评分提出结论（组织单位经办）")
def application_result_propose(request, pk: Id, payload: ProposalIn):
    application = _application(request.user, pk)
    services.application_result_propose(actor=request.user, application=application, opinion=payload.opinion,
                                        seen=payload.seen)
    return _detail(request.user, pk)


@router.post("/applications/{pk}/result-confirmation", response=responses(ApplicationDetailOut),
             summary="确认结论或退回重新组织（组织单位负责人）")
def application_result_confirm(request, pk: Id, payload: ConfirmationIn):
    application = _application(request.user, pk)
    services.application_result_confirm(actor=request.user, application=application, outcome=payload.outcome,
                                        opinion=payload.opinion, seen=payload.seen)
    return _detail(request.user, pk)


# --- batches (书面申请) -------------------------------------------------------------------------------

class BatchOut(Schema):
    id: int
    level: str
    agency: str
    recipient: str
    campaign: str
    kind: str
    number: int
    title: str
    digest: str
    submitted_by: str
    submitted_at: dt.datetime

    @staticmethod
    def resolve_agency(obj) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_recipient(obj) -> str:
        return obj.recipient.name

    @staticmethod
    def resolve_campaign(obj) -> str:
        return obj.campaign.slug

    @staticmethod
    def resolve_submitted_by(obj) -> str:
        return obj.submitted_by.full_name or obj.submitted_by.username


class BatchDetailOut(BatchOut):
    letter: str
    content: dict[str, Any] = Field(description="报送时冻结的书面申请与企业清单")


BatchPage = page_of(BatchOut, "BatchPage")


class BatchFilters(Paging):
    campaign: Slug | None = None
    kind: KindLiteral | None = None


class WaitingFilters(Paging):
    campaign: Slug
    kind: KindLiteral


class WaitingOut(ApplicationOut):
    seen: str


WaitingPage = page_of(WaitingOut, "WaitingPage")


class BatchItemIn(Schema):
    id: Id
    seen: text(200)


class BatchIn(Schema):
    campaign: Slug
    kind: KindLiteral
    applications: list[BatchItemIn] = Field(min_length=1, max_length=500)
    title: text(200) = ""
    letter: text(10000) = Field("", description="留空则按所选企业生成")


def _batches(user):
    access.check(user, "applications.batch.view")
    return access.scope(user, Batch.objects.select_related("agency", "recipient", "campaign", "submitted_by"))


def _campaign(user, slug) -> Campaign:
    return access.get_in_scope(user, Campaign.objects.all(), slug=slug)


@router.get("/batches", response=responses(BatchPage), summary="报送批（书面申请）列表")
def batch_list(request, filters: Query[BatchFilters]):
    qs = _batches(request.user)
    if filters.campaign:
        qs = qs.filter(campaign__slug=filters.campaign)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(qs.order_by("-submitted_at", "-pk"), filters)


@router.get("/batches/waiting", response=responses(WaitingPage),
            summary="待本人报送的申请及其 seen（分局、市局负责人）")
def batch_waiting(request, filters: Query[WaitingFilters]):
    access.check(request.user, "applications.batch.submit")
    campaign = _campaign(request.user, filters.campaign)
    waiting = services.waiting(request.user, campaign, filters.kind)

    def with_seen(rows):
        tokens = seen_tokens(rows)
        for application in rows:
            application.campaign = campaign  # all of the one campaign asked for: no query a row
        return [With(a, seen=tokens[a.pk]) for a in rows]

    return paginate(waiting, filters, convert=with_seen)


@router.get("/batches/{pk}", response=responses(BatchDetailOut), summary="报送批详情")
def batch_detail(request, pk: Id):
    return access.get_in_scope(request.user, _batches(request.user), pk=pk)


@router.post("/batches", response=responses(BatchDetailOut, 201), summary="报送书面申请（分局、市局负责人）")
def batch_submit(request, payload: BatchIn):
    user = request.user
    access.check(user, "applications.batch.submit")
    campaign = _campaign(user, payload.campaign)
    seen = {item.id: item.seen for item in payload.applications}
    # Only applications the leader can see: a refusal must not name one outside the jurisdiction.
    if access.scope(user, Application.objects.filter(pk__in=list(seen))).count() != len(seen):
        raise ValidationError({"applications": "所选申请不存在或不在您的管理范围内"})
    batch = services.batch_submit(actor=user, campaign=campaign, kind=payload.kind, applications=list(seen),
                                  title=payload.title, letter=payload.letter, seen=seen)
    return Status(201, access.get_in_scope(user, _batches(user), pk=batch.pk))

