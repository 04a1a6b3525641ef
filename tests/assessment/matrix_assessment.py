"""Authorization rows of assessment and accountability (collected by tests/test_authorization_matrix.py).

Written from issue 13 and authority.md, independently of cpaudit.org.access: scorecards, circulars,
summons and the agencies' record are government business (city/province staff draft circulars, their
leaders approve; summons are decided by the level above the summoned unit); an enterprise asks for an
extension and sees its own; the branch leader, then the city leader, decide.

Relations: circulars and summons belong to 保定 (own / same_county / other_county: 保定's about 竞秀区 or
莲池区) or to 石家庄 (other_city); extensions are the world's enterprises' own.
"""

import datetime as dt

from django.utils import timezone

from cpaudit.org.roles import Role

GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
CITY = {Role.CITY_STAFF, Role.CITY_LEADER}
PROVINCE = {Role.PROVINCE_STAFF, Role.PROVINCE_LEADER}
SEES = {Role.ENTERPRISE: {"own"}, Role.CONSULTANT: {"own"}, Role.BRANCH_STAFF: {"own", "same_county"},
        Role.BRANCH_LEADER: {"own", "same_county"}, Role.CITY_STAFF: {"own", "same_county", "other_county"},
        Role.CITY_LEADER: {"own", "same_county", "other_county"},
        Role.PROVINCE_STAFF: {"own", "same_county", "other_county", "other_city"},
        Role.PROVINCE_LEADER: {"own", "same_county", "other_county", "other_city"}}


def role_only(roles, ok=200):
    return lambda role, rel: ok if role in roles else 403


def _circular(w, rel, status):
    from cpaudit.assessment.models import Circular

    agency = w.sjz if rel == "other_city" else w.baoding
    preparer = w.users[Role.CITY_STAFF]
    return Circular.objects.create(campaign=w.campaign, month=dt.date(2020, 9, 1), agency=agency, status=status,
                                   title="矩阵测试通报", prepared_by=preparer, prepared_at=timezone.now(),
                                   number=f"矩阵〔2020〕{rel}号")


def draft_kwargs(w, rel):
    return {"pk": _circular(w, rel, "draft").pk}


def draft_rule(role, rel):
    """A draft is its agency's own business: 保定's people see 保定's draft, nobody else."""
    if role not in GOV:
        return 403
    return 200 if role in CITY and rel != "other_city" else 404


def issued_kwargs(w, rel):
    """An issued circular with its PDF kept like an issued file (no render: the setting of a test)."""
    import hashlib

    from cpaudit.core import storedfiles
    from cpaudit.documents.models import IssuedDocument
    from tests.factories import make_seal_keys

    circular = _circular(w, rel, "issued")
    key = make_seal_keys(circular.agency, platform=False)[circular.agency]
    data = b"%PDF-1.4 matrix circular"
    digest = hashlib.new("sm3", data).hexdigest()
    path = storedfiles.stored_path(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    IssuedDocument.objects.create(kind="circular", object_id=circular.pk, format="pdf", title="矩阵测试通报",
                                  content_sm3="0" * 64, content={}, file_sm3=digest, size=len(data),
                                  code=f"MTRX-{circular.pk:04d}-AAAA", agency=circular.agency,
                                  agency_name=circular.agency.name, issued_by_name="负责人", issued_at=timezone.now(),
                                  head_seq=0, head_digest="0" * 64, key=key)
    return {"pk": circular.pk, "fmt": "pdf"}


def issued_rule(role, rel):
    """An issued circular: its agency, the units below it, and the province."""
    if role not in GOV:
        return 403
    return 200 if role in PROVINCE or rel != "other_city" else 404


def summons_kwargs(w, rel):
    from cpaudit.assessment.models import Summons

    agency, summoned = {"own": (w.baoding, w.branch_a), "same_county": (w.baoding, w.branch_a),
                        "other_county": (w.baoding, w.branch_b), "other_city": (w.sjz, w.branch_sjz)}[rel]
    summons = Summons.objects.create(campaign=w.campaign, agency=agency, summoned=summoned, attendees="分局一把手",
                                     scheduled_for=dt.date(2020, 10, 10), reason="进度滞后",
                                     decided_by=w.users[Role.CITY_LEADER], decided_at=timezone.now())
    return {"pk": summons.pk}


def seen_rule(role, rel):
    if role not in GOV:
        return 403
    return 200 if rel in SEES[role] else 404


def commitment_kwargs(w, rel):
    from cpaudit.assessment.models import Commitment, Summons

    summons = Summons.objects.get(pk=summons_kwargs(w, rel)["pk"])
    commitment = Commitment.objects.create(summons=summons, text="督促滞后企业", deadline=dt.date(2020, 10, 31))
    return {"pk": commitment.pk}


def commitment_rule(role, rel):
    """Followed up by the summoning agency's people (city or province); an empty outcome comes back to the
    page (302 with the reason); the province sees 保定's summons but does not follow them up (403)."""
    if role not in {Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF, Role.PROVINCE_LEADER}:
        return 403
    if rel not in SEES[role]:
        return 404
    return 302 if role in CITY else 403


def extension_kwargs(w, rel):
    from cpaudit.assessment.models import Extension
    from cpaudit.campaigns.models import Enrolment

    enrolment = Enrolment.objects.get(campaign=w.campaign, enterprise=w.enterprises[rel])
    extension = Extension.objects.create(enrolment=enrolment, target="evaluation", original_date=dt.date(2020, 8, 20),
                                         requested_date=dt.date(2020, 9, 30), reason="停产检修，无法按期完成",
                                         requested_by=w.users[Role.ENTERPRISE], requested_at=timezone.now())
    return {"pk": extension.pk}


def extension_rule(role, rel):
    if role not in GOV | {Role.ENTERPRISE, Role.CONSULTANT}:
        return 403
    return 200 if rel in SEES[role] else 404


def consulting_kwargs(w, rel):
    from cpaudit.registry.models import ConsultingAgency
    from tests.factories import make_uscc

    if rel == "own":
        return {"pk": w.consulting.pk}
    other, _ = ConsultingAgency.objects.get_or_create(name="另一家咨询机构", defaults={"uscc": make_uscc()})
    return {"pk": other.pk}


MATRIX = {
    "assessment:scorecards": (None, role_only(GOV), "get"),
    "assessment:circular_list": (None, role_only(GOV), "get"),
    "assessment:circular_draft": (None, role_only({Role.CITY_STAFF, Role.PROVINCE_STAFF}, ok=302), "post"),
    "assessment:circular_detail": (draft_kwargs, draft_rule, "get"),
    "assessment:circular_download": (issued_kwargs, issued_rule, "get"),
    "assessment:summons_list": (None, role_only(GOV), "get"),
    "assessment:summons_detail": (summons_kwargs, seen_rule, "get"),
    "assessment:commitment_done": (commitment_kwargs, commitment_rule, "post"),
    "assessment:extension_list": (None, role_only(GOV | {Role.ENTERPRISE, Role.CONSULTANT}), "get"),
    "assessment:extension_detail": (extension_kwargs, extension_rule, "get"),
    "assessment:agency_list": (None, role_only(GOV), "get"),
    "assessment:agency_detail": (consulting_kwargs, lambda role, rel: 200 if role in GOV else 403, "get"),
}
