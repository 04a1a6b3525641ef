import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cpaudit.campaigns.models import AuditMode, Campaign, Enrolment
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import ReviewStatus, StepRecord, StepStatus
from cpaudit.progress.services.steps import step_confirm, step_record, step_reopen, step_return
from cpaudit.progress.steps import DELIVERABLE_STEPS, stages, step
from tests.factories import attach_evidence

pytestmark = pytest.mark.usefixtures("steps_today")  # today = 2020-06-30; enrolments started 2020-03-01

C, P, N = StepStatus.COMPLETED, StepStatus.IN_PROGRESS, StepStatus.NOT_STARTED
D = dt.date


def enrolment_of(world, rel):
    return Enrolment.objects.get(enterprise=world.enterprises[rel], campaign=world.campaign)


def steps_before(stage_number):
    return [n for s in stages() if s.number < stage_number for n in s.step_numbers]


START, DONE = D(2020, 3, 2), D(2020, 4, 1)


def record(world, n=5, status=C, start=START, completion=DONE, role=Role.ENTERPRISE, **kw):
    return step_record(actor=world.users[role], enrolment=enrolment_of(world, "own"), step_number=n, status=status,
                       start_date=start, completion_date=completion, **kw)


def log_count(action=None):
    qs = ActionLog.objects.all()
    return qs.filter(action=action).count() if action else qs.count()


# --- recording ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.CONSULTANT])
def test_enterprise_or_its_agency_records_a_step(world, role):
    result = record(world, n=5, role=role, note=" 现状调研已完成 ")
    assert (result.status, result.start_date, result.completion_date) == (C, D(2020, 3, 2), D(2020, 4, 1))
    assert result.note == "现状调研已完成" and result.recorded_by == world.users[role] and result.recorded_at
    assert result.review == ReviewStatus.PENDING  # completing puts it before the branch
    entry = ActionLog.objects.get(action="progress.step.recorded")
    assert entry.object_id == str(result.pk) and entry.data == {"enrolment": result.enrolment_id, "step": 5}
    assert entry.changes["status"] == [None, "completed"] and entry.changes["review"] == [None, "pending"]
    assert log_count() == 1


def test_in_progress_leaves_nothing_to_review(world):
    assert record(world, status=P, completion=None).review == ReviewStatus.NONE


def test_recording_the_same_again_writes_no_entry(world):
    record(world, note="甲")
    record(world, note="甲")
    assert log_count("progress.step.recorded") == 1
    record(world, note="乙")
    entry = ActionLog.objects.filter(action="progress.step.recorded").order_by("-seq").first()
    assert entry.changes == {"note": ["甲", "乙"]}


def test_an_empty_not_started_step_creates_no_row(world):
    record(world, status=N, start=None, completion=None)
    assert not StepRecord.objects.exists() and log_count() == 0


def test_not_started_clears_the_dates(world):
    record(world, status=P, completion=None)
    result = record(world, status=N, start=D(2020, 3, 5), completion=D(2020, 3, 6))
    assert (result.status, result.start_date, result.completion_date) == (N, None, None)


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ENTERPRISE, Role.CONSULTANT)])
def test_other_roles_do_not_record(world, role):
    with pytest.raises(PermissionDenied):
        record(world, role=role)
    assert not StepRecord.objects.exists() and log_count() == 0


@pytest.mark.parametrize("rel", ["same_county", "other_county", "other_city"])
@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.CONSULTANT])
def test_nobody_records_for_another_enterprise(world, role, rel):
    with pytest.raises(PermissionDenied):
        step_record(actor=world.users[role], enrolment=enrolment_of(world, rel), step_number=1, status=P,
                    start_date=D(2020, 3, 2))
    assert not StepRecord.objects.exists()


def test_the_agency_no_longer_records_once_the_enterprise_audits_itself(world):
    Enrolment.objects.filter(pk=enrolment_of(world, "own").pk).update(mode=AuditMode.SELF, consulting_agency=None)
    with pytest.raises(PermissionDenied):
        record(world, role=Role.CONSULTANT)


def test_a_closed_campaign_is_read_only(world):
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    with pytest.raises(InvalidState) as exc:
        record(world)
    assert "审核批次已结束" in exc.value.message and not StepRecord.objects.exists()


def test_an_unknown_step_is_refused(world):
    with pytest.raises(ValidationError):
        record(world, n=36)


