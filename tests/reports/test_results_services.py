"""The results summaries' chain (cpaudit.reports.results): branch → city → province, 省直管县 straight to
the province; frozen versions with SM3; corrections; who may do what; the numbers equal the live
roll-up (applications.selectors.summary) for the same scope on the submission day."""

import pytest
from django.core.exceptions import ValidationError

from cpaudit.applications import selectors
from cpaudit.applications.models import Application, Kind, Status
from cpaudit.core.chain import document_digest
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.logdisplay import action_label
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.reports import results
from cpaudit.reports.models import Notification, ReportStatus, ResultsLevel, ResultsSummary, ResultsVersion
from cpaudit.reports.seen import STALE, content_token, version_token
from tests.applications.viewfixtures import make_application
from tests.factories import make_user

from .conftest import AUG_25
from .results_fixtures import branch_submitted, city_drafted, summary_of

pytestmark = pytest.mark.usefixtures("applied")


def actions(summary) -> list[str]:
    return list(ActionLog.objects.filter(object_type="reports.resultssummary", object_id=str(summary.pk))
                .order_by("seq").values_list("action", flat=True))


def live_counts(user, world, kind=Kind.EVALUATION):
    total = selectors.summary(user, world.campaign, kind, AUG_25).total
    return {"applied": total.applied, "passed": total.passed, "failed": total.failed, "pending": total.pending,
            "late": total.late}


# --- reading ---------------------------------------------------------------------------------------

def test_results_for_writes_nothing_and_the_first_save_creates_the_row(world):
    logged = ActionLog.objects.count()  # the seal keys' (conftest.seals)
    summary = summary_of(world, world.branch_a, actor=world.users[Role.BRANCH_STAFF])
    assert summary.pk is None and summary.level == ResultsLevel.BRANCH
    assert not ResultsSummary.objects.exists() and ActionLog.objects.count() == logged
    assert results.content_for(summary)["title"] == "保定市生态环境局竞秀区分局关于2020年清洁生产审核评估结果汇总情况的报告"
    with pytest.raises(InvalidState, match="尚未起草"):
        results.results_submit(actor=world.users[Role.BRANCH_LEADER], summary=summary)
    saved = results.results_save_draft(actor=world.users[Role.BRANCH_STAFF], summary=summary, remarks="无")
    assert saved.pk and summary_of(world, world.branch_a).pk == saved.pk
    assert actions(saved) == ["reports.results.drafted"]
    assert summary_of(world, world.baoding).level == ResultsLevel.CITY
    assert summary_of(world, world.dingzhou).level == ResultsLevel.BRANCH


@pytest.mark.parametrize(("role", "agency"), [
    (Role.BRANCH_STAFF, "branch_b"),  # another county
    (Role.BRANCH_STAFF, "baoding"),  # a branch does not see its city's consolidation
    (Role.CITY_STAFF, "branch_sjz"),  # another city's branch
    (Role.CITY_STAFF, "dingzhou"),  # a 省直管县 is the province's
    (Role.ENTERPRISE, "branch_a"),
    (Role.AUDIT_ADMIN, "branch_a"),
])
def test_results_for_outside_the_jurisdiction_is_refused(world, role, agency):
    with pytest.raises(PermissionDenied):
        results.results_for(actor=world.users[role], campaign=world.campaign, kind=Kind.EVALUATION,
                            agency=getattr(world, agency))


def test_the_province_itself_reports_no_summary(world):
    with pytest.raises(InvalidState):
        summary_of(world, world.province)


# --- the branch's summary --------------------------------------------------------------------------

