"""Read paths of the registry: the query shape lives here, views only call it."""

from django.db.models import Q, QuerySet

from cpaudit.org.access import scope

from .models import ConsultingAgency, Enterprise
from .uscc import normalize

SORTS = {"county": ("county_id", "name"), "name": ("name",), "-updated": ("-updated_at",),
         "industry": ("industry_id", "name")}


def enterprise_list(user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = scope(user, Enterprise.objects.all()).select_related("county", "county__parent", "industry")
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__startswith=normalize(q)))
    if filters.get("county"):
        qs = qs.filter(county_id=filters["county"])
    if filters.get("industry"):
        qs = qs.filter(industry_id__startswith=filters["industry"].strip().upper())
    if filters.get("management_level"):
        qs = qs.filter(management_level=filters["management_level"])
    if filters.get("water_related") in ("0", "1"):
        qs = qs.filter(water_related=filters["water_related"] == "1")
    return qs.order_by(*SORTS.get(filters.get("sort") or "county", SORTS["county"]))


def enterprise_detail(user, pk: int) -> Enterprise:
    from cpaudit.org.access import get_in_scope

    return get_in_scope(user, Enterprise.objects.select_related("county", "county__parent", "industry"), pk=pk)


def consulting_list(user) -> QuerySet:
    return scope(user, ConsultingAgency.objects.all()).prefetch_related("industries").order_by("name")
