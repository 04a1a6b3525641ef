"""Which counties a user's agency answers for. Computed once per user object and cached on it."""

from dataclasses import dataclass

from .models import Agency, Division
from .roles import BRANCH_ROLES, CITY_ROLES, PROVINCE_ROLES, AgencyKind


@dataclass(frozen=True)
class Jurisdiction:
    """Either every county whose code starts with `prefix` (a province), or an explicit set."""

    counties: frozenset[str] = frozenset()
    prefix: str | None = None

    def covers(self, county_code: str | None) -> bool:
        if not county_code:
            return False
        if self.prefix is not None:
            return county_code.startswith(self.prefix)
        return county_code in self.counties

    def q(self, path: str):
        from django.db.models import Q

        if self.prefix is not None:
            return Q(**{f"{path}__startswith": self.prefix})
        return Q(**{f"{path}__in": sorted(self.counties)})

    @property
    def empty(self) -> bool:
        return self.prefix is None and not self.counties


NONE = Jurisdiction()


def agency_counties(agency: Agency) -> Jurisdiction:
    if agency.kind == AgencyKind.PROVINCE:
        return Jurisdiction(prefix=agency.division_id[:2])
    if agency.kind in (AgencyKind.COUNTY, AgencyKind.DIRECT_COUNTY):
        return Jurisdiction(counties=frozenset({agency.division_id}))
    # A city-level agency answers for the counties whose branches it supervises (configuration).
    codes = Agency.objects.filter(supervisor=agency, kind=AgencyKind.COUNTY).values_list("division_id", flat=True)
    return Jurisdiction(counties=frozenset(codes))


def jurisdiction_of(user) -> Jurisdiction:
    cached = getattr(user, "_cpaudit_jurisdiction", None)
    if cached is not None:
        return cached
    result = NONE
    role = getattr(user, "role", "")
    if getattr(user, "is_system", False):
        result = Jurisdiction(prefix="")
    elif role in BRANCH_ROLES | CITY_ROLES | PROVINCE_ROLES and user.agency_id:
        agency = user.agency
        if role in BRANCH_ROLES and agency.kind not in (AgencyKind.COUNTY, AgencyKind.DIRECT_COUNTY):
            result = NONE
        else:
            result = agency_counties(agency)
    try:
        user._cpaudit_jurisdiction = result
    except AttributeError:  # frozen SystemActor
        pass
    return result


def county_choices(user):
    """Counties the user may assign an enterprise to."""
    return Division.objects.filter(jurisdiction_of(user).q("code"), level=Division.Level.COUNTY)