def test_branch_summary_lists_its_enterprises_and_is_frozen_with_sm3(world):
    summary = branch_submitted(world)
    version = summary.versions.get()
    content = version.content
    assert summary.status == ReportStatus.SUBMITTED and version.number == 1
    assert version.digest == document_digest(content) and content["version"] == 1
    assert content["counts"] == {"applied": 2, "passed": 1, "failed": 0, "pending": 1, "late": 1}
    assert content["counts"] == live_counts(world.users[Role.BRANCH_STAFF], world)  # as 评估验收汇总 shows that day
    rows = [(e["name"], e["organizer"], e["stage"], e["result"], e["result_date"], e["late"])
            for e in content["enterprises"]]
    assert rows == [("同县测试企业有限公司", "竞秀区分局", "待市局初审", "未出结论", "", True),
                    ("自有测试企业有限公司", "竞秀区分局", "", "通过", "2020-08-10", False)]
    assert content["as_of"] == "2020-08-25" and content["deadline"] == "2020-08-20"
    assert content["remarks"] == "外县企业未通过，已督促重新审核"
    assert actions(summary) == ["reports.results.drafted", "reports.results.submitted"]
    entry = ActionLog.objects.get(action="reports.results.submitted")
    assert entry.data["digest"] == version.digest and entry.data["counts"] == content["counts"]
    # City staff are told; the data moving later does not change the record.
    assert Notification.objects.filter(user=world.users[Role.CITY_STAFF], key=f"results:{summary.pk}:submitted:1")
    Application.objects.filter(enrolment__enterprise=world.enterprises["same_county"]).update(
        status=Status.PASSED, passed=True, result_date=AUG_25)
    assert results.content_for(summary) == content


@pytest.mark.parametrize("scope", ["branch", "city", "dingzhou"])
def test_numbers_equal_the_live_roll_up_for_the_same_scope(world, dz, scope):
    """What a unit submits counts exactly what 评估验收汇总 shows its own people that day."""
    if scope == "branch":
        user, agency = world.users[Role.BRANCH_STAFF], world.branch_a
    elif scope == "city":
        user, agency = world.users[Role.CITY_STAFF], world.baoding
    else:
        user, agency = dz[Role.BRANCH_STAFF], world.dingzhou
    for kind in Kind.values:
        content = results.build_content(summary_of(world, agency, kind), AUG_25)
        assert content["counts"] == live_counts(user, world, kind), (scope, kind)
    if scope == "city":  # row by row as well
        live = selectors.summary(user, world.campaign, Kind.EVALUATION, AUG_25)
        rows = {r["county"]: r["counts"] for r in results.build_content(summary_of(world, agency), AUG_25)["rows"]}
        for row in live.rows:
            c = row.counts
            assert rows[row.code] == {"applied": c.applied, "passed": c.passed, "failed": c.failed,
                                      "pending": c.pending, "late": c.late}


def test_acceptance_speaks_of_pass_and_fail_as_the_form_does(world):
    content = results.build_content(summary_of(world, world.branch_a, Kind.ACCEPTANCE), AUG_25)
    assert content["labels"] == {"passed": "合格", "failed": "不合格"} and content["phase"] == "验收"
    assert content["enterprises"][0]["result"] == "合格" and content["deadline"] == "2020-11-20"
    assert any("合格1家" in b.get("text", "") for b in content["blocks"])


# --- review by the agency above --------------------------------------------------------------------

def test_city_staff_accept_and_the_branch_is_told(world):
    summary = branch_submitted(world)
    results.results_accept(actor=world.users[Role.CITY_STAFF], summary=summary)
    summary.refresh_from_db()
    assert summary.status == ReportStatus.ACCEPTED and actions(summary)[-1] == "reports.results.accepted"
    assert Notification.objects.filter(user=world.users[Role.BRANCH_LEADER], key=f"results:{summary.pk}:accepted:1")


def test_return_then_correction_as_version_2_with_a_reason(world):
    u = world.users
    summary = branch_submitted(world)
    with pytest.raises(ValidationError):
        results.results_return(actor=u[Role.CITY_STAFF], summary=summary, reason=" ")
    results.results_return(actor=u[Role.CITY_STAFF], summary=summary, reason="同县企业办理环节有误")
    summary.refresh_from_db()
    assert summary.status == ReportStatus.RETURNED and summary.returned_by == u[Role.CITY_STAFF]
    assert Notification.objects.get(user=u[Role.BRANCH_STAFF], key=f"results:{summary.pk}:returned:1").text.endswith(
        "被退回：同县企业办理环节有误")
    assert results.content_for(summary)["version"] is None  # back to the live draft
    results.results_save_draft(actor=u[Role.BRANCH_STAFF], summary=summary, remarks="已核实")
    with pytest.raises(InvalidState, match="更正原因"):
        results.results_submit(actor=u[Role.BRANCH_LEADER], summary=summary)
    v2 = results.results_submit(actor=u[Role.BRANCH_LEADER], summary=summary, reason="核实办理环节")
    assert (v2.number, v2.reason, v2.content["remarks"]) == (2, "核实办理环节", "已核实")
    assert summary.versions.get(number=1).content["remarks"] == "外县企业未通过，已督促重新审核"
    assert actions(summary)[-1] == "reports.results.corrected"


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_LEADER, Role.PROVINCE_STAFF])
def test_only_staff_of_the_agency_above_review(world, role):
    summary = branch_submitted(world)
    with pytest.raises(PermissionDenied):
        results.results_accept(actor=world.users[role], summary=summary)
    with pytest.raises(PermissionDenied):
        results.results_return(actor=world.users[role], summary=summary, reason="x")
    assert ResultsSummary.objects.get(pk=summary.pk).status == ReportStatus.SUBMITTED


