"""Read paths of campaigns: the query shape lives here."""

from django.db.models import Count, Q, QuerySet

from cpaudit.org.access import get_in_scope, scope

from .models import Campaign, Enrolment


def campaign_list(user) -> QuerySet:
    return scope(user, Campaign.objects.all()).annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__in=scope(user, Enrolment.objects.all())), distinct=True)
    ).order_by("-year", "slug")


def campaign_detail(user, slug: str) -> Campaign:
    return get_in_scope(user, Campaign.objects.prefetch_related("county_links__county", "industries"), slug=slug)


def enrolment_list(user, campaign: Campaign, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = scope(user, Enrolment.objects.filter(campaign=campaign)).select_related(
        "enterprise", "enterprise__county", "enterprise__industry", "consulting_agency")
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__startswith=q.upper()))
    for key, lookup in (("county", "enterprise__county_id"), ("management_level", "enterprise__management_level"),
                        ("enterprise_type", "enterprise_type"), ("mode", "mode")):
        if filters.get(key):
            qs = qs.filter(**{lookup: filters[key]})
    if filters.get("industry"):
        # Industry is a foreign key on the code: a prefix (a 大类 or 中类) matches its classes.
        qs = qs.filter(enterprise__industry__code__startswith=filters["industry"])
    return qs.order_by("enterprise__county_id", "enterprise__name")


def county_counts(user, campaign: Campaign) -> list[dict]:
    return list(scope(user, Enrolment.objects.filter(campaign=campaign)).values(
        "enterprise__county_id", "enterprise__county__name").annotate(n=Count("pk")).order_by("enterprise__county_id"))
