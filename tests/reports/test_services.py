"""The report chain: each transition from each state, permissions, separation of duties, snapshots
and versions."""

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError

from cpaudit.core.checkpoint import default_checkpoint_path
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.logdisplay import action_label
from cpaudit.core.models import ActionLog
from cpaudit.org import access
from cpaudit.org.roles import Role
from cpaudit.reports import services
from cpaudit.reports.models import MonthlyReport, Notification, ReportStatus, ReportVersion
from tests.factories import make_user

from .conftest import D, own, step

MAY = D(2020, 5, 1)


def set_status(report, status):
    MonthlyReport.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    return report


def actions(report):
    return list(ActionLog.objects.filter(object_type="reports.monthlyreport", object_id=str(report.pk))
                .order_by("seq").values_list("action", flat=True))


# --- report_for ------------------------------------------------------------------------------------

def test_report_for_writes_nothing_and_the_first_save_creates_the_row(world, users, today):
    logged = ActionLog.objects.count()  # the seal keys' (conftest.seals)
    a = services.report_for(actor=users[Role.BRANCH_STAFF], campaign=world.campaign, agency=world.branch_a,
                            month=D(2020, 5, 17), kind="branch")
    assert a.pk is None and a.month == MAY and a.status == ReportStatus.DRAFT
    assert not MonthlyReport.objects.exists() and ActionLog.objects.count() == logged
    assert services.content_for(a)["title"] == "保定市生态环境局竞秀区分局关于2020年5月清洁生产审核工作进度的报告"
    with pytest.raises(InvalidState, match="尚未起草"):  # nothing to submit before a draft is saved
        services.report_submit(actor=users[Role.BRANCH_LEADER], report=a)
    saved = services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=a, problems="无")
    b = services.report_for(actor=users[Role.CITY_STAFF], campaign=world.campaign, agency=world.branch_a,
                            month="2020-05", kind="branch")
    assert saved.pk == b.pk and b.problems == "无" and MonthlyReport.objects.count() == 1
    again = services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=a, problems="有")  # by identity
    assert again.pk == saved.pk and MonthlyReport.objects.count() == 1


@pytest.mark.parametrize("role,agency,error", [
    (Role.BRANCH_STAFF, "branch_b", PermissionDenied),  # other county
    (Role.BRANCH_LEADER, "baoding", InvalidState),  # wrong kind for a branch report
    (Role.ENTERPRISE, "branch_a", PermissionDenied),
    (Role.CONSULTANT, "branch_a", PermissionDenied),
    (Role.SYSTEM_ADMIN, "branch_a", PermissionDenied),
])
def test_report_for_refused(world, users, today, role, agency, error):
    with pytest.raises(error):
        services.report_for(actor=users[role], campaign=world.campaign, agency=getattr(world, agency), month=MAY,
                            kind="branch")
    assert not MonthlyReport.objects.exists()


def test_report_for_other_city_refused_and_province_allowed(world, users, today):
    other_city_staff = make_user("sjzstaff", Role.CITY_STAFF, agency=world.sjz)
    with pytest.raises(PermissionDenied):
        services.report_for(actor=other_city_staff, campaign=world.campaign, agency=world.branch_a, month=MAY,
                            kind="branch")
    with pytest.raises(PermissionDenied):
        services.report_for(actor=other_city_staff, campaign=world.campaign, agency=world.baoding, month=MAY,
                            kind="city")
    report = services.report_for(actor=users[Role.PROVINCE_STAFF], campaign=world.campaign, agency=world.baoding,
                                 month=MAY, kind="city")
    assert report.kind == "city"


def test_report_for_future_month_refused(world, users, today):
    with pytest.raises(InvalidState, match="尚未开始"):
        services.report_for(actor=users[Role.BRANCH_STAFF], campaign=world.campaign, agency=world.branch_a,
                            month=D(2020, 6, 1), kind="branch")


def test_scope_hides_other_county_reports(world, users, branch_report):
    other = make_user("lcstaff", Role.BRANCH_STAFF, agency=world.branch_b)
    assert not access.scope(other, MonthlyReport.objects.all()).exists()
    assert access.scope(users[Role.CITY_STAFF], MonthlyReport.objects.all()).get() == branch_report


# --- save draft ------------------------------------------------------------------------------------

