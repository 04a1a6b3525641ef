"""The API's authorization matrix: every operation × every role × (own / same county / other county /
other city), the token acting as the world's user of that role (tests/factories.py).

Written from authority.md, independently of cpaudit.org.access, with the page matrix's conventions: a
role that may never take the step gets 403, an object outside what the role sees 404 (existence is not
disclosed), an object referred to in a body that the role cannot see 400 (the body is at fault). For an
allowed write the status is the service's answer on the object the builder made (200/201, or 409 when
the object's state is not the one the step needs). test_api_matrix.py checks every operation of the
OpenAPI document is here.
"""

from cpaudit.applications.models import Kind, Status
from cpaudit.applications.services.basis import result_extra, seen_token
from cpaudit.org.roles import Role
from cpaudit.progress.models import ReviewStatus
from cpaudit.progress.services.steps import review_version
from cpaudit.reports.models import ReportStatus
from cpaudit.reports.seen import content_token, version_token
from cpaudit.reports.services import content_for
from tests.factories import make_enterprise, make_seal_keys, make_uscc

from . import objects

RELATIONS = objects.RELATIONS
GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
STAFF = {Role.BRANCH_STAFF, Role.CITY_STAFF, Role.PROVINCE_STAFF}
FIRMS = {Role.ENTERPRISE, Role.CONSULTANT}
BUSINESS = GOV | FIRMS
VIEWERS = BUSINESS | {Role.EXPERT}  # applications: an expert those of its panels (none here)
SEES = {  # which relation's objects each role sees (authority.md § Roles)
    Role.ENTERPRISE: {"own"},
    Role.CONSULTANT: {"own"},  # the own enrolment is 委托 to the world's consulting agency
    Role.BRANCH_STAFF: {"own", "same_county"},
    Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"},
    Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: set(RELATIONS),
    Role.PROVINCE_LEADER: set(RELATIONS),
}
COUNTIES = {"own": "130602", "same_county": "130602", "other_county": "130606", "other_city": "130102"}


def role_only(roles, ok=200):
    return lambda role, rel: ok if role in roles else 403


def object_rule(view_roles, act_roles, ok=200, refused=403):
    """403 without the right to view, 404 outside what the role sees, `ok` for the roles that act and
    `refused` (403: the role may not; 409: the step is not its to take now) for the others."""

    def expect(role, rel):
        if role not in view_roles:
            return 403
        if rel not in SEES.get(role, set()):
            return 404
        return ok if role in act_roles else refused

    return expect


def body_rule(act_roles, ok):
    """A write whose object is named in the body: 403 for roles that may not, 400 for an object outside
    what the role sees."""

    def expect(role, rel):
        if role not in act_roles:
            return 403
        return ok if rel in SEES.get(role, set()) else 400

    return expect


# --- builders: (world, rel) → {"path": {...}, "body": {...}, "query": {...}} ----------------------------

def at(kind):
    return lambda w, rel: {"path": {"pk": objects.populate_one(w, kind, rel)}}


def enterprise_patch(w, rel):
    return {"path": {"pk": w.enterprises[rel].pk}, "body": {"contact_person": "王五"}}


def enterprise_new(w, rel):
    return {"body": {"name": f"新企业{make_uscc()[-6:]}有限公司", "uscc": make_uscc(prefix="91130602"),
                     "county": "130602", "address": "测试路1号", "legal_representative": "张三", "industry": "1511"}}


def campaign(w, rel):
    return {"path": {"slug": w.campaign.slug}}


def enrolment_new(w, rel):
    enterprise = make_enterprise(COUNTIES[rel])
    return {"path": {"slug": w.campaign.slug}, "body": {"enterprise": enterprise.pk, "mode": "self"}}


def enrolment_patch(w, rel):
    return {"path": {"pk": objects.enrolment(w, rel).pk}, "body": {"has_violation": True}}


def step_put(w, rel):
    return {"path": {"pk": objects.enrolment(w, rel).pk, "number": 2},
            "body": {"status": "in_progress", "start_date": "2020-03-02"}}


def step_pending(w, rel, extra=None):
    record = objects.step_record(w, rel)
    return {"path": {"pk": record.pk}, "body": {"seen": review_version(record), **(extra or {})}}


