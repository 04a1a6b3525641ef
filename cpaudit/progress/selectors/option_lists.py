"""Read paths of the options behind the dashboard's option, investment and benefit figures (the option
list page). The query shape lives here; a fixed number of queries whatever the number of options."""

from django.db.models import Q, QuerySet

from cpaudit.campaigns.models import Campaign
from cpaudit.org.access import scope
from cpaudit.progress import industry_groups
from cpaudit.progress.models import BENEFITS, Option, OptionStatus


def options_in_scope(user, campaign: Campaign) -> QuerySet:
    """The options of the user's enrolments of the campaign (input to services.rollups)."""
    return scope(user, Option.objects.filter(enrolment__campaign=campaign))


BENEFIT_SUFFIXES = tuple(suffix for suffix, _ in BENEFITS)


def flagged_q() -> Q:
    return ~Q(flags=[])


def option_list(user, campaign: Campaign, filters: dict | None = None) -> QuerySet:
    """The user's options of the campaign, filtered as the dashboard's links ask.

    filters: q (option or enterprise name), county, industry (code prefix), industry_group (one of the
    six industries, or industry_groups.OTHER_KEY), category, status,
    counted (not abandoned: what the expected sums count), benefit (a BENEFITS suffix: options with an
    expected or achieved figure for it), flagged (achieved above the campaign's factor × expected)."""
    filters = filters or {}
    qs = options_in_scope(user, campaign).select_related(
        "enrolment", "enrolment__enterprise", "enrolment__enterprise__county", "source_step")
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(enrolment__enterprise__name__icontains=q))
    if filters.get("enterprise"):
        qs = qs.filter(enrolment__enterprise_id=filters["enterprise"])
    if filters.get("county"):
        qs = qs.filter(enrolment__enterprise__county_id=filters["county"])
    if filters.get("industry"):
        qs = qs.filter(enrolment__enterprise__industry__code__startswith=filters["industry"].upper())
    if filters.get("industry_group"):
        qs = qs.filter(industry_groups.group_q(filters["industry_group"], "enrolment__enterprise__industry_id"))
    for key in ("category", "status"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("counted"):
        qs = qs.exclude(status=OptionStatus.ABANDONED)
    if filters.get("benefit") in BENEFIT_SUFFIXES:
        suffix = filters["benefit"]
        qs = qs.filter(Q(**{f"expected_{suffix}__gt": 0}) | Q(**{f"achieved_{suffix}__gt": 0}))
    if filters.get("flagged"):
        qs = qs.filter(flagged_q())
    return qs.order_by("enrolment__enterprise__county_id", "enrolment__enterprise__name", "pk")


def flagged_count(options: QuerySet) -> int:
    """Options with at least one benefit flag (achieved above factor × expected). One query."""
    return options.filter(flagged_q()).count()
