"""转办: a departing person's pending personal work goes to a colleague of the same role and agency, by
their leader or the security administrator, with a reason, logged."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.integrity.models import Intervention, InterventionKind, InterventionState
from cpaudit.org import services
from cpaudit.org.roles import Role
from cpaudit.reports.models import (
    MonthlyReport,
    Notification,
    ReportKind,
    ReportStatus,
    ResultsLevel,
    ResultsSummary,
)

from ..factories import make_user


@pytest.fixture
def desk(world):
    """bstaff leaves 竞秀区: two report drafts and a submitted report, a results summary drafted and one
    submitted, two follow-ups (one naming bstaff2), notifications; bstaff2 takes over."""
    person = world.users[Role.BRANCH_STAFF]
    colleague = make_user("bstaff2", Role.BRANCH_STAFF, agency=world.branch_a)
    reports = {status: MonthlyReport.objects.create(kind=ReportKind.BRANCH, campaign=world.campaign,
                                                    agency=world.branch_a, month=month, status=status,
                                                    prepared_by=person)
               for status, month in [(ReportStatus.DRAFT, dt.date(2020, 6, 1)),
                                     (ReportStatus.RETURNED, dt.date(2020, 5, 1)),
                                     (ReportStatus.SUBMITTED, dt.date(2020, 4, 1))]}
    Notification.objects.create(user=person, text="6月月报待报送", key="reminder:6")
    Notification.objects.create(user=person, text="5月月报被退回", key="returned:5")
    Notification.objects.create(user=person, text="已读的", read_at=dt.datetime(2020, 6, 2, tzinfo=dt.UTC))
    Notification.objects.create(user=colleague, text="6月月报待报送", key="reminder:6")
    ResultsSummary.objects.create(level=ResultsLevel.BRANCH, campaign=world.campaign, kind="evaluation",
                                  agency=world.branch_a, prepared_by=person)
    ResultsSummary.objects.create(level=ResultsLevel.BRANCH, campaign=world.campaign, kind="acceptance",
                                  agency=world.branch_a, prepared_by=person, status=ReportStatus.SUBMITTED)
    for named in (world.users[Role.CITY_STAFF], colleague):
        Intervention.objects.create(kind=InterventionKind.GREETING, occurred_on=dt.date(2020, 6, 1), intervener="某人",
                                    content="打招呼", named_user=named, supervising_agency=world.branch_a,
                                    recorded_by=world.users[Role.BRANCH_LEADER], recorded_at=timezone.now(),
                                    state=InterventionState.RECTIFYING, owner=person, deadline=dt.date(2020, 7, 1))
    return person, colleague, reports


PENDING_BEFORE = [("reports.draft", "起草中的月度报告", 2), ("reports.results_draft", "起草中的评估/验收结果汇总", 1),
                  ("integrity.follow_up", "负责整改的干预登记", 2), ("reports.notification", "未读通知", 2)]


def test_the_leader_hands_drafts_and_unread_notifications_to_a_colleague(world, desk):
    person, colleague, reports = desk
    assert services.pending_work(person) == PENDING_BEFORE
    moved = services.work_reassign(actor=world.users[Role.BRANCH_LEADER], person=person, colleague=colleague,
                                   reason="调往莲池区分局")
    reports = {k: MonthlyReport.objects.get(pk=r.pk) for k, r in reports.items()}
    assert reports[ReportStatus.DRAFT].prepared_by == colleague
    assert reports[ReportStatus.RETURNED].prepared_by == colleague
    assert reports[ReportStatus.SUBMITTED].prepared_by == person  # history stays
    assert set(Notification.objects.filter(user=colleague).values_list("text", flat=True)) == {
        "6月月报待报送", "5月月报被退回",
        "bstaff的待办事项已转办给您：起草中的月度报告2件、起草中的评估/验收结果汇总1件、负责整改的干预登记1件、未读通知1件"}
    assert Notification.objects.filter(user=person).count() == 2  # the read one and the duplicate stay
    assert services.pending_work(person) == [("reports.draft", "起草中的月度报告", 0),
                                             ("reports.results_draft", "起草中的评估/验收结果汇总", 0),
                                             ("integrity.follow_up", "负责整改的干预登记", 1),
                                             ("reports.notification", "未读通知", 1)]
    assert ResultsSummary.objects.get(kind="evaluation").prepared_by == colleague
    assert ResultsSummary.objects.get(kind="acceptance").prepared_by == person  # submitted: history
    # The entry naming the colleague stays with bstaff, for the leader to re-assign.
    assert set(Intervention.objects.values_list("named_user__username", "owner__username")) == {
        ("cstaff", "bstaff2"), ("bstaff2", "bstaff")}
    entry = ActionLog.objects.get(action="org.user.work_reassigned")
    assert entry.data == {"to": "bstaff2", "to_id": colleague.pk, "reason": "调往莲池区分局", "moved": {
        key: sorted(ids) for key, ids in moved.items()}}
    assert set(moved) == {"reports.draft", "reports.results_draft", "integrity.follow_up", "reports.notification"}
    assert entry.actor_name == "blead" and entry.object_id == str(person.pk)


def test_the_security_admin_may_too_and_leaders_work_is_theirs(world, desk):
    person, colleague, _ = desk
    services.work_reassign(actor=world.users[Role.SECURITY_ADMIN], person=person, colleague=colleague, reason="离职")
    leader = world.users[Role.BRANCH_LEADER]
    other_leader = make_user("blead2", Role.BRANCH_LEADER, agency=world.branch_a)
    MonthlyReport.objects.create(kind=ReportKind.BRANCH, campaign=world.campaign, agency=world.branch_a,
                                 month=dt.date(2020, 3, 1), prepared_by=leader)
    with pytest.raises(PermissionDenied, match="安全管理员"):
        services.work_reassign(actor=other_leader, person=leader, colleague=other_leader, reason="离职")
    services.work_reassign(actor=world.users[Role.SECURITY_ADMIN], person=leader, colleague=other_leader,
                           reason="离职")


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.CITY_LEADER, Role.BRANCH_STAFF,
                                  Role.CITY_STAFF, Role.ENTERPRISE])
def test_nobody_else_reassigns(world, desk, role):
    person, colleague, _ = desk
    actor = world.users[role] if role != Role.BRANCH_STAFF else colleague
    with pytest.raises(PermissionDenied):
        services.work_reassign(actor=actor, person=person, colleague=colleague, reason="离职")
    assert services.pending_work(person) == PENDING_BEFORE


def test_the_colleague_has_the_same_role_and_agency_and_a_reason_is_given(world, desk):
    person, colleague, _ = desk
    secadmin = world.users[Role.SECURITY_ADMIN]
    for wrong in (world.users[Role.BRANCH_LEADER], make_user("bb", Role.BRANCH_STAFF, agency=world.branch_b)):
        with pytest.raises(ValidationError) as exc:
            services.work_reassign(actor=secadmin, person=person, colleague=wrong, reason="离职")
        assert exc.value.message_dict == {"colleague": ["接手人须是保定市生态环境局竞秀区分局在用的分局经办"]}
    with pytest.raises(ValidationError):
        services.work_reassign(actor=secadmin, person=person, colleague=colleague, reason="  ")
    assert list(services.colleagues(person)) == [colleague]


def test_nothing_pending_is_refused(world):
    with pytest.raises(InvalidState, match="没有待转办"):
        services.work_reassign(actor=world.users[Role.SECURITY_ADMIN], person=world.users[Role.CITY_STAFF],
                               colleague=make_user("cs2", Role.CITY_STAFF, agency=world.baoding), reason="离职")
    with pytest.raises(PermissionDenied, match="政府工作人员"):
        services.work_reassign(actor=world.users[Role.SECURITY_ADMIN], person=world.users[Role.EXPERT],
                               colleague=make_user("ex2", Role.EXPERT), reason="离职")