# --- dates ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "start", "completion", "message"), [
    (C, D(2020, 3, 2), D(2020, 7, 1), "完成日期不能晚于今天（2020年6月30日）"),
    (P, D(2020, 7, 1), None, "开始日期不能晚于今天"),
    (C, D(2020, 2, 28), D(2020, 3, 2), "开始日期不能早于本企业的开始审核时间（2020年3月1日）"),
    (C, D(2020, 2, 1), D(2020, 2, 28), "完成日期不能早于本企业的开始审核时间"),
    (C, D(2020, 4, 2), D(2020, 4, 1), "完成日期不能早于开始日期"),
    (C, D(2020, 3, 2), None, "已完成的步骤须填写完成日期"),
    (C, None, D(2020, 4, 1), "已完成的步骤须填写开始日期"),
    (P, None, None, "进行中的步骤须填写开始日期"),
    (P, D(2020, 3, 2), D(2020, 4, 1), "进行中的步骤不应填写完成日期"),
])
def test_implausible_dates_are_refused(world, status, start, completion, message):
    with pytest.raises(ValidationError) as exc:
        record(world, status=status, start=start, completion=completion)
    assert message in " ".join(exc.value.messages)
    assert not StepRecord.objects.exists() and log_count() == 0


def test_today_and_the_audit_start_are_plausible(world):
    result = record(world, start=D(2020, 3, 1), completion=D(2020, 6, 30))
    assert result.completion_date == D(2020, 6, 30)


def test_without_an_enrolment_start_the_campaign_start_bounds_the_dates(world):
    Enrolment.objects.filter(pk=enrolment_of(world, "own").pk).update(start_date=None)
    with pytest.raises(ValidationError) as exc:
        record(world, start=D(2019, 12, 1), completion=D(2020, 1, 5))
    assert "审核批次的启动日期（2020年1月1日）" in str(exc.value)
    assert record(world, start=D(2020, 1, 2), completion=D(2020, 1, 5)).start_date == D(2020, 1, 2)


def complete_deliverable(world, n, **kw):
    """A deliverable step as the enterprise does it: in progress, its report uploaded, then completed."""
    attach_evidence(record(world, n=n, status=P, completion=None))
    return record(world, n=n, **kw)


def _complete_through(world, last):
    for n in range(1, last + 1):
        if n in DELIVERABLE_STEPS:
            complete_deliverable(world, n)
        else:
            record(world, n=n)


def test_undoing_an_earlier_step_under_a_completed_deliverable_is_refused(world):
    _complete_through(world, 22)
    with pytest.raises(ValidationError) as exc:
        record(world, n=5, status=P, completion=None)
    assert "第22步（阶段成果）已完成" in str(exc.value)
    # A step of the deliverable's own stage is not its prerequisite.
    assert record(world, n=16, status=P, completion=None).status == P


def test_return_and_reopen_refused_while_a_later_deliverable_stands(world):
    from cpaudit.progress.services import steps as services

    _complete_through(world, 22)
    rec = StepRecord.objects.get(enrolment=enrolment_of(world, "own"), step_id=6)
    with pytest.raises(InvalidState) as exc:
        services.step_return(actor=world.users[Role.BRANCH_STAFF], record=rec, reason="数据不全")
    assert "第22步" in exc.value.message
    services.step_confirm(actor=world.users[Role.BRANCH_STAFF], record=rec)
    with pytest.raises(InvalidState):
        services.step_reopen(actor=world.users[Role.BRANCH_STAFF], record=rec, reason="更正")


def test_confirming_an_outdated_page_is_refused(world):
    from cpaudit.progress.services import steps as services

    rec = record(world, n=1)
    seen = services.review_version(rec)
    record(world, n=1, note="补充说明")  # the enterprise changes it after the reviewer opened the page
    rec.refresh_from_db()
    with pytest.raises(InvalidState) as exc:
        services.step_confirm(actor=world.users[Role.BRANCH_STAFF], record=rec, version=seen)
    assert "刷新" in exc.value.message
    assert services.step_confirm(actor=world.users[Role.BRANCH_STAFF], record=rec,
                                 version=services.review_version(rec)).locked


# --- stages overlap, deliverables wait --------------------------------------------------------------

def test_a_later_stage_may_start_and_finish_before_the_earlier_ends(world):
    # Step 16 (stage 4) is not a deliverable: nothing before it need be complete.
    result = record(world, n=16)
    assert result.status == C
    assert record(world, n=23, status=P, completion=None).status == P


