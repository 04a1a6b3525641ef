"""Who supervises whom (监督层级): the one answer the intervention register, the anomaly findings and the
per-official record share.

- A government official is supervised by the agency above theirs (`Agency.supervisor`: a branch by its
  city, a city or a 省直管县 by the province); a province official by the province's leaders.
- An enterprise user by the branch of the enterprise's county (the agency that supervises its audit).
- An expert, a consultant, or someone without an account by the province's leaders.
The audit administrator sees everything of this kind; nobody ever sees what names themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from cpaudit.core.actors import is_system
from cpaudit.org.models import Agency
from cpaudit.org.roles import (
    BRANCH_AGENCY_KINDS,
    GOVERNMENT_ROLES,
    LEADER_ROLES,
    PROVINCE_ROLES,
    AgencyKind,
    Role,
)


@dataclass(frozen=True)
class Supervision:
    agency: Agency | None
    leaders_only: bool = False  # only the agency's leaders (the province above its own people)

    @property
    def label(self) -> str:
        if self.agency is None:
            return "审计管理员"
        return f"{self.agency}负责人" if self.leaders_only else str(self.agency)


def provinces() -> list[Agency]:
    return list(Agency.objects.filter(kind=AgencyKind.PROVINCE).order_by("pk"))


def province_for(*, county: str | None = None, agency: Agency | None = None,
                 known: list[Agency] | None = None) -> Agency | None:
    """The province agency of a county or of an agency (the first one when neither says); `known`
    (from `provinces()`) spares the query when asking for many."""
    code = county or (agency.division_id if agency is not None else None)
    known = provinces() if known is None else known
    if code:
        found = next((p for p in known if p.division_id == f"{code[:2]}0000"), None)
        if found is not None:
            return found
    return known[0] if known else None


def supervision_of(person, *, enterprise=None, fallback_agency: Agency | None = None,
                   known_provinces: list[Agency] | None = None) -> Supervision:
    """Who supervises `person` (a User with its agency and the agency's supervisor loaded, or None for
    someone without an account). `enterprise` and `fallback_agency` say which province, when it comes
    to the province's leaders; `known_provinces` spares that query."""
    role = getattr(person, "role", None)
    if role in GOVERNMENT_ROLES and person.agency_id:
        agency = person.agency
        if agency.kind == AgencyKind.PROVINCE:
            return Supervision(agency, leaders_only=True)
        if agency.supervisor_id:
            return Supervision(agency.supervisor)
    if role == Role.ENTERPRISE and person.enterprise_id:
        branch = (Agency.objects.filter(division_id=person.enterprise.county_id, kind__in=BRANCH_AGENCY_KINDS)
                  .first())
        if branch is not None:
            return Supervision(branch)
    county = enterprise.county_id if enterprise is not None else None
    province = province_for(county=county, agency=fallback_agency or getattr(person, "agency", None),
                            known=known_provinces)
    return Supervision(province, leaders_only=True)


def is_leader(user) -> bool:
    return getattr(user, "role", None) in LEADER_ROLES


def visible_q(viewer, *, agency_field: str = "supervising_agency", leaders_field: str = "leaders_only",
              named_field: str = "named_user") -> Q | None:
    """Q over rows carrying (supervising agency, leaders only, the person named): those `viewer` sees as
    the supervising level or as audit administrator, never the rows naming `viewer`. None: nothing."""
    if is_system(viewer):
        return Q()
    not_self = ~Q(**{named_field: viewer.pk})
    role = getattr(viewer, "role", None)
    if role == Role.AUDIT_ADMIN:
        return not_self
    if role in GOVERNMENT_ROLES and viewer.agency_id:
        q = Q(**{agency_field: viewer.agency_id})
        if not is_leader(viewer):
            q &= Q(**{leaders_field: False})
        return q & not_self
    return None


def supervises(viewer, person) -> bool:
    """Whether `viewer` may look at `person`'s record as their supervising level (or audit admin)."""
    if person is None or getattr(viewer, "pk", None) == person.pk:
        return False
    if getattr(viewer, "role", None) == Role.AUDIT_ADMIN:
        return True
    if getattr(viewer, "role", None) not in GOVERNMENT_ROLES or not viewer.agency_id:
        return False
    supervision = supervision_of(person)
    return (supervision.agency is not None and supervision.agency.pk == viewer.agency_id
            and (not supervision.leaders_only or is_leader(viewer)))


def supervised_officials_q(viewer) -> Q | None:
    """Q over users: the officials and experts whose record `viewer` may open (see `supervises`)."""
    deciders = Q(role__in=sorted(GOVERNMENT_ROLES | {Role.EXPERT}))
    role = getattr(viewer, "role", None)
    if role == Role.AUDIT_ADMIN:
        return deciders
    if role not in GOVERNMENT_ROLES or not viewer.agency_id:
        return None
    q = Q(role__in=sorted(GOVERNMENT_ROLES), agency__supervisor_id=viewer.agency_id) & ~Q(
        agency__kind=AgencyKind.PROVINCE)
    if viewer.agency.kind == AgencyKind.PROVINCE and is_leader(viewer):
        q |= Q(role__in=sorted(PROVINCE_ROLES), agency_id=viewer.agency_id) | Q(role=Role.EXPERT)
    return q & ~Q(pk=viewer.pk)
