"""Read paths of 应开展未开展: what the comparison reads, in a fixed number of queries.

`coverage(user, campaign)` loads the campaign's scope, the registry's enterprises of its counties the
user sees, the user's enrolments with their progress (reached stage, stale: the progress dashboards'
definitions), the exemptions and the latest register the user sees, and runs compare.compare.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from cpaudit.campaigns.models import Campaign
from cpaudit.org.access import get_in_scope, scope
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.org.roles import GOVERNMENT_ROLES, AgencyKind
from cpaudit.progress.selectors.dashboards import annotated_enrolments, stale_q
from cpaudit.registry.models import Enterprise

from .compare import Company, Enrolled, Exempt, Result, Scope, compare
from .models import Exemption, Register
from .register import RegisterRow


def exemption_scope(user, qs: QuerySet) -> QuerySet:
    """Government people see the exemptions of their counties."""
    if getattr(user, "is_system", False):
        return qs
    if getattr(user, "role", None) not in GOVERNMENT_ROLES:
        return qs.none()
    jur = jurisdiction_of(user)
    return qs.none() if jur.empty else qs.filter(jur.q("county__code"))


def register_scope(user, qs: QuerySet) -> QuerySet:
    """A register is seen by its importing agency and the agencies above it (the province: all of its
    province's)."""
    if getattr(user, "is_system", False):
        return qs
    if getattr(user, "role", None) not in GOVERNMENT_ROLES or not user.agency_id:
        return qs.none()
    q = Q(agency_id=user.agency_id) | Q(agency__supervisor_id=user.agency_id)
    if user.agency.kind == AgencyKind.PROVINCE:
        q |= Q(agency__division__code__startswith=user.agency.division_id[:2])
    return qs.filter(q)


def campaign_for(user, slug: str) -> Campaign:
    return get_in_scope(user, Campaign.objects.prefetch_related("county_links__county", "industries"), slug=slug)


def scope_of(campaign: Campaign) -> Scope:
    """The campaign's scope (uses the prefetched county links and industries)."""
    return Scope(industries=frozenset(i.code for i in campaign.industries.all()),
                 counties={link.county_id: link.in_basin for link in campaign.county_links.all()},
                 water_only=campaign.scope_water_related, double_only=campaign.scope_double_only)


def county_names(campaign: Campaign) -> dict[str, str]:
    return {link.county_id: link.county.name for link in campaign.county_links.all()}


def latest_register(user, campaign: Campaign) -> Register | None:
    return scope(user, Register.objects.filter(campaign=campaign)).select_related("agency", "imported_by").first()


def visible_rows(user, register: Register | None) -> list[RegisterRow]:
    """The register's rows in the user's jurisdiction, and those whose county is not known (to be
    settled by a person)."""
    if register is None:
        return []
    jur = jurisdiction_of(user)
    rows = [RegisterRow.from_dict(r) for r in register.rows]
    return [r for r in rows if not r.county or jur.covers(r.county)]


def exemptions(user, campaign: Campaign) -> QuerySet:
    return scope(user, Exemption.objects.filter(campaign=campaign)).select_related(
        "county", "proposed_by", "decided_by").order_by("county_id", "name", "pk")


@dataclass
class Coverage:
    campaign: Campaign
    result: Result
    register: Register | None
    exemptions: list[Exemption]
    counties: dict[str, str]


def coverage(user, campaign: Campaign, *, today: dt.date, rows: list[RegisterRow] | None = None,
             use_latest_register: bool = True) -> Coverage:
    """The comparison for what the user sees. `rows`: a register read but not stored (the command);
    else the latest stored register the user sees, when `use_latest_register`."""
    scope_ = scope_of(campaign)
    counties = list(scope_.counties)
    companies = [Company(pk, name, uscc, county, industry, water) for pk, name, uscc, county, industry, water in
                 scope(user, Enterprise.objects.filter(county_id__in=counties)).values_list(
                     "pk", "name", "uscc", "county_id", "industry_id", "water_related").order_by("pk")]
    stale = Case(When(stale_q(campaign, today), then=Value(True)), default=Value(False), output_field=BooleanField())
    enrolled = []
    for e in annotated_enrolments(user, campaign).annotate(is_stale=stale).order_by("pk"):
        ent = e.enterprise
        company = Company(ent.pk, ent.name, ent.uscc, ent.county_id, ent.industry_id, ent.water_related)
        enrolled.append(Enrolled(e.pk, company, e.reached_stage, e.is_stale, e.scope_reason, e.last_moved))
    listed = list(exemptions(user, campaign))
    exempt = [Exempt(x.pk, x.enterprise_id, x.uscc, x.name, x.state == Exemption.State.APPROVED,
                     f"{x.get_reason_display()}（{x.get_state_display()}）")
              for x in listed if x.state != Exemption.State.REJECTED]
    register = None
    if rows is None and use_latest_register:
        register = latest_register(user, campaign)
        rows = visible_rows(user, register)
    result = compare(scope_, companies, enrolled, exempt, rows)
    return Coverage(campaign, result, register, listed, county_names(campaign))