@pytest.mark.parametrize("n", [22, 27, 35])
def test_a_deliverable_step_needs_every_earlier_stage_complete(world, steps_fill, n):
    stage = next(s.number for s in stages() if n in s.step_numbers)
    earlier = steps_before(stage)
    steps_fill(enrolment_of(world, "own"), earlier[:-2])  # all but the last two
    with pytest.raises(ValidationError) as exc:
        record(world, n=n)
    text = " ".join(exc.value.messages)
    assert f"第{earlier[-2]}、{earlier[-1]}步" in text and f"第{n}步为阶段成果" in text
    assert not StepRecord.objects.filter(step_id=n).exists()
    # In progress is allowed meanwhile: only completing waits.
    assert record(world, n=n, status=P, completion=None).status == P
    steps_fill(enrolment_of(world, "own"), earlier[-2:], status=P)
    with pytest.raises(ValidationError):
        record(world, n=n)
    steps_fill(enrolment_of(world, "own"), earlier[-2:])
    attach_evidence(StepRecord.objects.get(enrolment=enrolment_of(world, "own"), step_id=n))
    assert record(world, n=n).status == C


def test_a_deliverable_does_not_wait_for_its_own_stage(world, steps_fill):
    steps_fill(enrolment_of(world, "own"), steps_before(4))
    assert complete_deliverable(world, 22).status == C  # steps 16–21 are still open


@pytest.mark.parametrize("n", [22, 27, 35])
def test_a_deliverable_step_needs_its_file(world, steps_fill, n):
    stage = next(s.number for s in stages() if n in s.step_numbers)
    steps_fill(enrolment_of(world, "own"), steps_before(stage))
    with pytest.raises(ValidationError) as exc:
        record(world, n=n)  # no record yet, so no file either
    assert exc.value.message_dict["status"] == [
        f"第{n}步的成果（{step(n).deliverable}）须作为佐证材料上传后才能填为“已完成”："
        "请先将本步骤保存为“进行中”，上传文件后再填为“已完成”"]
    in_progress = record(world, n=n, status=P, completion=None)
    with pytest.raises(ValidationError):
        record(world, n=n)  # in progress, still no file
    replaced = attach_evidence(in_progress, name="旧版.pdf")
    replaced.is_current = False  # a file that was replaced does not count
    replaced.save()
    with pytest.raises(ValidationError):
        record(world, n=n)
    attach_evidence(in_progress)
    done = record(world, n=n)
    assert (done.status, done.review) == (C, ReviewStatus.PENDING)


def test_an_ordinary_step_needs_no_file(world):
    assert record(world, n=16).status == C


