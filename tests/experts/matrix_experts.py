"""Authorization rows of the expert pool, score sheet, panel, scoring and declaration pages (collected by
tests/test_authorization_matrix.py).

Written from authority.md, independently of cpaudit.org.access: the pool and the sheets are government
business (kept by province and city staff; the sheets by the province); an application's panel page is
seen by whoever sees the application (404 outside the jurisdiction) and by the experts sitting on its
current panel — an expert sees nothing else (404); an expert scores only its own seat. Every government
user and every expert declares their own interests; the pool's keepers record the experts'.

Relations: the application of world.enterprises[rel], organized by the county branch; for "own" the
world's expert account sits on the current panel.
"""

from cpaudit.org.roles import Role

from .helpers import make_expert, organizing, put_on_panel

GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
KEEPERS = {Role.CITY_STAFF, Role.PROVINCE_STAFF}
SEES = {
    Role.BRANCH_STAFF: {"own", "same_county"},
    Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"},
    Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: {"own", "same_county", "other_county", "other_city"},
    Role.PROVINCE_LEADER: {"own", "same_county", "other_county", "other_city"},
    Role.EXPERT: {"own"},
}


def role_only(roles, ok=200):
    return lambda role, rel: ok if role in roles else 403


def _world_expert(w):
    from cpaudit.experts.models import Expert

    expert, _ = Expert.objects.get_or_create(user=w.users[Role.EXPERT], defaults={
        "name": "矩阵专家", "employer": "河北工业大学", "environment": True})
    return expert


def _panel_member(w, rel):
    """The relation's application being organized, with a panel; the world's expert sits on "own"."""
    application = organizing(w, rel)
    expert = _world_expert(w) if rel == "own" else make_expert(environment=True, user=True)
    panel = put_on_panel(application, [expert], w.users[Role.BRANCH_STAFF])
    return application, panel.members.get()


def panel_kwargs(w, rel):
    application, _ = _panel_member(w, rel)
    return {"application_pk": application.pk}


def score_kwargs(w, rel):
    _, member = _panel_member(w, rel)
    return {"pk": member.pk}


def expert_kwargs(w, rel):
    return {"pk": make_expert(environment=True).pk}


def sheet_kwargs(w, rel):
    return {"slug": w.campaign.slug, "kind": "evaluation"}


def panel_rule(role, rel):
    if role not in GOV | {Role.EXPERT}:
        return 403
    return 200 if rel in SEES[role] else 404


def score_rule(role, rel):
    if role != Role.EXPERT:
        return 403
    return 200 if rel == "own" else 404


MATRIX = {
    "experts:expert_list": (None, role_only(GOV), "get"),
    "experts:expert_create": (None, role_only(KEEPERS), "get"),
    "experts:expert_detail": (expert_kwargs, role_only(GOV), "get"),
    "experts:expert_edit": (expert_kwargs, role_only(KEEPERS), "get"),
    "experts:expert_set_active": (expert_kwargs, role_only(KEEPERS, ok=302), "post"),
    "experts:scoresheet_list": (None, role_only(GOV), "get"),
    "experts:scoresheet_edit": (sheet_kwargs, role_only({Role.PROVINCE_STAFF}), "get"),
    "experts:panel": (panel_kwargs, panel_rule, "get"),
    "experts:my_tasks": (None, role_only({Role.EXPERT}), "get"),
    "experts:score": (score_kwargs, score_rule, "get"),
    "integrity:my_declaration": (None, role_only(GOV | {Role.EXPERT}), "get"),
    "integrity:expert_declaration": (expert_kwargs, role_only(KEEPERS), "get"),
}

# An empty POST meets the page's gate and, where allowed, comes back with errors, changing nothing.
POSTED = ["experts:expert_create", "experts:expert_edit", "experts:scoresheet_edit", "experts:panel",
          "experts:score", "integrity:my_declaration", "integrity:expert_declaration"]