def test_another_citys_staff_cannot_review(world):
    summary = branch_submitted(world)
    with pytest.raises(PermissionDenied):
        results.results_accept(actor=make_user("sjz_staff", Role.CITY_STAFF, agency=world.sjz), summary=summary)


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.CITY_LEADER, Role.CITY_STAFF, Role.PROVINCE_LEADER])
def test_only_the_units_leader_submits(world, role):
    summary = results.results_save_draft(actor=world.users[Role.BRANCH_STAFF], summary=summary_of(world, world.branch_a))
    with pytest.raises(PermissionDenied):
        results.results_submit(actor=world.users[role], summary=summary)
    assert not ResultsVersion.objects.exists()


def test_preparer_may_not_submit_and_a_system_actor_never(world, system_actor):
    leader = world.users[Role.BRANCH_LEADER]
    summary = results.results_save_draft(actor=world.users[Role.BRANCH_STAFF], summary=summary_of(world, world.branch_a))
    ResultsSummary.objects.filter(pk=summary.pk).update(prepared_by=leader)
    with pytest.raises(PermissionDenied, match="职责分离"):
        results.results_submit(actor=leader, summary=summary)
    with pytest.raises(PermissionDenied):
        results.results_submit(actor=system_actor, summary=summary)
    assert not ResultsVersion.objects.exists()


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
def test_a_submitted_summary_is_not_edited_or_resubmitted(world, status):
    summary = branch_submitted(world)
    ResultsSummary.objects.filter(pk=summary.pk).update(status=status)
    with pytest.raises(InvalidState):
        results.results_save_draft(actor=world.users[Role.BRANCH_STAFF], summary=summary, remarks="改")
    with pytest.raises(InvalidState):
        results.results_submit(actor=world.users[Role.BRANCH_LEADER], summary=summary, reason="再报")
    assert summary.versions.count() == 1


# --- the city's consolidation and the province -----------------------------------------------------

def test_city_consolidates_its_counties_with_the_accepted_branch_summaries_as_annexes(world):
    u = world.users
    branch = branch_submitted(world)
    results.results_accept(actor=u[Role.CITY_STAFF], summary=branch)
    city = results.results_save_draft(actor=u[Role.CITY_STAFF], summary=summary_of(world, world.baoding))
    with pytest.raises(ValidationError) as info:  # its 文号 first
        results.results_submit(actor=u[Role.CITY_LEADER], summary=city)
    assert list(info.value.message_dict) == ["document_number"]
    city = city_drafted(world)
    content = results.results_submit(actor=u[Role.CITY_LEADER], summary=city).content
    assert content["level"] == "city" and content["addressee"] == "河北省生态环境厅"
    assert content["counts"] == {"applied": 3, "passed": 1, "failed": 1, "pending": 1, "late": 2}
    assert [(r["name"], r["counts"]["applied"]) for r in content["rows"]] == [("竞秀区", 2), ("莲池区", 1)]
    assert [(s["unit"], s["state"], s["accepted"]) for s in content["sections"]] == [
        ("保定市生态环境局竞秀区分局", "已接收（第1版）", True), ("保定市生态环境局莲池区分局", "未报送", False)]
    annexes = [b for b in content["blocks"] if b["type"] == "annex"]
    assert [a["label"] for a in annexes] == ["附件1"]
    assert annexes[0]["blocks"][0] == {"type": "title", "text": branch.versions.get().content["title"]}
    assert content["blocks"][0] == {"type": "masthead", "unit": "保定市生态环境局", "number": "保环报〔2020〕60号"}
    assert Notification.objects.filter(user=u[Role.PROVINCE_STAFF], key=f"results:{city.pk}:submitted:1")


