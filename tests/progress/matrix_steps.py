"""Authorization rows for the step pages (collected by tests/test_authorization_matrix.py).

Written from authority.md (§ Roles, § Progress chain), not from cpaudit.org.access: everyone with a
business role sees the progress of the enterprises they see; the enterprise and its engaged agency record
and upload on their own enterprise only; branch staff confirm, return and reopen in their county; city
and province see but neither record nor review; experts and administrators see nothing of it (403),
except the deliverables' files of the applications an expert scores (404 on any other file).
Outside what a role sees the answer is 404 (existence is not disclosed).
"""

import datetime as dt
import hashlib

from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role
from cpaudit.progress.models import Evidence, ReviewStatus, StepRecord, StepStatus

RELATIONS = ["own", "same_county", "other_county", "other_city"]
BUSINESS = {Role.ENTERPRISE, Role.CONSULTANT, Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF,
            Role.CITY_LEADER, Role.PROVINCE_STAFF, Role.PROVINCE_LEADER}
SEES = {
    Role.ENTERPRISE: {"own"},
    Role.CONSULTANT: {"own"},  # the own enrolment is 委托 to the world's agency
    Role.BRANCH_STAFF: {"own", "same_county"},
    Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"},
    Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: set(RELATIONS),
    Role.PROVINCE_LEADER: set(RELATIONS),
}
RECORDERS = {Role.ENTERPRISE, Role.CONSULTANT}
REVIEWERS = {Role.BRANCH_STAFF}
EVIDENCE_CONTENT = b"%PDF-1.4\nmatrix evidence\n%%EOF\n"


def rule(act_roles, ok=200):
    def expect(role, rel):
        if role not in BUSINESS:
            return 403
        if rel not in SEES[role]:
            return 404
        return ok if role in act_roles else 403

    return expect


def _enrolment(w, rel):
    return Enrolment.objects.get(enterprise=w.enterprises[rel], campaign=w.campaign)


def _record(w, rel):
    record, _ = StepRecord.objects.get_or_create(enrolment=_enrolment(w, rel), step_id=5, defaults={
        "status": StepStatus.COMPLETED, "start_date": dt.date(2020, 3, 2), "completion_date": dt.date(2020, 3, 9),
        "review": ReviewStatus.PENDING})
    return record


def enrolment_kwargs(w, rel):
    return {"pk": _enrolment(w, rel).pk}


def step_kwargs(w, rel):
    return {"pk": _enrolment(w, rel).pk, "step": 5}


def record_kwargs(w, rel):
    return {"pk": _record(w, rel).pk}


def evidence_kwargs(w, rel):
    """A stored file on step 5 (written where the evidence service reads it)."""
    from cpaudit.progress.services.evidence import evidence_path

    digest = hashlib.new("sm3", EVIDENCE_CONTENT).hexdigest()
    path = evidence_path(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(EVIDENCE_CONTENT)
    evidence, _ = Evidence.objects.get_or_create(record=_record(w, rel), digest=digest, defaults={
        "original_name": "审核小组名单.pdf", "kind": Evidence.Kind.PDF, "content_type": "application/pdf",
        "size": len(EVIDENCE_CONTENT), "uploaded_by": w.users[Role.ENTERPRISE],
        "uploaded_at": dt.datetime(2020, 3, 9, 10, 0, tzinfo=dt.UTC)})
    return {"pk": evidence.pk}


def campaign_kwargs(w, rel):
    return {"slug": w.campaign.slug}


def targets_rule(role, rel):
    # The world's campaign was issued by the province: only province staff change its time nodes.
    return 200 if role == Role.PROVINCE_STAFF else 403


MATRIX = {
    "progress:enrolment_progress": (enrolment_kwargs, rule(BUSINESS), "get"),
    "progress:step_edit": (step_kwargs, rule(BUSINESS), "get"),
    # An empty review or upload is refused with a message and a redirect back to the step (302).
    "progress:step_review": (record_kwargs, rule(REVIEWERS, ok=302), "post"),
    "progress:evidence_upload": (record_kwargs, rule(RECORDERS, ok=302), "post"),
    # An expert downloads only the deliverables (22, 27, 35) of applications it scores: 404 on step 5.
    "progress:evidence_download": (evidence_kwargs, lambda role, rel: 404 if role == Role.EXPERT
                                   else rule(BUSINESS)(role, rel), "get"),
    "progress:stage_targets": (campaign_kwargs, targets_rule, "get"),
}

POSTED = ["progress:stage_targets"]
