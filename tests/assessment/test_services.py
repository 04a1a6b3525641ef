"""Extensions, summons, suspensions and the agencies' record through their services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cpaudit.applications.models import Kind, Status
from cpaudit.applications.selectors import applications, is_late, summary
from cpaudit.assessment import selectors, services
from cpaudit.assessment.models import CommitmentStatus, ExtensionStatus, SummonsStatus
from cpaudit.campaigns.models import AuditMode
from cpaudit.campaigns.services import enrolment_save
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.integrity.models import Declaration
from cpaudit.org.roles import Role
from tests.factories import make_enterprise

from .helpers import TODAY, application, craft, enrolment

pytestmark = pytest.mark.django_db
DAY = dt.date(2020, 9, 30)


@pytest.fixture
def w(world, settings):
    settings.CPAUDIT_TODAY = TODAY
    return world


def request(w, requested=dt.date(2020, 10, 31)):
    return services.extension_request(actor=w.users[Role.ENTERPRISE], enrolment=enrolment(w, "own"),
                                      target="evaluation", requested_date=requested,
                                      reason="主要生产线停产检修两个月，无法按期完成评估")


def test_extension_chain_moves_the_enterprises_lateness(w):
    app = application(w, "own", status=Status.BRANCH_REVIEW)
    assert is_late(applications(w.users[Role.CITY_STAFF]).get(pk=app.pk), DAY)
    assert summary(w.users[Role.CITY_STAFF], w.campaign, Kind.EVALUATION, DAY).total.late == 1
    extension = request(w)
    assert extension.original_date == dt.date(2020, 8, 20) and extension.status == ExtensionStatus.BRANCH_PENDING
    with pytest.raises(InvalidState, match="不在市局审批环节"):  # the branch decides first
        services.extension_city_decide(actor=w.users[Role.CITY_LEADER], extension=extension, approve=True, opinion="同意")
    services.extension_branch_decide(actor=w.users[Role.BRANCH_LEADER], extension=extension, agree=True,
                                     opinion="情况属实，同意上报")
    assert is_late(applications(w.users[Role.CITY_STAFF]).get(pk=app.pk), DAY)  # not approved yet
    services.extension_city_decide(actor=w.users[Role.CITY_LEADER], extension=extension, approve=True, opinion="同意延至10月31日")
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert not is_late(applications(w.users[Role.CITY_STAFF]).get(pk=app.pk), DAY)
    assert is_late(applications(w.users[Role.CITY_STAFF]).get(pk=app.pk), dt.date(2020, 11, 1))
    assert not is_late(app, DAY)  # unannotated: one lookup, same answer
    assert summary(w.users[Role.CITY_STAFF], w.campaign, Kind.EVALUATION, DAY).total.late == 0
    assert list(ActionLog.objects.filter(object_type="assessment.extension").values_list("action", flat=True)) == [
        "assessment.extension.requested", "assessment.extension.branch_decided", "assessment.extension.city_decided"]


def test_extension_refusals(w):
    with pytest.raises(ValidationError, match="应晚于现行期限"):
        request(w, requested=dt.date(2020, 8, 1))
    extension = request(w)
    with pytest.raises(InvalidState, match="正在办理"):
        request(w)
    other = w.users[Role.BRANCH_LEADER]
    other.agency = w.branch_b
    other.save()
    other._cpaudit_jurisdiction = None
    del other._cpaudit_jurisdiction
    with pytest.raises(PermissionDenied):  # 莲池区's leader: not its county
        services.extension_branch_decide(actor=other, extension=extension, agree=True, opinion="同意")


def test_leaders_decide_only_with_a_current_declaration(w):
    extension = request(w)
    Declaration.objects.filter(user=w.users[Role.BRANCH_LEADER]).delete()
    with pytest.raises(PermissionDenied, match="利益关系申报"):
        services.extension_branch_decide(actor=w.users[Role.BRANCH_LEADER], extension=extension, agree=False,
                                         opinion="理由不充分")


def test_a_rejected_extension_moves_nothing(w):
    extension = request(w)
    services.extension_branch_decide(actor=w.users[Role.BRANCH_LEADER], extension=extension, agree=False,
                                     opinion="理由不充分")
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REJECTED
    app = application(w, "own", status=Status.BRANCH_REVIEW)
    assert is_late(applications(w.users[Role.CITY_STAFF]).get(pk=app.pk), DAY)


def test_summons_by_the_level_above_with_commitments_followed_to_closure(w):
    with pytest.raises(PermissionDenied, match="上一级"):  # the province does not summon a county branch
        services.summons_decide(actor=w.users[Role.PROVINCE_LEADER], campaign=w.campaign, summoned=w.branch_a,
                                attendees="分局一把手", scheduled_for=dt.date(2020, 10, 10), reason="进度滞后")
    summons = services.summons_decide(actor=w.users[Role.CITY_LEADER], campaign=w.campaign, summoned=w.branch_a,
                                      attendees="分局一把手、分管局长", scheduled_for=dt.date(2020, 10, 10),
                                      reason="9月考核排名末位")
    with pytest.raises(ValidationError):
        services.summons_record(actor=w.users[Role.CITY_STAFF], summons=summons, held_on=dt.date(2020, 10, 10),
                                record="约谈", commitments=[])
    services.summons_record(actor=w.users[Role.CITY_STAFF], summons=summons, held_on=dt.date(2020, 10, 10),
                            record="分局作出整改承诺", commitments=[("督促2家滞后企业", dt.date(2020, 10, 31)),
                                                           ("补报9月月报", dt.date(2020, 10, 15))])
    summons.refresh_from_db()
    first, second = list(summons.commitments.all())
    assert summons.status == SummonsStatus.HELD and first.text == "补报9月月报"
    services.commitment_done(actor=w.users[Role.CITY_STAFF], commitment=first, outcome="已补报")
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.HELD
    services.commitment_done(actor=w.users[Role.CITY_STAFF], commitment=second, outcome="两家企业已完成第1阶段")
    summons.refresh_from_db()
    second.refresh_from_db()
    assert summons.status == SummonsStatus.CLOSED and second.status == CommitmentStatus.DONE
    # The summoned branch sees it; another branch does not.
    assert selectors.summonses(w.users[Role.BRANCH_STAFF]).filter(pk=summons.pk).exists()


def test_a_suspended_agency_takes_no_new_client(w):
    suspension = services.agency_suspend(actor=w.users[Role.PROVINCE_LEADER], consulting_agency=w.consulting,
                                         reason="抽查发现服务企业数据失实")
    enterprise = make_enterprise("130602")
    data = {"mode": AuditMode.ENTRUSTED, "consulting_agency_id": w.consulting.pk}
    with pytest.raises(ValidationError, match="暂停承接"):
        enrolment_save(actor=w.users[Role.BRANCH_STAFF], enrolment=None, campaign=w.campaign, enterprise=enterprise,
                       data=data)
    # Existing engagements go on: an edit that keeps the agency is allowed.
    enrolment_save(actor=w.users[Role.BRANCH_STAFF], enrolment=enrolment(w, "own"), data={"audit_round": 2})
    with pytest.raises(InvalidState):
        services.agency_suspend(actor=w.users[Role.PROVINCE_LEADER], consulting_agency=w.consulting, reason="再次")
    services.agency_reinstate(actor=w.users[Role.PROVINCE_LEADER], consulting_agency=w.consulting, reason="整改完成")
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None
    assert enrolment_save(actor=w.users[Role.BRANCH_STAFF], enrolment=None, campaign=w.campaign,
                          enterprise=enterprise, data=data).consulting_agency_id == w.consulting.pk


def test_agency_record_figures_and_grade(w, settings):
    craft(w)  # `own` is the agency's client: stages 1–5 complete, 评估 passed
    application(w, "own", kind=Kind.ACCEPTANCE, status=Status.FAILED, result_date=dt.date(2020, 11, 10))
    record = selectors.agency_records(w.users[Role.CITY_STAFF], dt.date(2020, 12, 31), agency_id=w.consulting.pk)[0]
    assert [c.enrolment.enterprise.name for c in record.clients] == ["自有测试企业有限公司"]
    client = record.clients[0]
    assert client.reached_stage == 5 and client.completed_steps == 27
    assert client.durations == {s: 121 for s in range(1, 6)}  # 03-01 → 06-30, the only client: its own median
    assert client.medians[1] == 121 and client.slow_stages == []
    assert client.results == ["评估通过", "验收不合格"]
    assert (record.passed, record.failed) == (1, 1)
    assert record.deductions["failed"] == 10 and record.points == 100 - sum(record.deductions.values())
    settings.CPAUDIT_AGENCY_CREDIT = {**settings.CPAUDIT_AGENCY_CREDIT, "grades": [("A", 95), ("B", 0)]}
    assert selectors.grade_of(record.points) == ("A" if record.points >= 95 else "B")


def test_an_approved_stage_extension_moves_the_progress_figures(w, client):
    from django.urls import reverse

    from cpaudit.assessment.models import Extension
    from cpaudit.progress.selectors.dashboards import enrolment_list, totals

    craft(w)  # `same_county`: stage 1 incomplete, its node long passed
    staff = w.users[Role.CITY_STAFF]
    day = dt.date(2020, 12, 31)
    behind = {e.enterprise.name for e in enrolment_list(staff, w.campaign, {"behind": True}, today=day)}
    assert "同县测试企业有限公司" in behind
    before = totals(staff, w.campaign, day).behind
    for stage in range(1, 8):
        Extension.objects.create(enrolment=enrolment(w, "same_county"), target=f"stage_{stage}",
                                 original_date=dt.date(2020, 3, 1), requested_date=dt.date(2021, 1, 31),
                                 reason="停产检修两个月", status=ExtensionStatus.APPROVED,
                                 requested_by=w.users[Role.ENTERPRISE], requested_at=dt.datetime(2020, 8, 1, tzinfo=dt.UTC))
    assert totals(staff, w.campaign, day).behind == before - 1
    assert "同县测试企业有限公司" not in {
        e.enterprise.name for e in enrolment_list(staff, w.campaign, {"behind": True}, today=day)}
    client.force_login(w.users[Role.BRANCH_STAFF])
    page = client.get(reverse("progress:enrolment_progress", args=[enrolment(w, "same_county").pk])).content.decode()
    assert "2021-01-31" in page or "2021年1月31日" in page
