"""Authorization rows of the anomaly review, the working-day calendar and the per-official record
(collected by tests/test_authorization_matrix.py).

Written from issue 10 and authority.md, independently of cpaudit.org.access: findings and personal
records are for the audit administrator and the supervising levels (city and province people: a city
above its branches' officials, the province above the cities', the province's leaders above its own
staff); never the official themselves, and a finding or person outside one's supervision is 404. The
calendar is seen by government people and the audit administrator, kept by province and city staff.

Relations (the official concerned): own — the branch's staff member; same_county — the branch's
leader (both supervised by 保定); other_county — 保定's staff member (supervised by the province);
other_city — a province staff member (the province's leaders only).
"""

from cpaudit.org.roles import Role

SUPERVISORS = {Role.AUDIT_ADMIN, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF, Role.PROVINCE_LEADER}
GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
OFFICIAL = {"own": Role.BRANCH_STAFF, "same_county": Role.BRANCH_LEADER, "other_county": Role.CITY_STAFF,
            "other_city": Role.PROVINCE_STAFF}
SEEN_BY = {"own": {Role.CITY_STAFF, Role.CITY_LEADER}, "same_county": {Role.CITY_STAFF, Role.CITY_LEADER},
           "other_county": {Role.PROVINCE_STAFF, Role.PROVINCE_LEADER}, "other_city": {Role.PROVINCE_LEADER}}


def role_only(roles, ok=200):
    return lambda role, rel: ok if role in roles else 403


def supervised_rule(role, rel):
    if role not in SUPERVISORS:
        return 403
    return 200 if role == Role.AUDIT_ADMIN or role in SEEN_BY[rel] else 404


def finding_kwargs(w, rel):
    from django.utils import timezone

    from cpaudit.integrity.supervision import supervision_of
    from cpaudit.oversight.models import Finding, Rule

    official = w.users[OFFICIAL[rel]]
    place = supervision_of(official)
    finding = Finding.objects.create(
        rule=Rule.OFF_HOURS, key=f"matrix:{rel}", summary="矩阵测试", official=official,
        supervising_agency=place.agency, leaders_only=place.leaders_only, first_found_at=timezone.now(),
        last_found_at=timezone.now())
    return {"pk": finding.pk}


def person_kwargs(w, rel):
    return {"pk": w.users[OFFICIAL[rel]].pk}


def day_kwargs(w, rel):
    from cpaudit.oversight.models import CalendarDay

    return {"pk": CalendarDay.objects.order_by("date").first().pk}


MATRIX = {
    "oversight:finding_list": (None, role_only(SUPERVISORS), "get"),
    "oversight:anomaly_run": (None, role_only(SUPERVISORS, ok=302), "post"),
    "oversight:finding_detail": (finding_kwargs, supervised_rule, "get"),
    "oversight:calendar": (None, role_only(GOV | {Role.AUDIT_ADMIN}), "get"),
    "oversight:calendar_delete": (day_kwargs, role_only({Role.PROVINCE_STAFF, Role.CITY_STAFF}, ok=302), "post"),
    "oversight:official_list": (None, role_only(SUPERVISORS), "get"),
    "oversight:official_detail": (person_kwargs, supervised_rule, "get"),
    "oversight:official_export": (person_kwargs, supervised_rule, "get"),
}
POSTED = ["oversight:finding_detail"]
