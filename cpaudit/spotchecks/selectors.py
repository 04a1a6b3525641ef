"""Read paths of the spot checks: who sees what (the scope rules cpaudit.org.access calls), the eligible
lists a draw starts from, the pages' lists, and the public section.

Confidentiality: a plan and what it drew are seen by the planning agency's people; others (the
government users whose jurisdiction holds a drawn enterprise, the inspectors drawn) see them from the
check date on (`core.clock.today()`), a draft never.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When

from cpaudit.core import clock
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, GOVERNMENT_ROLES

from .models import Aspect, Assignment, Finding, Inspector, Item, Plan, PlanStatus, Rectification, Stratum

PUBLISHED = (PlanStatus.DRAWN, PlanStatus.APPROVED, PlanStatus.SUPERSEDED)


def _is_system(user) -> bool:
    return getattr(user, "is_system", False)


def _government(user) -> bool:
    return getattr(user, "role", None) in GOVERNMENT_ROLES and getattr(user, "agency_id", None)


def _items_seen_after_check(user) -> Q:
    """Items of a drawn plan whose check date has come, in the user's jurisdiction or assigned to them."""
    jur = jurisdiction_of(user)
    mine = Q(pk__in=Assignment.objects.filter(inspector_id=user.pk).values("item_id"))
    where = mine if jur.empty else (jur.q("enterprise__county__code") | mine)
    return Q(plan__status__in=PUBLISHED, plan__check_date__lte=clock.today()) & where


def item_scope(user, qs):
    if _is_system(user):
        return qs
    if not _government(user):
        return qs.none()
    return qs.filter(Q(plan__agency_id=user.agency_id) | _items_seen_after_check(user))


def plan_scope(user, qs):
    if _is_system(user):
        return qs
    if not _government(user):
        return qs.none()
    seen = Item.objects.filter(_items_seen_after_check(user)).values("plan_id")
    return qs.filter(Q(agency_id=user.agency_id) | Q(pk__in=seen))


def rectification_scope(user, qs):
    if _is_system(user):
        return qs
    if getattr(user, "role", None) == "enterprise" and user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    if not _government(user):
        return qs.none()
    return qs.filter(item__in=item_scope(user, Item.objects.all()))


def _agency_and_below(agency_id) -> Q:
    return Q(user__agency_id=agency_id) | Q(user__agency__supervisor_id=agency_id)


def inspector_scope(user, qs):
    """Government people see the inspectors of their agency and of the agencies it supervises."""
    if _is_system(user):
        return qs
    if not _government(user):
        return qs.none()
    return qs.filter(_agency_and_below(user.agency_id))


def subordinate_agency_ids(agency) -> list[int]:
    """The agencies under `agency`, two levels down (a province: its cities and their branches)."""
    from cpaudit.org.models import Agency

    return list(Agency.objects.filter(Q(supervisor=agency) | Q(supervisor__supervisor=agency))
                .values_list("pk", flat=True))


# --- the eligible lists of a draw ----------------------------------------------------------------

def eligible_enrolments(actor, plan) -> list[dict]:
    """The enrolments of the plan's scope (campaign, counties, industries, reached stages) that the
    drawer sees, each with its enterprise, county, consulting agency and whether it is late (behind a
    time node or stalled). Two queries."""
    from cpaudit.progress.selectors.dashboards import enrolment_list
    from cpaudit.progress.services import derived

    today = clock.today()
    qs = enrolment_list(actor, plan.campaign, {}, today=today, targets=derived.stage_targets(plan.campaign))
    qs = qs.filter(enterprise__county_id__in=plan.counties)
    if plan.industries:
        industry_q = Q(pk__isnull=True)
        for code in plan.industries:
            industry_q |= Q(enterprise__industry__code__startswith=code)
        qs = qs.filter(industry_q)
    if plan.stages:
        qs = qs.filter(reached_stage__in=[int(s) for s in plan.stages])
    return list(qs.order_by("enterprise_id").values(
        "pk", "enterprise_id", "enterprise__county_id", "consulting_agency_id", "is_stale", "is_behind"))


def strata_of(plan, rows: list[dict], flagged: set[int]) -> dict[str, list[int]]:
    """stratum key → enterprise ids: each enterprise in the first stratum the plan samples more that it
    belongs to, the rest general. `flagged`: enrolment ids with consistency flags."""
    sampled = {key for key, share in (plan.strata or {}).items() if float(share or 0) > 0}
    complaints = set(plan.complaint_enterprises or [])
    result: dict[str, list[int]] = {key: [] for key in [*(s.value for s in Stratum if s.value in sampled),
                                                        Stratum.GENERAL.value]}
    for row in rows:
        memberships = {Stratum.COMPLAINTS: row["enterprise_id"] in complaints,
                       Stratum.CONSISTENCY: row["pk"] in flagged,
                       Stratum.LATE: bool(row["is_stale"] or row["is_behind"])}
        key = next((s.value for s in memberships if memberships[s] and s.value in sampled), Stratum.GENERAL.value)
        result[key].append(row["enterprise_id"])
    return result