def step_confirmed(w, rel):
    record = objects.step_record(w, rel, review=ReviewStatus.CONFIRMED)
    return {"path": {"pk": record.pk}, "body": {"reason": "数据有误，请更正"}}


def option_new(w, rel):
    return {"path": {"pk": objects.enrolment(w, rel).pk}, "body": {"name": "中水回用", "investment": "8"}}


def option_patch(w, rel):
    return {"path": {"pk": objects.option(w, rel).pk}, "body": {"name": "中水回用改造"}}


def report_draft(w, rel):
    return {"body": {"campaign": w.campaign.slug, "month": "2020-05", "problems": "个别企业进度滞后"}}


def report_to_submit(w, rel):
    report = objects.report(w, rel, problems="个别企业进度滞后")
    make_seal_keys(report.agency)  # a submission issues the version sealed (documents.report_documents)
    # The same branch's report comes round again for the next relation: from then on it is a correction.
    return {"path": {"pk": report.pk}, "body": {"seen": content_token(content_for(report)), "reason": "更正数据"}}


def report_submitted(w, rel, extra=None):
    report = objects.report(w, rel, status=ReportStatus.SUBMITTED, problems="无")
    version = report.versions.order_by("-number").first()
    return {"path": {"pk": report.pk}, "body": {"seen": version_token(version), **(extra or {})}}


def application_in(status, body):
    def build(w, rel):
        application = objects.application(w, rel, status)
        return {"path": {"pk": application.pk},
                "body": {**body, "seen": seen_token(application, result_extra(application))}}

    return build


def batch_new(w, rel):
    application = objects.application(w, rel, Status.BRANCH_BATCH)
    return {"body": {"campaign": w.campaign.slug, "kind": Kind.EVALUATION,
                     "applications": [{"id": application.pk, "seen": seen_token(application)}]}}


def waiting(w, rel):
    return {"query": {"campaign": w.campaign.slug, "kind": Kind.EVALUATION}}


# --- the matrix ------------------------------------------------------------------------------------

def batch_rule(role, rel):
    """The leader of the level whose turn it is sends the letter: a branch's waiting application is its
    branch leader's; the city leader sees it but it is not yet the city's turn."""
    if role not in (Role.BRANCH_LEADER, Role.CITY_LEADER):
        return 403
    if rel not in SEES[role]:
        return 400
    return 201 if role == Role.BRANCH_LEADER else 409


def draft_rule(role, rel):
    # Staff draft their own agency's report; the body asks for a branch report, which a city has not.
    return {Role.BRANCH_STAFF: 200, Role.CITY_STAFF: 409}.get(role, 403)


def submit_rule(role, rel):
    """The leader of the reporting branch; other government roles that see it may not (403)."""
    if role not in GOV:
        return 403
    if rel not in SEES[role]:
        return 404
    return 200 if role == Role.BRANCH_LEADER else 403


def review_rule(ok):
    """City staff of the supervising city accept or return a branch's report."""

    def expect(role, rel):
        if role not in GOV:
            return 403
        if rel not in SEES[role]:
            return 404
        return ok if role == Role.CITY_STAFF else 403

    return expect


