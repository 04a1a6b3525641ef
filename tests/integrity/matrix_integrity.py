"""Authorization rows of the intervention register (collected by tests/test_authorization_matrix.py).

Written from issue 10, independently of cpaudit.org.access: anyone logged in may record and open the
register; an entry is seen by whoever recorded it, by the supervising level of the person it names
(the agency above theirs) and by the audit administrator — anyone else gets 404, as for an entry that
does not exist. Following it up is for government people who see it (the service then wants the
supervising agency's leader, or the owner).

Relations: the world's enterprise user records an entry naming — own: the branch's staff member
(竞秀区, supervised by 保定); same_county: the branch's leader; other_county: a staff member of 莲池区
(also 保定); other_city: a staff member of 长安区 (supervised by 石家庄, where the world has nobody).
"""

import datetime as dt

from cpaudit.org.roles import Role

from ..factories import make_user

ALL = set(Role)
GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}


def _named(w, rel):
    if rel == "own":
        return w.users[Role.BRANCH_STAFF]
    if rel == "same_county":
        return w.users[Role.BRANCH_LEADER]
    agency = w.branch_b if rel == "other_county" else w.branch_sjz
    return make_user(f"named_{rel}", Role.BRANCH_STAFF, agency=agency)


def entry_kwargs(w, rel):
    from cpaudit.integrity.interventions import intervention_record

    item = intervention_record(actor=w.users[Role.ENTERPRISE], kind="greeting", occurred_on=dt.date(2020, 7, 1),
                               intervener="某人", content="打招呼", named_user=_named(w, rel))
    return {"pk": item.pk}


def _sees(role, rel):
    visible = {Role.ENTERPRISE, Role.AUDIT_ADMIN}
    if rel != "other_city":
        visible |= {Role.CITY_STAFF, Role.CITY_LEADER}
    return role in visible


def detail_rule(role, rel):
    return 200 if _sees(role, rel) else 404


def follow_up_rule(role, rel):
    if not _sees(role, rel):
        return 404
    return 200 if role in GOV else 403


MATRIX = {
    "integrity:intervention_list": (None, lambda role, rel: 200, "get"),
    "integrity:intervention_create": (None, lambda role, rel: 200, "get"),
    "integrity:intervention_detail": (entry_kwargs, detail_rule, "get"),
    "integrity:intervention_follow_up": (entry_kwargs, follow_up_rule, "get"),
    "integrity:intervention_close": (entry_kwargs, follow_up_rule, "get"),
}
POSTED = ["integrity:intervention_create", "integrity:intervention_follow_up", "integrity:intervention_close"]
