"""Authorization rows for the form and batch-letter downloads (collected by
tests/test_authorization_matrix.py).

Written from authority.md (§ Roles, § The application chain), not from cpaudit.org.access. A form:
government roles see the applications of their jurisdiction (a branch its county, a city its
counties, the province all), the enterprise its own, the consultant those of the enterprise that
engaged it (world.enterprises["own"]), an expert only applications of a panel it sits on (none
here); outside that 404, administrators 403. A batch letter: government roles whose jurisdiction
covers the sending unit, outside 404; every other role 403.

Relations: the application of world.enterprises[rel]; the batch of "own"/"same_county" is
world.branch_a's, "other_county" world.branch_b's, "other_city" world.branch_sjz's.
"""

from cpaudit.org.roles import Role

from .docfixtures import make_application, make_batch

GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
ALL = {"own", "same_county", "other_county", "other_city"}
SEES = {
    Role.BRANCH_STAFF: {"own", "same_county"}, Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"}, Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: ALL, Role.PROVINCE_LEADER: ALL,
    Role.ENTERPRISE: {"own"}, Role.CONSULTANT: {"own"}, Role.EXPERT: set(),
}


def form_kwargs(w, rel):
    return {"pk": make_application(w, rel).pk, "fmt": "docx"}


def batch_kwargs(w, rel):
    agency = {"own": w.branch_a, "same_county": w.branch_a, "other_county": w.branch_b,
              "other_city": w.branch_sjz}[rel]
    return {"pk": make_batch(w, agency).pk, "fmt": "docx"}


def form_rule(role, rel):
    if role not in SEES:
        return 403
    return 200 if rel in SEES[role] else 404


def batch_rule(role, rel):
    if role not in GOV:
        return 403
    return 200 if rel in SEES[role] else 404


MATRIX = {
    "applications:form_download": (form_kwargs, form_rule, "get"),
    "applications:batch_download": (batch_kwargs, batch_rule, "get"),
}