def test_staff_saves_draft(world, users, branch_report):
    staff = users[Role.BRANCH_STAFF]
    report = services.report_save_draft(actor=staff, report=branch_report, problems="  个别企业进度滞后 ",
                                        remarks="备注")
    assert (report.problems, report.remarks, report.prepared_by) == ("个别企业进度滞后", "备注", staff)
    assert actions(report) == ["reports.report.drafted"]
    entry = ActionLog.objects.get(action="reports.report.drafted")
    assert entry.changes["problems"] == ["", "个别企业进度滞后"]


@pytest.mark.parametrize("role", [Role.BRANCH_LEADER, Role.CITY_LEADER, Role.CITY_STAFF, Role.PROVINCE_STAFF,
                                  Role.ENTERPRISE])
def test_save_draft_refused_for_other_roles(world, users, branch_report, role):
    with pytest.raises(PermissionDenied):
        services.report_save_draft(actor=users[role], report=branch_report, problems="无")
    branch_report.refresh_from_db()
    assert branch_report.problems == "" and actions(branch_report) == []


def test_other_county_staff_cannot_save(world, branch_report):
    other = make_user("lcstaff", Role.BRANCH_STAFF, agency=world.branch_b)
    with pytest.raises(PermissionDenied):
        services.report_save_draft(actor=other, report=branch_report, problems="无")


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
def test_save_refused_when_submitted(users, branch_report, status):
    set_status(branch_report, status)
    with pytest.raises(InvalidState):
        services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="改")
    branch_report.refresh_from_db()
    assert branch_report.problems == ""


def test_save_after_return_goes_back_to_draft(users, branch_report):
    set_status(branch_report, ReportStatus.RETURNED)
    report = services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="改正")
    assert report.status == ReportStatus.DRAFT


# --- submit ----------------------------------------------------------------------------------------

def test_leader_submits_version_1(world, users, branch_report, django_capture_on_commit_callbacks):
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="无")
    path = default_checkpoint_path()
    before = path.read_text(encoding="utf-8").count('"document"') if path.exists() else 0
    with django_capture_on_commit_callbacks(execute=True):
        version = services.report_submit(actor=users[Role.BRANCH_LEADER], report=branch_report)
    branch_report.refresh_from_db()
    assert branch_report.status == ReportStatus.SUBMITTED
    assert version.number == 1 and version.reason == "" and version.submitted_by == users[Role.BRANCH_LEADER]
    assert version.content["version"] == 1 and version.content["submitted_by"] == "blead"
    assert version.content["prepared_by"] == "bstaff" and version.content["problems"] == "无"
    canonical = json.dumps(version.content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert version.digest == hashlib.new("sm3", canonical.encode("utf-8")).hexdigest()
    assert actions(branch_report) == ["reports.report.drafted", "reports.report.submitted"]
    # Issued in PDF and Word by the submission: a checkpoint on each issued document.
    assert path.read_text(encoding="utf-8").count('"document"') == before + 2
    assert version.submitted_at.date() == D(2020, 5, 20)  # the business day (pinned in tests)


def test_problems_required(users, branch_report):
    """Refused at submission, by field (the page shows it next to 存在的问题); a draft may be saved empty."""
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="  ")
    with pytest.raises(ValidationError) as info:
        services.report_submit(actor=users[Role.BRANCH_LEADER], report=branch_report)
    assert list(info.value.message_dict) == ["problems"] and "存在的问题" in info.value.message_dict["problems"][0]
    assert not ReportVersion.objects.exists()


def test_problems_print_as_written(users, branch_report):
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report,
                               problems="个别企业台账不全。\n已督促整改")
    version = services.report_submit(actor=users[Role.BRANCH_LEADER], report=branch_report)
    texts = [b["text"] for b in version.content["blocks"] if b["type"] == "paragraph"]
    at = texts.index("个别企业台账不全。")
    assert texts[at + 1] == "已督促整改"  # nothing added
    assert "无" not in texts and "（未填写）" not in texts


def test_city_document_number_required(world, users, submitted, today):
    city = services.report_for(actor=users[Role.CITY_STAFF], campaign=world.campaign, agency=world.baoding,
                               month=MAY, kind="city")
    services.report_save_draft(actor=users[Role.CITY_STAFF], report=city, problems="无")
    with pytest.raises(ValidationError) as info:
        services.report_submit(actor=users[Role.CITY_LEADER], report=city)
    assert list(info.value.message_dict) == ["document_number"]
    services.report_save_draft(actor=users[Role.CITY_STAFF], report=city, problems="无",
                               document_number=" 保环报〔2020〕9号 ")
    version = services.report_submit(actor=users[Role.CITY_LEADER], report=city)
    assert version.content["document_number"] == "保环报〔2020〕9号"
    assert version.content["blocks"][0] == {"type": "masthead", "unit": "保定市生态环境局", "number": "保环报〔2020〕9号"}


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_LEADER])
def test_submit_refused_for_other_roles(users, branch_report, role):
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="无")
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=users[role], report=branch_report)
    assert not ReportVersion.objects.exists()


