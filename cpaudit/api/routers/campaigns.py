"""/campaigns and /enrolments: campaigns (read) and the enterprises enrolled in them (read; staff enrol
and change within their jurisdiction), through cpaudit.campaigns' selectors and services."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from cpaudit.campaigns import selectors, services
from cpaudit.campaigns.models import AuditMode, Campaign, Enrolment, EnterpriseType
from cpaudit.core.errors import InvalidState
from cpaudit.org import access
from cpaudit.registry.models import ConsultingAgency, Enterprise, ManagementLevel

from ..errors import responses
from ..paging import Paging, page_of, paginate
from ..types import Day, DivisionCode, Id, IndustryCode, Slug, text

router = Router(tags=["审核批次与名单"])

ENROLMENT_RELATED = ("campaign", "enterprise", "enterprise__county", "consulting_agency")


class CountyOut(Schema):
    code: str
    name: str
    in_basin: bool


class CampaignOut(Schema):
    slug: str
    name: str
    year: int
    status: str
    status_label: str
    document_number: str
    notice_title: str
    notice_number: str
    notice_issuer: str
    notice_date: dt.date | None
    owner_agency: str | None
    report_day: int
    evaluation_deadline: dt.date
    acceptance_deadline: dt.date
    fee_threshold: Decimal
    acceptance_time_limit_days: int
    enrolled: int

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_owner_agency(obj) -> str | None:
        return obj.owner_agency.name if obj.owner_agency_id else None


class CampaignDetailOut(CampaignOut):
    counties: list[CountyOut]
    industries: list[str]

    @staticmethod
    def resolve_counties(obj) -> list[dict]:
        return [{"code": link.county_id, "name": link.county.name, "in_basin": link.in_basin}
                for link in obj.county_links.all()]

    @staticmethod
    def resolve_industries(obj) -> list[str]:
        return sorted(i.code for i in obj.industries.all())


CampaignPage = page_of(CampaignOut, "CampaignPage")


class CampaignFilters(Paging):
    status: Literal[tuple(Campaign.Status.values)] | None = None
    year: Annotated[int, Field(ge=2000, le=2100)] | None = None


class EnterpriseRef(Schema):
    id: int
    name: str
    uscc: str
    county: str


class AgencyRef(Schema):
    id: int
    name: str


class EnrolmentOut(Schema):
    id: int
    campaign: str
    enterprise: EnterpriseRef
    audit_round: int
    mode: str
    consulting_agency: AgencyRef | None
    start_date: dt.date | None
    end_date: dt.date | None
    enterprise_type: str
    enterprise_type_label: str
    has_deadline_project: bool
    deadline_project_done: bool | None
    has_violation: bool

    @staticmethod
    def resolve_campaign(obj) -> str:
        return obj.campaign.slug

    @staticmethod
    def resolve_enterprise(obj) -> dict:
        e = obj.enterprise
        return {"id": e.pk, "name": e.name, "uscc": e.uscc, "county": e.county_id}

    @staticmethod
    def resolve_enterprise_type_label(obj) -> str:
        return obj.get_enterprise_type_display()


EnrolmentPage = page_of(EnrolmentOut, "EnrolmentPage")


class EnrolmentFilters(Paging):
    q: text(100) | None = None
    county: DivisionCode | None = None
    industry: IndustryCode | None = None
    management_level: Literal[tuple(ManagementLevel.values)] | None = None
    enterprise_type: Literal[tuple(EnterpriseType.values)] | None = None
    mode: Literal[tuple(AuditMode.values)] | None = None


class EnrolmentFields(Schema):
    """Table 1's fields about the audit; on PATCH only the ones sent change."""

    audit_round: Annotated[int, Field(ge=1, le=99)] | None = None
    mode: Literal[tuple(AuditMode.values)] | None = None
    consulting_agency: Id | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    enterprise_type: Literal[tuple(EnterpriseType.values)] | None = None
    has_deadline_project: bool | None = None
    deadline_project_done: bool | None = None
    has_violation: bool | None = None
    # Required to enrol an enterprise of a county outside the basin (campaigns.services.check_campaign_scope).
    scope_reason: Annotated[str, Field(max_length=300)] | None = None


