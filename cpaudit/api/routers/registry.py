"""/enterprises: the registry, through cpaudit.registry's selectors and services (the same rules as the
registry pages: staff create and change everything within their jurisdiction, an enterprise user
corrects its own contact data)."""

import datetime as dt
from typing import Literal

from django.db import IntegrityError
from ninja import Query, Router, Schema
from ninja.responses import Status

from cpaudit.core.errors import InvalidState
from cpaudit.org import access
from cpaudit.registry import selectors, services
from cpaudit.registry.models import ManagementLevel
from cpaudit.registry.selectors import BUCKETS

from ..errors import responses
from ..paging import Paging, page_of, paginate
from ..types import DivisionCode, Id, IndustryCode, Money, text

router = Router(tags=["企业名录"])

Level = Literal[tuple(ManagementLevel.values)]


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str
    uscc_check_accepted: bool
    county: str
    county_name: str
    address: str
    postcode: str
    legal_representative: str
    contact_person: str
    contact_phone: str
    nature: str
    industry: str
    industry_name: str
    registered_capital: Money | None
    main_business_revenue: Money | None
    annual_output_value: Money | None
    annual_sales: Money | None
    main_products: str
    management_level: str
    management_level_label: str
    water_related: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_county(obj) -> str:
        return obj.county_id

    @staticmethod
    def resolve_county_name(obj) -> str:
        return obj.county.full_name if obj.county.parent_id else obj.county.name

    @staticmethod
    def resolve_industry(obj) -> str:
        return obj.industry_id

    @staticmethod
    def resolve_industry_name(obj) -> str:
        return obj.industry.name

    @staticmethod
    def resolve_management_level_label(obj) -> str:
        return obj.get_management_level_display()


EnterprisePage = page_of(EnterpriseOut, "EnterprisePage")


class EnterpriseFilters(Paging):
    q: text(100) | None = None
    county: DivisionCode | None = None
    industry: IndustryCode | None = None
    group: Literal[tuple(BUCKETS)] | None = None
    level: Literal["class", "coarse"] | None = None
    management_level: Level | None = None
    water_related: bool | None = None
    sort: Literal["county", "name", "-updated", "industry"] | None = None


class EnterpriseFields(Schema):
    """Every registry field; on PATCH only the ones sent change. An enterprise user may send only the
    contact fields (address, postcode, contact_person, contact_phone, main_products and the four sums)."""

    name: text(200) | None = None
    uscc: text(40) | None = None
    uscc_check_accepted: bool | None = None
    county: DivisionCode | None = None
    address: text(300) | None = None
    postcode: text(6) | None = None
    legal_representative: text(50) | None = None
    contact_person: text(50) | None = None
    contact_phone: text(50) | None = None
    nature: text(50) | None = None
    industry: IndustryCode | None = None
    registered_capital: Money | None = None
    main_business_revenue: Money | None = None
    annual_output_value: Money | None = None
    annual_sales: Money | None = None
    main_products: text(500) | None = None
    management_level: Level | None = None
    water_related: bool | None = None


class EnterpriseIn(EnterpriseFields):
    name: text(200)
    uscc: text(40)
    county: DivisionCode
    address: text(300)
    legal_representative: text(50)
    industry: IndustryCode


TEXT_DEFAULTS = ("postcode", "contact_person", "contact_phone", "nature", "main_products")


def _service_data(fields: dict) -> dict:
    """The API's names → the service's (county and industry are codes; the model stores them as *_id);
    a null text is an empty one."""
    data = {}
    for key, value in fields.items():
        if key in ("county", "industry"):
            data[f"{key}_id"] = value.upper() if key == "industry" and value else value
        elif value is None and key in TEXT_DEFAULTS + ("name", "uscc", "address", "legal_representative"):
            data[key] = ""
        elif value is None and key in ("uscc_check_accepted", "water_related", "management_level"):
            continue  # these have no "empty": leaving them out leaves them as they are
        else:
            data[key] = value
    return data


def _save(call):
    try:
        return call()
    except IntegrityError:
        raise InvalidState("该统一社会信用代码已登记", code="duplicate_uscc") from None


@router.get("/enterprises", response=responses(EnterprisePage), summary="企业列表（可筛选、分页）")
def enterprise_list(request, filters: Query[EnterpriseFilters]):
    access.check(request.user, "registry.enterprise.view")
    wanted = filters.dict(exclude={"page", "page_size"}, exclude_none=True)
    if "water_related" in wanted:
        wanted["water_related"] = "1" if wanted["water_related"] else "0"
    # county_name is the full name: the province above the city as well (one join, not a query a row).
    return paginate(selectors.enterprise_list(request.user, wanted).select_related("county__parent__parent"), filters)


@router.get("/enterprises/{pk}", response=responses(EnterpriseOut), summary="企业详情")
def enterprise_detail(request, pk: Id):
    access.check(request.user, "registry.enterprise.view")
    return selectors.enterprise_detail(request.user, pk)


@router.post("/enterprises", response=responses(EnterpriseOut, 201), summary="新增企业（经办人员，辖区内）")
def enterprise_create(request, payload: EnterpriseIn):
    access.check(request.user, "registry.enterprise.create")
    data = {"uscc_check_accepted": False, "water_related": True, "management_level": ManagementLevel.OTHER,
            **{k: "" for k in TEXT_DEFAULTS}, **_service_data(payload.dict(exclude_unset=True))}
    enterprise = _save(lambda: services.enterprise_create(actor=request.user, data=data))
    return Status(201, selectors.enterprise_detail(request.user, enterprise.pk))


@router.patch("/enterprises/{pk}", response=responses(EnterpriseOut), summary="修改企业信息")
def enterprise_update(request, pk: Id, payload: EnterpriseFields):
    access.check(request.user, "registry.enterprise.view")
    enterprise = selectors.enterprise_detail(request.user, pk)
    access.check(request.user, "registry.enterprise.change_contact", enterprise)
    data = _service_data(payload.dict(exclude_unset=True))
    _save(lambda: services.enterprise_update(actor=request.user, enterprise=enterprise, data=data))
    return selectors.enterprise_detail(request.user, pk)