def test_other_county_leader_cannot_submit(world, users, branch_report):
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="无")
    other = make_user("lclead", Role.BRANCH_LEADER, agency=world.branch_b)
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=other, report=branch_report)


def test_system_actor_cannot_submit(system_actor, users, branch_report):
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="无")
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=system_actor, report=branch_report)


def test_preparer_may_not_submit(users, branch_report):
    """Separation of duties: a leader who prepared the draft (e.g. before a role change) cannot submit it."""
    leader = users[Role.BRANCH_LEADER]
    MonthlyReport.objects.filter(pk=branch_report.pk).update(problems="无", prepared_by=leader)
    with pytest.raises(PermissionDenied, match="职责分离"):
        services.report_submit(actor=leader, report=branch_report)
    assert not ReportVersion.objects.exists()


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
def test_submit_refused_when_already_submitted(users, submitted, status):
    set_status(submitted, status)
    with pytest.raises(InvalidState):
        services.report_submit(actor=users[Role.BRANCH_LEADER], report=submitted, reason="再报")
    assert submitted.versions.count() == 1


# --- snapshots and versions ------------------------------------------------------------------------

def test_snapshot_immutable_when_data_change(world, users, submitted, today):
    frozen = services.content_for(submitted)
    assert frozen == submitted.versions.get().content and frozen["sentences"] == []
    step(own(world), 16, D(2020, 5, 20))
    today(D(2020, 5, 25))
    assert services.content_for(submitted) == frozen
    live = services.build_content(submitted, D(2020, 5, 25))
    assert live["sentences"] == ["自有测试企业有限公司已实施到方案的产生和筛选阶段"] and live != frozen


def test_past_month_submitted_version_is_the_record(world, users, submitted, today):
    today(D(2020, 7, 3))
    step(own(world), 16, D(2020, 5, 21))  # reconstruction of May would now show it
    assert services.content_for(submitted)["sentences"] == []
    assert services.content_for(submitted)["as_of"] == "2020-05-20"


def test_correction_is_a_new_version_with_reason(world, users, submitted, today):
    city_staff, leader = users[Role.CITY_STAFF], users[Role.BRANCH_LEADER]
    v1 = submitted.versions.get()
    services.report_return(actor=city_staff, report=submitted, reason="数据有误")
    step(own(world), 5, D(2020, 5, 21))
    today(D(2020, 5, 22))
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=submitted, problems="已更正")
    with pytest.raises(InvalidState, match="更正原因"):
        services.report_submit(actor=leader, report=submitted)
    v2 = services.report_submit(actor=leader, report=submitted, reason="补报预审核进展")
    assert (v2.number, v2.reason) == (2, "补报预审核进展")
    assert v2.content["sentences"] == ["自有测试企业有限公司已实施到预审核阶段"]
    v1.refresh_from_db()
    assert v1.content["sentences"] == [] and v1.content["version"] == 1  # earlier version stays readable
    assert services.content_for(submitted) == v2.content
    assert actions(submitted)[-1] == "reports.report.corrected"
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED and submitted.return_reason == ""


# --- accept / return -------------------------------------------------------------------------------

def test_city_staff_accepts(users, submitted):
    report = services.report_accept(actor=users[Role.CITY_STAFF], report=submitted)
    assert report.status == ReportStatus.ACCEPTED and actions(report)[-1] == "reports.report.accepted"


@pytest.mark.parametrize("status", [ReportStatus.DRAFT, ReportStatus.ACCEPTED, ReportStatus.RETURNED])
def test_accept_only_submitted(users, submitted, status):
    set_status(submitted, status)
    with pytest.raises(InvalidState):
        services.report_accept(actor=users[Role.CITY_STAFF], report=submitted)
    submitted.refresh_from_db()
    assert submitted.status == status


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_LEADER, Role.PROVINCE_STAFF])
def test_accept_and_return_refused_for_other_roles(users, submitted, role):
    with pytest.raises(PermissionDenied):
        services.report_accept(actor=users[role], report=submitted)
    with pytest.raises(PermissionDenied):
        services.report_return(actor=users[role], report=submitted, reason="x")
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


