"""Authorization rows for the 评估/验收 application pages (collected by tests/test_authorization_matrix.py).

Written from authority.md (§ Roles, § The application chain), not from cpaudit.org.access: an
application is seen by whoever sees its enterprise — government roles in their jurisdiction, the
enterprise its own, the consulting agency the enterprise that engaged it; an expert only the
applications of the panels it sits on (none here: 404); the administrators no business data (403).
Outside what a role sees the answer is 404 (existence is not disclosed). Only the enterprise and its
engaged agency prepare the form; batches (书面申请) are the branch's and the city's leaders'; batches
and the summary are for government roles only.

Relations: the application (or enrolment) of world.enterprises[rel]; batches of world.branch_a
("own", "same_county"), world.branch_b ("other_county"), world.branch_sjz ("other_city").
"""

from cpaudit.applications.models import Assistance, Correction, PaperAgency, Status
from cpaudit.org.roles import Role

from .viewfixtures import SUBMITTED, enrolment, make_application, make_attachment, make_batch

RELATIONS = ["own", "same_county", "other_county", "other_city"]
GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
PREPARERS = {Role.ENTERPRISE, Role.CONSULTANT}
VIEWERS = GOV | PREPARERS | {Role.EXPERT}
SEES = {
    Role.ENTERPRISE: {"own"},
    Role.CONSULTANT: {"own"},  # the own enrolment is 委托 to world.consulting
    Role.BRANCH_STAFF: {"own", "same_county"},
    Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"},
    Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: set(RELATIONS),
    Role.PROVINCE_LEADER: set(RELATIONS),
    Role.EXPERT: set(),  # sits on no panel
}


def rule(view_roles, act_roles, ok=200):
    def expect(role, rel):
        if role not in view_roles:
            return 403
        if rel not in SEES.get(role, set()):
            return 404
        return ok if role in act_roles else 403

    return expect


def role_only(roles, ok=200):
    return lambda role, rel: ok if role in roles else 403


def submitted_kwargs(w, rel):
    return {"pk": make_application(w, rel, Status.BRANCH_REVIEW).pk}


def draft_kwargs(w, rel):
    return {"pk": make_application(w, rel, Status.DRAFT).pk}


def attachment_kwargs(w, rel):
    application = make_application(w, rel, Status.BRANCH_REVIEW)
    return {"pk": make_attachment(w, application).pk}


def organizing_kwargs(w, rel):
    return {"pk": make_application(w, rel, Status.ORGANIZING).pk}


def assistance_kwargs(w, rel):
    application = make_application(w, rel, Status.ORGANIZING)
    return {"pk": Assistance.objects.create(application=application, kind=Assistance.Kind.COORDINATION,
                                            state=Assistance.State.REQUESTED, agency=w.baoding, request="请协调").pk}


def correction_kwargs(w, rel):
    application = make_application(w, rel, Status.PASSED)
    return {"pk": Correction.objects.create(application=application, cause="方案数据变更", basis_before={},
                                            basis_after={"options": "x"}, opened_at=SUBMITTED).pk}


def paper_kwargs(w, rel):
    return {"pk": PaperAgency.objects.create(agency=w.baoding, campaign=w.campaign, note="纸质办理",
                                             configured_at=SUBMITTED).pk}


def enrolment_kwargs(w, rel):
    return {"pk": enrolment(w, rel).pk}


def batch_kwargs(w, rel):
    agency = {"own": w.branch_a, "same_county": w.branch_a, "other_county": w.branch_b,
              "other_city": w.branch_sjz}[rel]
    return {"pk": make_batch(w, agency, agency.supervisor).pk}


MATRIX = {
    "applications:index": (None, role_only(VIEWERS), "get"),
    "applications:index_export": (None, role_only(VIEWERS), "get"),
    "applications:detail": (submitted_kwargs, rule(VIEWERS, VIEWERS), "get"),
    "applications:edit": (draft_kwargs, rule(VIEWERS, PREPARERS), "get"),
    # An empty start (no kind chosen) is sent back to the index with a message.
    "applications:start": (enrolment_kwargs, rule(VIEWERS, PREPARERS, ok=302), "post"),
    "applications:batch_list": (None, role_only(GOV), "get"),
    "applications:batch_new": (None, role_only({Role.BRANCH_LEADER, Role.CITY_LEADER}), "get"),
    "applications:batch_detail": (batch_kwargs, rule(GOV, GOV), "get"),
    "applications:summary": (None, role_only(GOV), "get"),
    # An empty upload or request is sent back to the application with a message.
    "applications:attachment_upload": (draft_kwargs, rule(VIEWERS, PREPARERS, ok=302), "post"),
    "applications:attachment_download": (attachment_kwargs, rule(VIEWERS, VIEWERS), "get"),
    "applications:assistance_request": (organizing_kwargs, rule(VIEWERS, {Role.BRANCH_STAFF}, ok=302), "post"),
    "applications:assistance_record": (assistance_kwargs, rule(VIEWERS, {Role.CITY_STAFF}, ok=302), "post"),
    "applications:correction_review": (correction_kwargs, rule(VIEWERS, GOV, ok=302), "post"),
    "applications:paper_list": (None, role_only(GOV), "get"),
    "applications:paper_remove": (paper_kwargs, role_only({Role.PROVINCE_STAFF}, ok=302), "post"),
}

# An empty POST meets the page's gate and comes back with a message or form errors, changing nothing.
POSTED = ["applications:detail", "applications:edit", "applications:start", "applications:batch_new"]
