"""Read paths of the registry: the query shape lives here, views only call it."""

from django.db.models import Count, Q, QuerySet

from cpaudit.org.access import scope

from . import industries
from .models import ConsultingAgency, DivisionAlias, Enterprise
from .uscc import normalize

SORTS = {"county": ("county_id", "name"), "name": ("name",), "-updated": ("-updated_at",),
         "industry": ("industry_id", "name")}
# The six groups, then what is outside them, then what the registered code cannot tell.
BUCKETS = (*industries.SIX_GROUPS, industries.OUTSIDE, industries.UNDETERMINED)
LEVELS = {"class": Q(industry__level=industries.CLASS_LEVEL), "coarse": Q(industry__level__lt=industries.CLASS_LEVEL)}
TOP_CLASSES = 20


def enterprise_list(user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = scope(user, Enterprise.objects.all()).select_related("county", "county__parent", "industry")
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__startswith=normalize(q)))
    if filters.get("county"):
        qs = qs.filter(county_id=filters["county"])
    if filters.get("industry"):
        qs = qs.filter(industry__code__startswith=filters["industry"].strip().upper())
    if filters.get("group") == industries.OUTSIDE:  # the largest bucket: excluded by the others' codes
        others = [c for b in BUCKETS if b != industries.OUTSIDE for c in industries.codes_in_bucket(b)]
        qs = qs.exclude(industry_id__in=others)
    elif filters.get("group") in BUCKETS:
        qs = qs.filter(industry_id__in=industries.codes_in_bucket(filters["group"]))
    if filters.get("level") in LEVELS:
        qs = qs.filter(LEVELS[filters["level"]])
    if filters.get("management_level"):
        qs = qs.filter(management_level=filters["management_level"])
    if filters.get("water_related") in ("0", "1"):
        qs = qs.filter(water_related=filters["water_related"] == "1")
    return qs.order_by(*SORTS.get(filters.get("sort") or "county", SORTS["county"]))


def enterprise_breakdown(queryset: QuerySet) -> dict:
    """Counts of a (filtered) enterprise list by the six industries and by GB/T 4754 code, in one query:
    {"groups": [(bucket, n)], "classes": [(code, name, level_name, n)] (largest first), "total": n}."""
    rows = list(queryset.order_by().values("industry_id", "industry__name", "industry__level_name")
                .annotate(n=Count("pk")))
    groups = dict.fromkeys(BUCKETS, 0)
    for row in rows:
        groups[industries.bucket(row["industry_id"])] += row["n"]
    classes = sorted(((r["industry_id"], r["industry__name"], r["industry__level_name"], r["n"]) for r in rows),
                     key=lambda c: (-c[3], c[0]))
    return {"groups": list(groups.items()), "classes": classes[:TOP_CLASSES], "more_classes": len(classes) > TOP_CLASSES,
            "total": sum(groups.values())}


def enterprise_detail(user, pk: int) -> Enterprise:
    from cpaudit.org.access import get_in_scope

    return get_in_scope(user, Enterprise.objects.select_related("county", "county__parent", "industry"), pk=pk)


def consulting_list(user) -> QuerySet:
    return scope(user, ConsultingAgency.objects.all()).prefetch_related("industries").order_by("name")


def alias_list(user) -> QuerySet:
    return scope(user, DivisionAlias.objects.all()).select_related(
        "county", "county__parent", "county__parent__parent", "created_by").order_by("county_id", "alias")


def alias_detail(user, pk: int) -> DivisionAlias:
    from cpaudit.org.access import get_in_scope

    return get_in_scope(user, DivisionAlias.objects.select_related("county", "county__parent"), pk=pk)