def test_other_city_staff_refused(world, submitted):
    other = make_user("sjzstaff", Role.CITY_STAFF, agency=world.sjz)
    with pytest.raises(PermissionDenied):
        services.report_accept(actor=other, report=submitted)


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
def test_return_with_reason_notifies_branch(world, users, submitted, status):
    set_status(submitted, status)
    report = services.report_return(actor=users[Role.CITY_STAFF], report=submitted, reason="请补充问题说明")
    assert report.status == ReportStatus.RETURNED and report.return_reason == "请补充问题说明"
    assert report.returned_by == users[Role.CITY_STAFF]
    notified = Notification.objects.filter(key__startswith=f"returned:{report.pk}:1:")
    assert {n.user.username for n in notified} == {"bstaff", "blead"}
    assert all("请补充问题说明" in n.text for n in notified)
    assert actions(report)[-1] == "reports.report.returned"
    assert services.content_for(report)["version"] is None  # back to the live draft


def test_return_needs_reason(users, submitted):
    with pytest.raises(InvalidState, match="原因"):
        services.report_return(actor=users[Role.CITY_STAFF], report=submitted, reason="  ")
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED and not Notification.objects.exists()


@pytest.mark.parametrize("status", [ReportStatus.DRAFT, ReportStatus.RETURNED])
def test_return_refused_when_not_submitted(users, submitted, status):
    set_status(submitted, status)
    with pytest.raises(InvalidState):
        services.report_return(actor=users[Role.CITY_STAFF], report=submitted, reason="x")


# --- the city's consolidation ----------------------------------------------------------------------

def test_city_consolidation_chain(world, users, submitted, today):
    city = services.report_for(actor=users[Role.CITY_STAFF], campaign=world.campaign, agency=world.baoding,
                               month=MAY, kind="city")
    with pytest.raises(PermissionDenied):  # branch staff do not draft the city's report
        services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=city, problems="无")
    services.report_save_draft(actor=users[Role.CITY_STAFF], report=city, problems="莲池区未报送",
                               document_number="保环报〔2020〕9号")
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=users[Role.BRANCH_LEADER], report=city)
    version = services.report_submit(actor=users[Role.CITY_LEADER], report=city)
    sections = version.content["sections"]
    assert [(s["unit"], s["status"]) for s in sections] == [
        ("保定市生态环境局竞秀区分局", "按时报送"), ("保定市生态环境局莲池区分局", "未报送")]
    assert sections[0]["problems"] == "无" and version.content["problems"] == "莲池区未报送"
    with pytest.raises(InvalidState):  # nobody here accepts the city's report (it goes to the province)
        services.report_accept(actor=users[Role.CITY_STAFF], report=city)


def test_city_section_uses_branch_snapshot(world, users, submitted, today):
    step(own(world), 16, D(2020, 5, 20))  # after the branch's submission
    city = services.report_for(actor=users[Role.CITY_STAFF], campaign=world.campaign, agency=world.baoding,
                               month=MAY, kind="city")
    content = services.content_for(city)
    assert content["sections"][0]["sentences"] == []  # the branch's record
    assert content["sentences"] == ["自有测试企业有限公司已实施到方案的产生和筛选阶段"]  # the city's live totals


def test_log_labels_registered():
    for code in ("drafted", "submitted", "corrected", "accepted", "returned"):
        assert action_label(f"reports.report.{code}") != f"reports.report.{code}"


def test_branches_outside_the_campaign_are_not_listed_as_missing(world):
    import datetime as dt

    from cpaudit.org.models import Agency
    from cpaudit.org.roles import AgencyKind, Role
    from cpaudit.reports.services import city_overview

    Agency.objects.create(name="保定市生态环境局满城区分局", kind=AgencyKind.COUNTY, division_id="130607",
                          supervisor=world.baoding)
    rows = city_overview(actor=world.users[Role.CITY_STAFF], campaign=world.campaign, month=dt.date(2020, 6, 1))
    assert "保定市生态环境局满城区分局" not in {str(r.agency) for r in rows}
    assert {r.agency for r in rows} == {world.branch_a, world.branch_b}


def test_months_before_the_audit_start_have_no_report(world):
    import datetime as dt

    import pytest

    from cpaudit.core.errors import InvalidState
    from cpaudit.org.roles import Role
    from cpaudit.reports.models import ReportKind
    from cpaudit.reports.services import report_for

    with pytest.raises(InvalidState):
        report_for(actor=world.users[Role.BRANCH_STAFF], campaign=world.campaign, agency=world.branch_a,
                   month=dt.date(2019, 12, 1), kind=ReportKind.BRANCH)
