"""Authorization rows of the agency and account pages (collected by tests/test_authorization_matrix.py).

Written from issue 11 and authority.md, independently of cpaudit.org.access: the system administrator
keeps agencies and opens, edits and disables accounts; the security administrator assigns roles,
resets passwords, re-enables accounts, hands work over and reads the account policy; branch staff open
and re-enable the accounts of their county's enterprises; a leader hands over the work of its own
agency's staff. Neither administrator sees business data, so both see every account; branch staff see
only the accounts they may open, a leader only its own agency's officials; outside that: 404.

Relations (the account acted on, never the viewer): "own" an enterprise account of
world.enterprises["own"] (竞秀区); "same_county" a second 分局经办 of world.branch_a; "other_county"
an enterprise account in 莲池区; "other_city" a 市局经办 of 石家庄.
"""

from cpaudit.org.roles import Role

from ..factories import make_user

RELATIONS = ["own", "same_county", "other_county", "other_city"]
ALL = set(RELATIONS)
GOVERNMENT_TARGETS = {"same_county", "other_city"}
SEES = {
    Role.SYSTEM_ADMIN: ALL,
    Role.SECURITY_ADMIN: ALL,
    Role.BRANCH_STAFF: {"own"},
    Role.BRANCH_LEADER: {"same_county"},
    Role.CITY_LEADER: set(),
    Role.PROVINCE_LEADER: set(),
}


def target_kwargs(w, rel):
    made = {
        "own": lambda: make_user("ent_own_2", Role.ENTERPRISE, enterprise=w.enterprises["own"]),
        "same_county": lambda: make_user("bstaff_2", Role.BRANCH_STAFF, agency=w.branch_a),
        "other_county": lambda: make_user("ent_other_2", Role.ENTERPRISE, enterprise=w.enterprises["other_county"]),
        "other_city": lambda: make_user("sjz_cstaff", Role.CITY_STAFF, agency=w.sjz),
    }[rel]()
    return {"pk": made.pk}


def agency_kwargs(w, rel):
    return {"pk": {"own": w.branch_a, "same_county": w.branch_a, "other_county": w.branch_b,
                   "other_city": w.branch_sjz}[rel].pk}


def role_only(roles, ok=200):
    return lambda role, rel: ok if role in roles else 403


def account(may, ok=200):
    """404 outside what the role sees; inside, `ok` when may(role, rel), else 403."""

    def expect(role, rel):
        if role not in SEES:
            return 403
        if rel not in SEES[role]:
            return 404
        return ok if may(role, rel) else 403

    return expect


def handover(role, rel):
    return (role == Role.SECURITY_ADMIN and rel in GOVERNMENT_TARGETS) or (
        role == Role.BRANCH_LEADER and rel == "same_county")


MATRIX = {
    "org:agency_list": (None, role_only({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}), "get"),
    "org:agency_create": (None, role_only({Role.SYSTEM_ADMIN}), "get"),
    "org:agency_edit": (agency_kwargs, role_only({Role.SYSTEM_ADMIN}), "get"),
    "org:user_list": (None, role_only(set(SEES)), "get"),
    "org:user_create": (None, role_only({Role.SYSTEM_ADMIN, Role.BRANCH_STAFF}), "get"),
    "org:user_detail": (target_kwargs, account(lambda role, rel: True), "get"),
    "org:user_edit": (target_kwargs, account(lambda role, rel: role == Role.SYSTEM_ADMIN), "get"),
    "org:user_disable": (target_kwargs, account(lambda role, rel: role == Role.SYSTEM_ADMIN), "get"),
    "org:user_enable": (target_kwargs, account(lambda role, rel: role == Role.SECURITY_ADMIN
                                               or role == Role.BRANCH_STAFF and rel == "own"), "get"),
    "org:user_role": (target_kwargs, account(lambda role, rel: role == Role.SECURITY_ADMIN), "get"),
    "org:user_reset": (target_kwargs, account(lambda role, rel: role == Role.SECURITY_ADMIN), "get"),
    # Every target has a password already: whoever may open it is sent back to the account (302).
    "org:user_invite": (target_kwargs, account(lambda role, rel: role in (Role.SYSTEM_ADMIN, Role.BRANCH_STAFF),
                                               ok=302), "get"),
    "org:user_handover": (target_kwargs, account(handover), "get"),
    "org:password_change": (None, lambda role, rel: 200, "get"),
    "org:security_policy": (None, role_only({Role.SECURITY_ADMIN}), "get"),
}

# An empty submission meets the same gate and changes nothing (reset-password is left out: its POST
# is the action itself).
POSTED = ["org:agency_create", "org:agency_edit", "org:user_create", "org:user_edit", "org:user_disable",
          "org:user_enable", "org:user_role", "org:user_invite", "org:user_handover", "org:password_change"]