def test_the_province_accepts_or_returns_the_citys_consolidation(world):
    u = world.users
    city = city_drafted(world)
    results.results_submit(actor=u[Role.CITY_LEADER], summary=city)
    with pytest.raises(PermissionDenied):  # the city does not accept its own
        results.results_accept(actor=u[Role.CITY_STAFF], summary=city)
    results.results_return(actor=u[Role.PROVINCE_STAFF], summary=city, reason="请附各分局汇总")
    city.refresh_from_db()
    assert city.status == ReportStatus.RETURNED
    results.results_save_draft(actor=u[Role.CITY_STAFF], summary=city, remarks="已补充")
    results.results_submit(actor=u[Role.CITY_LEADER], summary=city, reason="补充")
    results.results_accept(actor=u[Role.PROVINCE_STAFF], summary=city)
    city.refresh_from_db()
    assert city.status == ReportStatus.ACCEPTED and city.versions.count() == 2


def test_a_direct_county_reports_straight_to_the_province(world, dz):
    summary = results.results_save_draft(actor=dz[Role.BRANCH_STAFF], summary=summary_of(world, world.dingzhou))
    version = results.results_submit(actor=dz[Role.BRANCH_LEADER], summary=summary)
    assert version.content["addressee"] == "河北省生态环境厅" and version.content["counts"]["passed"] == 1
    with pytest.raises(PermissionDenied):  # 保定 has nothing to do with 定州
        results.results_accept(actor=world.users[Role.CITY_STAFF], summary=summary)
    with pytest.raises(PermissionDenied):  # nor 定州's own city-level staff: the province is above it
        results.results_accept(actor=dz[Role.CITY_STAFF], summary=summary)
    results.results_accept(actor=world.users[Role.PROVINCE_STAFF], summary=summary)
    assert ResultsSummary.objects.get(pk=summary.pk).status == ReportStatus.ACCEPTED


# --- decisions bound to what the page showed -------------------------------------------------------

@pytest.mark.parametrize("decision", ["accept", "return"])
def test_review_of_a_version_replaced_meanwhile_is_refused(world, decision):
    u = world.users
    summary = branch_submitted(world)
    seen = version_token(summary.versions.get())
    results.results_return(actor=u[Role.CITY_STAFF], summary=summary, reason="请核实")  # another reviewer …
    results.results_save_draft(actor=u[Role.BRANCH_STAFF], summary=summary, remarks="已核实")
    results.results_submit(actor=u[Role.BRANCH_LEADER], summary=summary, reason="核实")  # … and a correction
    with pytest.raises(InvalidState) as info:
        if decision == "accept":
            results.results_accept(actor=u[Role.CITY_STAFF], summary=summary, seen=seen)
        else:
            results.results_return(actor=u[Role.CITY_STAFF], summary=summary, reason="x", seen=seen)
    assert info.value.code == "stale" and info.value.message.endswith(STALE) and "第2版" in info.value.message
    summary.refresh_from_db()
    assert summary.status == ReportStatus.SUBMITTED and actions(summary)[-1] == "reports.results.corrected"


def test_submission_of_a_draft_whose_content_changed_is_refused(world):
    u = world.users
    summary = results.results_save_draft(actor=u[Role.BRANCH_STAFF], summary=summary_of(world, world.branch_a))
    seen = content_token(results.build_content(summary, AUG_25))
    make_application(world, "same_county", status=Status.BRANCH_REVIEW, kind=Kind.ACCEPTANCE)  # another phase
    assert content_token(results.build_content(summary, AUG_25)) == seen
    Application.objects.filter(enrolment__enterprise=world.enterprises["same_county"], kind=Kind.EVALUATION).update(
        status=Status.PASSED, passed=True, result_date=AUG_25)  # a result arrives after the page was opened
    with pytest.raises(InvalidState) as info:
        results.results_submit(actor=u[Role.BRANCH_LEADER], summary=summary, seen=seen)
    assert info.value.code == "stale" and info.value.message.endswith(STALE)
    assert not ResultsVersion.objects.exists()
    version = results.results_submit(actor=u[Role.BRANCH_LEADER], summary=summary,
                                     seen=content_token(results.build_content(summary, AUG_25)))
    assert version.content["counts"]["passed"] == 2


def test_log_labels_registered():
    for code in ("drafted", "submitted", "corrected", "accepted", "returned"):
        assert action_label(f"reports.results.{code}") != f"reports.results.{code}"
