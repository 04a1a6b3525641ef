"""Authorization matrix rows of the options and figures pages (collected by tests/test_authorization_matrix.py).

Written from the authority rules, independently of cpaudit.org.access: everyone who sees the
enrolment sees its options and figures; only the enterprise's own users and the consulting agency it
engaged record them; outside what a role sees the answer is 404, inside without the right 403.
"""

from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role
from cpaudit.progress.models import Option

GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
RECORDERS = {Role.ENTERPRISE, Role.CONSULTANT}
BUSINESS = GOV | RECORDERS
SEES = {
    Role.ENTERPRISE: {"own"},
    Role.CONSULTANT: {"own"},  # the world's "own" enrolment is 委托 to the consultant's agency
    Role.BRANCH_STAFF: {"own", "same_county"},
    Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"},
    Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: {"own", "same_county", "other_county", "other_city"},
    Role.PROVINCE_LEADER: {"own", "same_county", "other_county", "other_city"},
}


def _rule(act_roles):
    def rule(role, rel):
        if role not in BUSINESS:
            return 403
        if rel not in SEES[role]:
            return 404
        return 200 if role in act_roles else 403

    return rule


def _enrolment(w, rel):
    return Enrolment.objects.get(enterprise=w.enterprises[rel], campaign=w.campaign)


def enrolment_kwargs(w, rel):
    return {"pk": _enrolment(w, rel).pk}


def option_kwargs(w, rel):
    option = Option.objects.create(enrolment=_enrolment(w, rel), name="矩阵测试方案", category="low", investment=1)
    return {"pk": option.pk}


def figures_kwargs(w, rel):
    return {"pk": _enrolment(w, rel).pk, "kind": "baseline"}


MATRIX = {
    "progress:option_list": (enrolment_kwargs, _rule(BUSINESS), "get"),
    "progress:option_create": (enrolment_kwargs, _rule(RECORDERS), "get"),
    "progress:option_edit": (option_kwargs, _rule(RECORDERS), "get"),
    "progress:figures_edit": (figures_kwargs, _rule(RECORDERS), "get"),
}
POSTED = ["progress:option_create", "progress:option_edit", "progress:figures_edit"]