# (METHOD, path as in the OpenAPI document) → (builder or None, expectation(role, rel))
MATRIX = {
    ("GET", "/api/v1/me"): (None, lambda role, rel: 200),
    ("GET", "/api/v1/enterprises"): (None, role_only(BUSINESS)),
    ("POST", "/api/v1/enterprises"): (enterprise_new, role_only(STAFF, ok=201)),
    ("GET", "/api/v1/enterprises/{pk}"): (at("enterprise"), object_rule(BUSINESS, BUSINESS)),
    ("PATCH", "/api/v1/enterprises/{pk}"): (enterprise_patch, object_rule(BUSINESS, STAFF | {Role.ENTERPRISE})),
    ("GET", "/api/v1/campaigns"): (None, role_only(BUSINESS)),
    ("GET", "/api/v1/campaigns/{slug}"): (campaign, lambda role, rel: 200 if role in BUSINESS else 403),
    ("GET", "/api/v1/campaigns/{slug}/enrolments"): (campaign, lambda role, rel: 200 if role in BUSINESS else 403),
    ("POST", "/api/v1/campaigns/{slug}/enrolments"): (enrolment_new, body_rule(STAFF, 201)),
    ("GET", "/api/v1/enrolments/{pk}"): (at("enrolment"), object_rule(BUSINESS, BUSINESS)),
    ("PATCH", "/api/v1/enrolments/{pk}"): (enrolment_patch, object_rule(BUSINESS, STAFF)),
    ("GET", "/api/v1/enrolments/{pk}/steps"): (at("enrolment"), object_rule(BUSINESS, BUSINESS)),
    ("PUT", "/api/v1/enrolments/{pk}/steps/{number}"): (step_put, object_rule(BUSINESS, FIRMS)),
    ("GET", "/api/v1/steps/{pk}"): (at("step"), object_rule(BUSINESS, BUSINESS)),
    ("POST", "/api/v1/steps/{pk}/confirm"): (step_pending, object_rule(BUSINESS, {Role.BRANCH_STAFF})),
    ("POST", "/api/v1/steps/{pk}/return"): (lambda w, rel: step_pending(w, rel, {"reason": "佐证不足"}),
                                            object_rule(BUSINESS, {Role.BRANCH_STAFF})),
    ("POST", "/api/v1/steps/{pk}/reopen"): (step_confirmed, object_rule(BUSINESS, {Role.BRANCH_STAFF})),
    ("GET", "/api/v1/options"): (None, role_only(BUSINESS)),
    ("GET", "/api/v1/options/{pk}"): (at("option"), object_rule(BUSINESS, BUSINESS)),
    ("PATCH", "/api/v1/options/{pk}"): (option_patch, object_rule(BUSINESS, FIRMS)),
    ("POST", "/api/v1/enrolments/{pk}/options"): (option_new, object_rule(BUSINESS, FIRMS, ok=201)),
    ("GET", "/api/v1/reports"): (None, role_only(GOV)),
    ("POST", "/api/v1/reports/drafts"): (report_draft, draft_rule),
    ("GET", "/api/v1/reports/{pk}"): (at("report"), object_rule(GOV, GOV)),
    ("POST", "/api/v1/reports/{pk}/submit"): (report_to_submit, submit_rule),
    ("POST", "/api/v1/reports/{pk}/accept"): (report_submitted, review_rule(200)),
    ("POST", "/api/v1/reports/{pk}/return"): (lambda w, rel: report_submitted(w, rel, {"reason": "请补充问题"}),
                                              review_rule(200)),
    ("GET", "/api/v1/applications"): (None, role_only(VIEWERS)),
    ("GET", "/api/v1/applications/{pk}"): (at("application"), object_rule(VIEWERS, VIEWERS)),
    ("POST", "/api/v1/applications/{pk}/decisions"): (
        application_in(Status.BRANCH_REVIEW, {"step": "branch_review", "outcome": "return", "opinion": "材料不全"}),
        object_rule(VIEWERS, {Role.BRANCH_STAFF})),
    ("POST", "/api/v1/applications/{pk}/result-proposal"): (
        application_in(Status.ORGANIZING, {"opinion": "专家组意见"}),
        # The organizer of a 其他 enterprise is its branch; nobody has scored yet, so the step waits.
        object_rule(VIEWERS, {Role.BRANCH_STAFF}, ok=409)),
    ("POST", "/api/v1/applications/{pk}/result-confirmation"): (
        application_in(Status.RESULT_PENDING, {"outcome": "return", "opinion": "请重新组织"}),
        object_rule(VIEWERS, {Role.BRANCH_LEADER})),
    ("GET", "/api/v1/batches"): (None, role_only(GOV)),
    ("POST", "/api/v1/batches"): (batch_new, batch_rule),
    ("GET", "/api/v1/batches/waiting"): (waiting, lambda role, rel: 200 if role in (Role.BRANCH_LEADER,
                                                                                   Role.CITY_LEADER) else 403),
    ("GET", "/api/v1/batches/{pk}"): (at("batch"), object_rule(GOV, GOV)),
    ("GET", "/api/v1/log"): (None, role_only({Role.AUDIT_ADMIN})),
}
