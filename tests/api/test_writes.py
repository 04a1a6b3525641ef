"""Each write endpoint calls its service: the change is made and logged with the service's code, and
a decision taken on a stale `seen` (what the client read before something changed) is refused with 409
"stale" and changes nothing. Clients take `seen` from the API's own GET, as pages take it from the page."""

import pytest

from cpaudit.applications.models import Status
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.registry.models import Enterprise
from tests.factories import attach_evidence, make_enterprise, make_seal_keys, make_uscc

from . import objects
from .conftest import ApiClient, secret_for


@pytest.fixture
def as_role(world, client):
    return lambda role: ApiClient(client, secret_for(world.users[role]))


def logged(action: str) -> int:
    return ActionLog.objects.filter(action=action).count()


def new_file(record, n: int):
    """A new current file on a step: what the reviewer read is no longer what is there."""
    return attach_evidence(record, content=f"%PDF-1.4\n% changed {n}\n%%EOF\n".encode())


def test_enterprises(world, as_role):
    staff = as_role(Role.BRANCH_STAFF)
    body = {"name": "新登记企业有限公司", "uscc": make_uscc(prefix="91130602"), "county": "130602",
            "address": "测试路9号", "legal_representative": "赵六", "industry": "1511", "water_related": False}
    response = staff.post("/enterprises", body)
    assert response.status_code == 201 and response.json()["water_related"] is False
    assert logged("registry.enterprise.created") == 1
    pk = response.json()["id"]
    assert staff.patch(f"/enterprises/{pk}", {"management_level": "municipal"}).json()["management_level"] == "municipal"
    assert logged("registry.enterprise.updated") == 1
    again = staff.post("/enterprises", body)
    assert again.status_code in (400, 409) and again.json()["error"]["code"] in ("validation_failed", "duplicate_uscc")
    enterprise = as_role(Role.ENTERPRISE)
    own = world.enterprises["own"].pk
    assert enterprise.patch(f"/enterprises/{own}", {"contact_phone": "0312-7654321"}).status_code == 200
    refused = enterprise.patch(f"/enterprises/{own}", {"name": "改名企业"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert Enterprise.objects.get(pk=own).name == world.enterprises["own"].name
    outside = staff.post("/enterprises", {**body, "uscc": make_uscc(prefix="91130606"), "county": "130606"})
    assert outside.status_code == 403


def test_enrolments(world, as_role):
    staff = as_role(Role.BRANCH_STAFF)
    enterprise = make_enterprise("130602")
    response = staff.post(f"/campaigns/{world.campaign.slug}/enrolments",
                          {"enterprise": enterprise.pk, "mode": "entrusted", "consulting_agency": world.consulting.pk})
    assert response.status_code == 201 and logged("campaigns.enrolment.created") == 1
    pk = response.json()["id"]
    response = staff.patch(f"/enrolments/{pk}", {"enterprise_type": "shuangchao"})
    assert response.json()["enterprise_type"] == "shuangchao" and logged("campaigns.enrolment.updated") == 1
    wrong = staff.patch(f"/enrolments/{pk}", {"mode": "self"})
    assert wrong.status_code == 400 and "consulting_agency" in wrong.json()["error"]["fields"]


def test_steps_and_their_seen(world, as_role):
    enterprise, staff = as_role(Role.ENTERPRISE), as_role(Role.BRANCH_STAFF)
    enrolment = objects.enrolment(world, "own")
    response = enterprise.put(f"/enrolments/{enrolment.pk}/steps/2",
                              {"status": "in_progress", "start_date": "2020-03-02", "note": "已开始"})
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    assert logged("progress.step.recorded") == 1
    record = objects.step_record(world, "own")
    seen = staff.get(f"/steps/{record.pk}").json()["seen"]
    new_file(record, 1)
    stale = staff.post(f"/steps/{record.pk}/confirm", {"seen": seen})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_review"
    assert logged("progress.step.confirmed") == 0
    seen = staff.get(f"/steps/{record.pk}").json()["seen"]
    confirmed = staff.post(f"/steps/{record.pk}/confirm", {"seen": seen})
    assert confirmed.status_code == 200 and confirmed.json()["review"] == "confirmed"
    assert logged("progress.step.confirmed") == 1
    reopened = staff.post(f"/steps/{record.pk}/reopen", {"reason": "完成日期有误"})
    assert reopened.json()["review_reason"] == "完成日期有误" and logged("progress.step.reopened") == 1
    other = objects.step_record(world, "own", number=4)
    seen = staff.get(f"/steps/{other.pk}").json()["seen"]
    returned = staff.post(f"/steps/{other.pk}/return", {"seen": seen, "reason": "佐证材料不清晰"})
    assert returned.json()["status"] == "in_progress" and logged("progress.step.returned") == 1


def test_options(world, as_role):
    consultant = as_role(Role.CONSULTANT)
    enrolment = objects.enrolment(world, "own")
    response = consultant.post(f"/enrolments/{enrolment.pk}/options", {"name": "冷凝水回收", "investment": "12.5"})
    assert response.status_code == 201 and response.json()["category"] == "low"
    assert logged("progress.option.created") == 1
    pk = response.json()["id"]
    response = consultant.patch(f"/options/{pk}", {"status": "screened", "expected_water_t": "1200"})
    assert response.json()["status"] == "screened" and logged("progress.option.updated") == 1
    skipped = consultant.patch(f"/options/{pk}", {"status": "implemented"})
    assert skipped.status_code == 400 and "status" in skipped.json()["error"]["fields"]


def test_monthly_reports(world, as_role):
    make_seal_keys(world.branch_a)  # a submission issues the version sealed (documents.report_documents)
    staff, leader, city = as_role(Role.BRANCH_STAFF), as_role(Role.BRANCH_LEADER), as_role(Role.CITY_STAFF)
    draft = {"campaign": world.campaign.slug, "month": "2020-05", "problems": "部分企业进度滞后"}
    response = staff.post("/reports/drafts", draft)
    assert response.status_code == 200 and logged("reports.report.drafted") == 1
    pk = response.json()["id"]
    seen = leader.get(f"/reports/{pk}").json()["seen"]
    staff.post("/reports/drafts", {**draft, "problems": "部分企业进度滞后，已督促"})
    stale = leader.post(f"/reports/{pk}/submit", {"seen": seen})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale"
    assert logged("reports.report.submitted") == 0
    seen = leader.get(f"/reports/{pk}").json()["seen"]
    submitted = leader.post(f"/reports/{pk}/submit", {"seen": seen})
    assert submitted.json()["status"] == "submitted" and logged("reports.report.submitted") == 1
    assert submitted.json()["versions"][0]["number"] == 1
    stale = city.post(f"/reports/{pk}/accept", {"seen": "1:0000000000000000"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale"
    seen = city.get(f"/reports/{pk}").json()["seen"]
    assert city.post(f"/reports/{pk}/accept", {"seen": seen}).json()["status"] == "accepted"
    returned = city.post(f"/reports/{pk}/return", {"seen": seen, "reason": "请补充滞后企业名单"})
    assert returned.json()["status"] == "returned"
    assert logged("reports.report.accepted") == 1 and logged("reports.report.returned") == 1


def test_application_decisions(world, as_role):
    staff = as_role(Role.BRANCH_STAFF)
    application = objects.application(world, "own", Status.BRANCH_REVIEW)
    detail = staff.get(f"/applications/{application.pk}").json()
    assert detail["action"] == "decide" and detail["latest_version"]["number"] == 1
    new_file(objects.step_record(world, "own", number=22), 2)  # the evidence behind the form changed
    body = {"step": "branch_review", "outcome": "agree", "seen": detail["seen"],
            "checks": {"materials_complete": True, "facts_true": True}}
    stale = staff.post(f"/applications/{application.pk}/decisions", body)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale"
    assert logged("applications.application.branch_review") == 0
    body["seen"] = staff.get(f"/applications/{application.pk}").json()["seen"]
    decided = staff.post(f"/applications/{application.pk}/decisions", body)
    assert decided.status_code == 200 and decided.json()["status"] == Status.BRANCH_APPROVAL
    assert decided.json()["decisions"][-1]["checks"] == {"materials_complete": True, "facts_true": True}
    assert logged("applications.application.branch_review") == 1


def test_results(world, as_role):
    staff, leader = as_role(Role.BRANCH_STAFF), as_role(Role.BRANCH_LEADER)
    application = objects.application(world, "own", Status.ORGANIZING)
    seen = staff.get(f"/applications/{application.pk}").json()["seen"]
    new_file(objects.step_record(world, "own", number=22), 3)
    stale = staff.post(f"/applications/{application.pk}/result-proposal", {"seen": seen})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale"
    seen = staff.get(f"/applications/{application.pk}").json()["seen"]
    waiting = staff.post(f"/applications/{application.pk}/result-proposal", {"seen": seen})
    assert waiting.status_code == 409 and waiting.json()["error"]["code"] == "not_scored"
    application = objects.application(world, "own", Status.RESULT_PENDING)
    body = {"outcome": "return", "opinion": "专家组人数不足，请重新组织", "seen": "1:bad"}
    assert leader.post(f"/applications/{application.pk}/result-confirmation", body).status_code == 409
    body["seen"] = leader.get(f"/applications/{application.pk}").json()["seen"]
    sent_back = leader.post(f"/applications/{application.pk}/result-confirmation", body)
    assert sent_back.json()["status"] == Status.ORGANIZING
    assert logged("applications.application.result_sent_back") == 1


def test_batches(world, as_role):
    leader = as_role(Role.BRANCH_LEADER)
    application = objects.application(world, "own", Status.BRANCH_BATCH)
    query = {"campaign": world.campaign.slug, "kind": "evaluation"}
    waiting = leader.get("/batches/waiting", **query).json()["results"]
    assert [a["id"] for a in waiting] == [application.pk]
    body = {"campaign": world.campaign.slug, "kind": "evaluation",
            "applications": [{"id": application.pk, "seen": waiting[0]["seen"]}]}
    new_file(objects.step_record(world, "own", number=22), 4)
    stale = leader.post("/batches", body)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale"
    body["applications"][0]["seen"] = leader.get("/batches/waiting", **query).json()["results"][0]["seen"]
    sent = leader.post("/batches", body)
    assert sent.status_code == 201 and logged("applications.batch.submitted") == 1
    assert sent.json()["content"]["items"][0]["application"] == application.pk
    assert leader.get(f"/batches/{sent.json()['id']}").status_code == 200
    outside = objects.application(world, "other_county", Status.BRANCH_BATCH)
    refused = leader.post("/batches", {**body, "applications": [{"id": outside.pk, "seen": "x"}]})
    assert refused.status_code == 400 and world.enterprises["other_county"].name not in refused.content.decode()


def test_the_log_for_the_audit_administrator(world, as_role):
    as_role(Role.BRANCH_STAFF).post("/reports/drafts", {"campaign": world.campaign.slug, "month": "2020-05",
                                                        "problems": "无"})
    auditor = as_role(Role.AUDIT_ADMIN)
    page = auditor.get("/log", action="reports").json()
    assert page["count"] >= 1 and all(e["action"].startswith("reports.") for e in page["results"])
    assert page["results"][0]["text"] and page["results"][0]["action_label"] == "编辑月度进度报告"
    bad = auditor.get("/log", date_from="2020-05-02", date_to="2020-05-01")
    assert bad.status_code == 400 and "date_to" in bad.json()["error"]["fields"]
    assert as_role(Role.PROVINCE_LEADER).get("/log").status_code == 403
    from cpaudit.security.models import SecurityEvent

    searches = SecurityEvent.objects.filter(kind="read.sensitive", path__startswith="/api/v1/log")
    assert searches.count() == 1 and searches.get().user == world.users[Role.AUDIT_ADMIN]
    assert SecurityEvent.objects.filter(kind="access.denied", path="/api/v1/log",
                                        user=world.users[Role.PROVINCE_LEADER]).exists()
