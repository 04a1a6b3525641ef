"""Authorization matrix rows of the progress dashboards and lists (tests/test_authorization_matrix.py):
government roles see them (each for its jurisdiction: `scope` narrows the numbers), everyone else
— enterprise, consultant, expert, administrators — gets 403."""

from cpaudit.org.roles import Role

GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}


def campaign_kwargs(w, rel):
    return {"slug": w.campaign.slug}


def government_only(role, rel):
    return 200 if role in GOV else 403


MATRIX = {
    "progress:dashboard": (campaign_kwargs, government_only, "get"),
    "progress:dashboard_options": (campaign_kwargs, government_only, "get"),
    "progress:enrolment_list": (campaign_kwargs, government_only, "get"),
    "progress:enrolment_list_export": (campaign_kwargs, government_only, "get"),
    "progress:benefits_by_campaign": (None, government_only, "get"),
    "progress:consistency_list": (campaign_kwargs, government_only, "get"),
    "progress:consistency_export": (campaign_kwargs, government_only, "get"),
}
