"""Authorization rows of the workbench (collected by tests/test_authorization_matrix.py).

Everyone has a workbench and their own notifications section; 催报 is for city and province people
(authority.md: the city supervises its branches' reports, the province the cities'); the confirmation
page without a known action and target is 404 for everyone."""

from cpaudit.org.roles import Role

REMINDERS = {Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF, Role.PROVINCE_LEADER}


def own_section(w, rel):
    return {"key": "unread"}


SEES = {  # as tests/test_authorization_matrix.py (authority.md § Roles); experts see only their panels'
    Role.ENTERPRISE: {"own"}, Role.CONSULTANT: {"own"},
    Role.BRANCH_STAFF: {"own", "same_county"}, Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"}, Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: {"own", "same_county", "other_county", "other_city"},
    Role.PROVINCE_LEADER: {"own", "same_county", "other_county", "other_city"},
}
ADMINS = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}


def submitted_application(w, rel):
    from cpaudit.applications.models import Status
    from tests.applications.viewfixtures import make_application

    return {"pk": make_application(w, rel, status=Status.BRANCH_REVIEW).pk}


def withdraw_rule(role, rel):
    """撤回: only the enterprise itself (its consulting agency prepares but never submits or withdraws)."""
    if role in ADMINS:
        return 403
    if rel not in SEES.get(role, set()):
        return 404
    return 302 if role == Role.ENTERPRISE else 403


MATRIX = {
    "workbench:index": (None, lambda role, rel: 200, "get"),
    "workbench:section": (own_section, lambda role, rel: 200, "get"),
    "workbench:next": (own_section, lambda role, rel: 302, "get"),
    "workbench:remind": (None, lambda role, rel: 302 if role in REMINDERS else 403, "post"),
    "workbench:confirm": (None, lambda role, rel: 404, "post"),
    "applications:withdraw": (submitted_application, withdraw_rule, "post"),
    # The log page's 校验日志链 (core): the audit administrator's (the check itself is logged, so it is
    # not in POSTED, whose empty posts must log nothing).
    "log_verify": (None, lambda role, rel: 200 if role == Role.AUDIT_ADMIN else 403, "post"),
}
POSTED = ["workbench:remind", "workbench:confirm"]