class EnrolmentIn(EnrolmentFields):
    enterprise: Id


def _campaign(user, slug) -> Campaign:
    access.check(user, "campaigns.campaign.view")
    return selectors.campaign_detail(user, slug)


def _enrolment(user, pk) -> Enrolment:
    access.check(user, "campaigns.enrolment.view")
    return access.get_in_scope(user, Enrolment.objects.select_related(*ENROLMENT_RELATED), pk=pk)


def _service_data(user, fields: dict) -> dict:
    data = {}
    for key, value in fields.items():
        if key == "consulting_agency":
            if value is not None and not access.scope(user, ConsultingAgency.objects.filter(pk=value)).exists():
                raise ValidationError({"consulting_agency": "咨询机构不存在"})
            data["consulting_agency_id"] = value
        elif value is None and key in ("audit_round", "mode", "enterprise_type", "has_deadline_project", "has_violation",
                                       "scope_reason"):
            continue
        else:
            data[key] = value
    return data


@router.get("/campaigns", response=responses(CampaignPage), summary="审核批次列表")
def campaign_list(request, filters: Query[CampaignFilters]):
    access.check(request.user, "campaigns.campaign.view")
    qs = selectors.campaign_list(request.user).select_related("owner_agency")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    return paginate(qs, filters)


@router.get("/campaigns/{slug}", response=responses(CampaignDetailOut), summary="审核批次详情")
def campaign_detail(request, slug: Slug):
    campaign = _campaign(request.user, slug)
    campaign.enrolled = access.scope(request.user, Enrolment.objects.filter(campaign=campaign)).count()
    return campaign


@router.get("/campaigns/{slug}/enrolments", response=responses(EnrolmentPage), summary="批次内的审核企业名单")
def enrolment_list(request, slug: Slug, filters: Query[EnrolmentFilters]):
    campaign = _campaign(request.user, slug)
    access.check(request.user, "campaigns.enrolment.view")
    wanted = filters.dict(exclude={"page", "page_size", "industry"}, exclude_none=True)
    qs = selectors.enrolment_list(request.user, campaign, wanted).select_related("campaign")
    if filters.industry:
        # By code prefix, as the registry's list does (the selector's own industry filter cannot run:
        # a prefix lookup on the foreign key column).
        qs = qs.filter(enterprise__industry__code__startswith=filters.industry.upper())
    return paginate(qs, filters)


@router.post("/campaigns/{slug}/enrolments", response=responses(EnrolmentOut, 201),
             summary="将企业列入批次名单（经办人员，辖区内）")
def enrolment_create(request, slug: Slug, payload: EnrolmentIn):
    access.check(request.user, "campaigns.enrolment.change")
    campaign = _campaign(request.user, slug)
    enterprise = access.scope(request.user, Enterprise.objects.filter(pk=payload.enterprise)).first()
    if enterprise is None:
        raise ValidationError({"enterprise": "企业不存在或不在您的辖区内"})
    data = _service_data(request.user, payload.dict(exclude_unset=True, exclude={"enterprise"}))
    try:
        enrolment = services.enrolment_save(actor=request.user, enrolment=None, campaign=campaign,
                                            enterprise=enterprise, data=data)
    except IntegrityError:
        raise InvalidState("该企业已在本批次名单中", code="duplicate_enrolment") from None
    return Status(201, _enrolment(request.user, enrolment.pk))


@router.get("/enrolments/{pk}", response=responses(EnrolmentOut), summary="审核企业（参审信息）详情")
def enrolment_detail(request, pk: Id):
    return _enrolment(request.user, pk)


@router.patch("/enrolments/{pk}", response=responses(EnrolmentOut), summary="修改参审信息（经办人员）")
def enrolment_update(request, pk: Id, payload: EnrolmentFields):
    enrolment = _enrolment(request.user, pk)
    access.check(request.user, "campaigns.enrolment.change", enrolment.enterprise)
    data = _service_data(request.user, payload.dict(exclude_unset=True))
    services.enrolment_save(actor=request.user, enrolment=enrolment, data=data)
    return _enrolment(request.user, pk)
