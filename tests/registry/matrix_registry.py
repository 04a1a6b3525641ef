"""Authorization rows of the zone → county alias pages (collected by tests/test_authorization_matrix.py).

Written from the issue, independently of cpaudit.org.access: aliases are import configuration kept by
province and city staff for their own counties and by the system administrator (all counties, no
business data in an alias). Every government user sees the aliases of its counties (branch staff use
them when importing); outside its jurisdiction an alias is not found (404).

Relations: an alias of the county of world.enterprises[rel].
"""

from cpaudit.org.roles import Role
from cpaudit.registry.models import DivisionAlias

GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
KEEPERS = {Role.PROVINCE_STAFF, Role.CITY_STAFF, Role.SYSTEM_ADMIN}
SEES = {
    Role.BRANCH_STAFF: {"own", "same_county"},
    Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"},
    Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: {"own", "same_county", "other_county", "other_city"},
    Role.PROVINCE_LEADER: {"own", "same_county", "other_county", "other_city"},
    Role.SYSTEM_ADMIN: {"own", "same_county", "other_county", "other_city"},
}


def role_only(roles, ok=200):
    return lambda role, rel: ok if role in roles else 403


def alias_kwargs(w, rel):
    county = w.enterprises[rel].county_id
    record, _ = DivisionAlias.objects.get_or_create(alias=f"矩阵开发区{rel}", county_id=county)
    return {"pk": record.pk}


def alias_rule(ok):
    def rule(role, rel):
        if role not in GOV | {Role.SYSTEM_ADMIN}:
            return 403
        if rel not in SEES[role]:
            return 404
        return ok if role in KEEPERS else 403

    return rule


MATRIX = {
    "registry:alias_list": (None, role_only(GOV | {Role.SYSTEM_ADMIN}), "get"),
    "registry:alias_create": (None, role_only(KEEPERS), "get"),
    "registry:alias_edit": (alias_kwargs, alias_rule(200), "get"),
    "registry:alias_delete": (alias_kwargs, alias_rule(302), "post"),
}

# An empty POST meets the page's gate and, where allowed, comes back with errors, changing nothing.
POSTED = ["registry:alias_create", "registry:alias_edit"]
