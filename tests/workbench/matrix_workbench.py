"""Authorization rows of the workbench (collected by tests/test_authorization_matrix.py).

Everyone has a workbench and their own notifications section; 催报 is for city and province people
(authority.md: the city supervises its branches' reports, the province the cities'); the confirmation
page without a known action and target is 404 for everyone."""

from cpaudit.org.roles import Role

REMINDERS = {Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF, Role.PROVINCE_LEADER}


def own_section(w, rel):
    return {"key": "unread"}


MATRIX = {
    "workbench:index": (None, lambda role, rel: 200, "get"),
    "workbench:section": (own_section, lambda role, rel: 200, "get"),
    "workbench:next": (own_section, lambda role, rel: 302, "get"),
    "workbench:remind": (None, lambda role, rel: 302 if role in REMINDERS else 403, "post"),
    "workbench:confirm": (None, lambda role, rel: 404, "post"),
    # The log page's 校验日志链 (core): the audit administrator's (the check itself is logged, so it is
    # not in POSTED, whose empty posts must log nothing).
    "log_verify": (None, lambda role, rel: 200 if role == Role.AUDIT_ADMIN else 403, "post"),
}
POSTED = ["workbench:remind", "workbench:confirm"]