def test_replacing_the_file_of_a_completed_deliverable_keeps_it_completed_and_before_the_branch(
        world, steps_fill, steps_evidence_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cpaudit.progress.services import steps as services
    from cpaudit.progress.services.evidence import evidence_upload

    steps_fill(enrolment_of(world, "own"), steps_before(4))
    done = complete_deliverable(world, 22)
    seen = services.review_version(done)
    first = done.evidence.get()
    new = evidence_upload(actor=world.users[Role.ENTERPRISE], record=done, replaces=first,
                          uploaded_file=SimpleUploadedFile("中期审核报告（修订）.pdf", b"%PDF-1.4 revised"))
    done.refresh_from_db()
    assert (done.status, done.review) == (C, ReviewStatus.PENDING)
    assert list(done.evidence.filter(is_current=True)) == [new]
    with pytest.raises(InvalidState):  # the branch confirms only the version it has seen
        services.step_confirm(actor=world.users[Role.BRANCH_STAFF], record=done, version=seen)


# --- the review: each action from each state -------------------------------------------------------

STATE = {  # review state → the step status that goes with it
    ReviewStatus.NONE: P, ReviewStatus.PENDING: C, ReviewStatus.CONFIRMED: C, ReviewStatus.RETURNED: P,
}


@pytest.fixture
def in_state(world, steps_fill):
    def _make(review, n=5):
        return steps_fill(enrolment_of(world, "own"), [n], status=STATE[review], review=review)[0]

    return _make


def reviewer(world):
    return world.users[Role.BRANCH_STAFF]


ACTIONS = {
    "confirm": (lambda w, r: step_confirm(actor=reviewer(w), record=r), ReviewStatus.PENDING),
    "return": (lambda w, r: step_return(actor=reviewer(w), record=r, reason="平衡图数据不全"), ReviewStatus.PENDING),
    "reopen": (lambda w, r: step_reopen(actor=reviewer(w), record=r, reason="完成日期填错"), ReviewStatus.CONFIRMED),
}
EXPECTED = {  # action → (review, status) after it
    "confirm": (ReviewStatus.CONFIRMED, C),
    "return": (ReviewStatus.RETURNED, P),
    "reopen": (ReviewStatus.NONE, P),
}


@pytest.mark.parametrize("state", list(ReviewStatus))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_review_actions_from_every_state(world, in_state, action, state):
    rec = in_state(state)
    run, allowed_from = ACTIONS[action]
    if state != allowed_from:
        with pytest.raises(InvalidState):
            run(world, rec)
        rec.refresh_from_db()
        assert (rec.review, rec.status) == (state, STATE[state]) and log_count() == 0
        return
    run(world, rec)
    rec.refresh_from_db()
    assert (rec.review, rec.status) == EXPECTED[action]
    assert rec.reviewed_by == reviewer(world) and rec.reviewed_at is not None
    entry = ActionLog.objects.get()
    assert entry.action == {"confirm": "progress.step.confirmed", "return": "progress.step.returned",
                            "reopen": "progress.step.reopened"}[action]
    assert entry.changes["review"] == [state.value, EXPECTED[action][0].value]
    if action != "confirm":
        assert rec.completion_date is None and entry.changes["status"] == ["completed", "in_progress"]
        assert entry.data["reason"] == rec.review_reason != ""


@pytest.mark.parametrize("state", list(ReviewStatus))
def test_recording_from_every_state(world, in_state, state):
    """Every state but 已核实 may be recorded; completing (again) always asks for review."""
    in_state(state)
    if state == ReviewStatus.CONFIRMED:
        with pytest.raises(InvalidState) as exc:
            record(world, note="更正")
        assert exc.value.message == "该步骤已核实锁定，如需更正请联系分局重新打开" and log_count() == 0
        return
    assert record(world, note="更正").review == ReviewStatus.PENDING
    assert record(world, status=P, completion=None).review == ReviewStatus.NONE


@pytest.mark.parametrize("action", ["return", "reopen"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_return_and_reopen_need_a_reason(world, in_state, action, reason):
    rec = in_state(ACTIONS[action][1])
    service = step_return if action == "return" else step_reopen
    with pytest.raises(ValidationError) as exc:
        service(actor=reviewer(world), record=rec, reason=reason)
    assert "须填写原因" in " ".join(exc.value.messages)
    rec.refresh_from_db()
    assert rec.review == ACTIONS[action][1] and log_count() == 0


def test_the_full_chain(world):
    """Complete → return → complete again → confirm (locked) → reopen → correct → confirm."""
    rec = record(world, n=12)
    rec = step_return(actor=reviewer(world), record=rec, reason="缺实测数据")
    assert (rec.status, rec.review, rec.review_reason) == (P, ReviewStatus.RETURNED, "缺实测数据")
    rec = record(world, n=12, status=P, completion=None, note="补测中")
    assert rec.review == ReviewStatus.NONE
    rec = record(world, n=12, note="已补测")
    assert rec.review == ReviewStatus.PENDING
    rec = step_confirm(actor=reviewer(world), record=rec)
    assert rec.locked and rec.review_reason == ""
    with pytest.raises(InvalidState):
        record(world, n=12, note="再改")
    rec = step_reopen(actor=reviewer(world), record=rec, reason="完成日期应为4月2日")
    assert not rec.locked and rec.review_reason == "完成日期应为4月2日"
    rec = record(world, n=12, completion=D(2020, 4, 2))
    step_confirm(actor=reviewer(world), record=rec)
    actions = list(ActionLog.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["progress.step.recorded", "progress.step.returned", "progress.step.recorded",
                       "progress.step.recorded", "progress.step.confirmed", "progress.step.reopened",
                       "progress.step.recorded", "progress.step.confirmed"]
    reopened = ActionLog.objects.get(action="progress.step.reopened")
    assert reopened.data["reason"] == "完成日期应为4月2日"
    assert reopened.changes["review_reason"] == ["", "完成日期应为4月2日"]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.BRANCH_STAFF])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_branch_staff_review(world, in_state, role, action):
    rec = in_state(ACTIONS[action][1])
    service = {"confirm": step_confirm, "return": step_return, "reopen": step_reopen}[action]
    kwargs = {} if action == "confirm" else {"reason": "原因"}
    with pytest.raises(PermissionDenied):
        service(actor=world.users[role], record=rec, **kwargs)
    rec.refresh_from_db()
    assert rec.review == ACTIONS[action][1]


@pytest.mark.parametrize("rel", ["other_county", "other_city"])
def test_branch_staff_review_only_their_county(world, steps_fill, rel):
    rec = steps_fill(enrolment_of(world, rel), [5])[0]
    with pytest.raises(PermissionDenied):
        step_confirm(actor=reviewer(world), record=rec)
    rec.refresh_from_db()
    assert rec.review == ReviewStatus.PENDING


def test_branch_staff_review_the_same_county(world, steps_fill):
    rec = steps_fill(enrolment_of(world, "same_county"), [5])[0]
    assert step_confirm(actor=reviewer(world), record=rec).locked


def test_no_review_in_a_closed_campaign(world, in_state):
    rec = in_state(ReviewStatus.PENDING)
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    with pytest.raises(InvalidState):
        step_confirm(actor=reviewer(world), record=rec)
