"""Authorization rows of 应开展未开展 (collected by tests/test_authorization_matrix.py).

Written from issue 13 and authority.md: government people see the comparison of their jurisdiction;
staff import registers, enrol from the list and propose exemptions; the branch leader of the
enterprise's county decides an exemption. An exemption outside one's jurisdiction is 404.
"""

from cpaudit.org.roles import Role

GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
STAFF = {Role.BRANCH_STAFF, Role.CITY_STAFF, Role.PROVINCE_STAFF}
SEES = {Role.BRANCH_STAFF: {"own", "same_county"}, Role.BRANCH_LEADER: {"own", "same_county"},
        Role.CITY_STAFF: {"own", "same_county", "other_county"}, Role.CITY_LEADER: {"own", "same_county", "other_county"},
        Role.PROVINCE_STAFF: {"own", "same_county", "other_county", "other_city"},
        Role.PROVINCE_LEADER: {"own", "same_county", "other_county", "other_city"}}


def role_only(roles, ok=200):
    return lambda role, rel: ok if role in roles else 403


def in_jurisdiction(view_roles, ok=200):
    def rule(role, rel):
        if role not in view_roles:
            return 403
        return ok if rel in SEES[role] else 404

    return rule


def campaign_kwargs(w, rel):
    return {"slug": w.campaign.slug}


def enrol_kwargs(w, rel):
    return {"slug": w.campaign.slug, "pk": w.enterprises[rel].pk}


def exemption_kwargs(w, rel):
    from django.utils import timezone

    from cpaudit.core import storedfiles
    from cpaudit.coverage.models import Exemption

    enterprise = w.enterprises[rel]
    digest = "ab" * 32
    path = storedfiles.stored_path(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 matrix")
    exemption = Exemption.objects.create(
        campaign=w.campaign, enterprise=enterprise, uscc=enterprise.uscc, name=enterprise.name,
        county_id=enterprise.county_id, reason=Exemption.Reason.HALTED, explanation="矩阵测试",
        evidence_sm3=digest, evidence_name="证明.pdf", evidence_type="application/pdf",
        proposed_by=w.users[Role.BRANCH_STAFF], proposed_at=timezone.now())
    return {"pk": exemption.pk}


MATRIX = {
    "coverage:index": (None, role_only(GOV), "get"),
    "coverage:campaign": (campaign_kwargs, role_only(GOV), "get"),
    "coverage:export": (campaign_kwargs, role_only(GOV), "post"),
    "coverage:register_import": (campaign_kwargs, role_only(STAFF, ok=302), "post"),
    # Every world enterprise is already enrolled: the service refuses, the page says why (302, nothing written).
    "coverage:enrol": (enrol_kwargs, in_jurisdiction(STAFF, ok=302), "post"),
    "coverage:exemption_create": (campaign_kwargs, role_only(STAFF), "get"),
    "coverage:exemption_detail": (exemption_kwargs, in_jurisdiction(GOV), "get"),
    "coverage:exemption_evidence": (exemption_kwargs, in_jurisdiction(GOV), "get"),
}
POSTED = ["coverage:exemption_create", "coverage:exemption_detail"]