def inspector_candidates(plan) -> list[dict]:
    """The active inspectors of the planning agency (and of its subordinates when the plan says so),
    with their agency's county ("" for a city or province agency) and whether their declaration of
    interest is current. Two queries."""
    from cpaudit.integrity.models import Declaration

    agencies = [plan.agency_id] + (subordinate_agency_ids(plan.agency) if plan.include_subordinates else [])
    rows = list(Inspector.objects.filter(active=True, user__is_active=True, user__agency_id__in=agencies,
                                         user__role__in=sorted(GOVERNMENT_ROLES))
                .order_by("user_id").values("user_id", "user__agency__kind", "user__agency__division_id"))
    valid_from = clock.server_now() - dt.timedelta(days=settings.CPAUDIT_DECLARATION_VALID_DAYS)
    declared = set(Declaration.objects.filter(user_id__in=[r["user_id"] for r in rows], is_current=True,
                                              declared_at__gt=valid_from).values_list("user_id", flat=True))
    return [{"id": r["user_id"], "declared": r["user_id"] in declared,
             "county": r["user__agency__division_id"] if r["user__agency__kind"] in BRANCH_AGENCY_KINDS else ""}
            for r in rows]


def recusals(inspector_ids, rows: list[dict]) -> dict[int, dict[int, str]]:
    """enterprise id → {inspector id: why it stands aside}, from the inspectors' current declarations
    of interest (a tie with the enterprise or its consulting agency). One query."""
    from cpaudit.integrity.models import Tie

    enterprises = {r["enterprise_id"] for r in rows}
    agencies = {r["consulting_agency_id"] for r in rows if r["consulting_agency_id"]}
    ties = (Tie.objects.filter(declaration__is_current=True, declaration__user_id__in=list(inspector_ids))
            .filter(Q(enterprise_id__in=enterprises) | Q(consulting_agency_id__in=agencies))
            .values_list("declaration__user_id", "enterprise_id", "consulting_agency_id", "kind"))
    by_enterprise: dict = {}
    by_agency: dict = {}
    for user_id, enterprise_id, agency_id, kind in ties:
        if enterprise_id:
            by_enterprise.setdefault(enterprise_id, []).append((user_id, kind, "本企业"))
        else:
            by_agency.setdefault(agency_id, []).append((user_id, kind, "本企业委托的咨询机构"))
    from cpaudit.integrity.models import TieKind

    result: dict[int, dict[int, str]] = {}
    for row in rows:
        found = by_enterprise.get(row["enterprise_id"], []) + by_agency.get(row["consulting_agency_id"], [])
        for user_id, kind, party in found:
            result.setdefault(row["enterprise_id"], {})[user_id] = f"已申报与{party}存在利益关系：{TieKind(kind).label}"
    return result


# --- pages ---------------------------------------------------------------------------------------

def plans(user):
    from cpaudit.org import access

    return access.scope(user, Plan.objects.select_related("agency", "campaign")).order_by("-check_date", "-pk")


def plan_items(user, plan):
    """The plan's items the user may see, with enterprise, county, inspectors and findings. Four queries."""
    from cpaudit.org import access

    return list(access.scope(user, Item.objects.filter(plan=plan)).select_related(
        "enterprise", "enterprise__county").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("inspector").order_by("order")),
        "findings").order_by("order"))


def my_items(user):
    """The items the user is drawn to inspect whose check date has come."""
    return list(Item.objects.filter(assignments__inspector_id=user.pk, plan__status__in=PUBLISHED,
                                    plan__check_date__lte=clock.today())
                .select_related("plan", "enterprise", "enterprise__county").order_by("-plan__check_date", "order"))


def rectifications(user):
    from cpaudit.org import access

    return access.scope(user, Rectification.objects.select_related("enterprise", "enterprise__county", "item__plan")
                        ).order_by("status", "deadline", "pk")


def inspectors(user):
    from cpaudit.org import access

    return list(access.scope(user, Inspector.objects.select_related("user", "user__agency"))
                .order_by("user__agency_id", "user_id"))


# --- the public page -----------------------------------------------------------------------------

def _aspect_order():
    """The findings in the order of the Aspect vocabulary (options, figures, equipment)."""
    return Case(*(When(aspect=a.value, then=Value(n)) for n, a in enumerate(Aspect)), default=Value(len(Aspect)),
                output_field=IntegerField())


def public_context(campaign) -> dict:
    """The approved plans of the campaign and their enterprises' results: no person's name, no phone,
    no inspector. Four queries."""
    plans_ = list(Plan.objects.filter(campaign=campaign, status=PlanStatus.APPROVED).select_related("agency")
                  .order_by("-check_date", "pk"))
    items = (Item.objects.filter(plan__in=plans_).select_related("enterprise", "enterprise__county")
             .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by(_aspect_order())),
                               Prefetch("rectifications", queryset=Rectification.objects.order_by("pk")))
             .order_by("plan_id", "order"))
    by_plan: dict = {}
    for item in items:
        by_plan.setdefault(item.plan_id, []).append(item)
    return {"spotcheck_plans": [{"plan": p, "items": by_plan.get(p.pk, [])} for p in plans_]}
