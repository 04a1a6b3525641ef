import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpaudit.campaigns.models import Enrolment
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import Evidence, ReviewStatus, StageTarget, StepRecord, StepStatus
from cpaudit.progress.services.evidence import evidence_upload
from cpaudit.progress.steps import stages
from tests.factories import complete_audit

from .matrix_steps import BUSINESS, RECORDERS, RELATIONS, SEES

pytestmark = pytest.mark.usefixtures("steps_today", "steps_evidence_dir")

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def enrolment_of(world, rel="own"):
    return Enrolment.objects.get(enterprise=world.enterprises[rel], campaign=world.campaign)


def progress_url(enrolment):
    return reverse("progress:enrolment_progress", args=[enrolment.pk])


def step_url(enrolment, n):
    return reverse("progress:step_edit", args=[enrolment.pk, n])


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def attach(world, record, name="材料.pdf", content=PDF, replaces=None):
    return evidence_upload(actor=world.users[Role.ENTERPRISE], record=record,
                           uploaded_file=SimpleUploadedFile(name, content), replaces=replaces)


# --- the timeline ---------------------------------------------------------------------------------

def test_timeline_shows_steps_stages_review_and_evidence(world, login, steps_fill):
    enrolment = enrolment_of(world)
    stage1 = stages()[0].step_numbers
    steps_fill(enrolment, stage1, review=ReviewStatus.CONFIRMED)
    steps_fill(enrolment, [5], review=ReviewStatus.PENDING)
    returned = steps_fill(enrolment, [6], status=StepStatus.IN_PROGRESS, review=ReviewStatus.RETURNED)[0]
    StepRecord.objects.filter(pk=returned.pk).update(review_reason="现场照片不清晰")
    rec = steps_fill(enrolment, [16], status=StepStatus.IN_PROGRESS)[0]  # stage 4 started: overlap
    old = attach(world, rec, "方案汇总.pdf")
    attach(world, rec, "方案汇总（修订）.png", PNG, replaces=old)
    html = text(login(world.users[Role.BRANCH_STAFF]).get(progress_url(enrolment)))
    assert "已实施到第4阶段（方案的产生和筛选）" in html
    assert "完成 4/4" in html and "完成 1/6" in html and "完成 0/7" in html
    assert "已核实" in html and "待核实" in html and "已退回" in html and "退回原因：现场照片不清晰" in html
    assert "方案汇总（修订）.png" in html and "历史版本（1）" in html and "方案汇总.pdf" in html
    assert reverse("progress:evidence_download", args=[old.pk]) in html
    assert "编写清洁生产中期审核报告" in html and "成果：中期审核报告" in html
    assert "待核实步骤：1" in html


def test_timeline_flags_stages_behind_their_node(world, login, steps_fill):
    enrolment = enrolment_of(world)
    StageTarget.objects.create(campaign=world.campaign, stage=1, target_date=dt.date(2020, 4, 1))
    StageTarget.objects.create(campaign=world.campaign, stage=2, target_date=dt.date(2020, 7, 15))
    StageTarget.objects.create(campaign=world.campaign, stage=3, target_date=dt.date(2020, 7, 20))
    client = login(world.users[Role.ENTERPRISE])
    html = text(client.get(progress_url(enrolment)))
    assert "时间节点：2020-04-01" in html and "落后于时间节点：第1阶段<" in html
    steps_fill(enrolment, stages()[0].step_numbers)
    assert "落后于时间节点" not in text(client.get(progress_url(enrolment)))


def test_timeline_shows_eligibility(world, login, steps_fill):
    enrolment = enrolment_of(world)
    client = login(world.users[Role.ENTERPRISE])
    html = text(client.get(progress_url(enrolment)))
    assert "尚未开始审核" in html and "评估：审核尚未完成第1至27步，暂不能申请评估" in html
    assert ">可申请评估<" not in html and "验收：评估通过后可申请验收" in html
    steps_fill(enrolment, [27])  # step 27 alone is not the audit through step 27
    assert ">可申请评估<" not in text(client.get(progress_url(enrolment)))
    steps_fill(enrolment, list(range(1, 28)))  # completed, awaiting the branch, no files
    html = text(client.get(progress_url(enrolment)))
    assert ">可申请评估<" not in html and "已实施到第5阶段" in html
    assert "第22步（中期审核报告）、第27步（清洁生产审核报告（送评估稿））尚未上传成果文件" in html
    assert "第1至27步尚未经分局核实" in html
    complete_audit(enrolment, through=27)
    html = text(client.get(progress_url(enrolment)))
    assert ">可申请评估<" in html and "评估：" not in html
    complete_audit(enrolment, through=35)
    # Without a passed 评估 nobody may apply for 验收.
    assert ">可申请验收<" not in text(client.get(progress_url(enrolment)))


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.BRANCH_STAFF, Role.PROVINCE_STAFF])
def test_timeline_query_count_does_not_grow(world, login, steps_fill, role):
    few, many = enrolment_of(world, "own"), enrolment_of(world, "same_county")
    steps_fill(few, [1, 2])
    steps_fill(many, range(1, 36))
    many.consulting_agency, many.mode = world.consulting, "entrusted"
    many.save()
    sign = {"recorded_by": world.users[Role.CONSULTANT], "reviewed_by": world.users[Role.BRANCH_STAFF]}
    StepRecord.objects.update(**sign)
    for n in (1, 2, 3, 5, 8):
        rec = StepRecord.objects.get(enrolment=many, step_id=n)
        first = Evidence.objects.create(record=rec, digest=f"{n:064x}", original_name=f"{n}.pdf", kind="pdf",
                                        content_type="application/pdf", size=10, uploaded_by=world.users[Role.ENTERPRISE],
                                        uploaded_at=dt.datetime(2020, 4, n, tzinfo=dt.UTC), is_current=False)
        Evidence.objects.create(record=rec, digest=f"{n + 100:064x}", original_name=f"{n}-2.pdf", kind="pdf",
                                content_type="application/pdf", size=10, uploaded_by=world.users[Role.CONSULTANT],
                                uploaded_at=dt.datetime(2020, 5, n, tzinfo=dt.UTC), replaces=first)
    client = login(world.users[role])
    client.get(progress_url(few))  # warm: what a session's first request loads is not the page's
    if role == Role.ENTERPRISE:  # an enterprise sees only itself: compare with its own page grown instead
        baseline = _queries(client, progress_url(few))
        steps_fill(few, range(3, 36))
        StepRecord.objects.update(**sign)
        for rec in StepRecord.objects.filter(enrolment=few)[:5]:
            Evidence.objects.create(record=rec, digest=f"{rec.pk + 500:064x}", original_name="x.pdf", kind="pdf",
                                    content_type="application/pdf", size=10, uploaded_by=world.users[role],
                                    uploaded_at=dt.datetime(2020, 5, 1, tzinfo=dt.UTC))
        assert _queries(client, progress_url(few)) == baseline
        return
    assert _queries(client, progress_url(few)) == _queries(client, progress_url(many))


@pytest.mark.parametrize("rel", RELATIONS)
@pytest.mark.parametrize("role", list(Role))
def test_step_edit_post_permission_matrix(world, client, role, rel):
    """An empty submission of the step form: 200 with errors for the recorders of the own enterprise,
    403 for others who see it, 404 for those who do not; nothing saved, nothing logged."""
    client.force_login(world.users[role])
    response = client.post(step_url(enrolment_of(world, rel), 5), {})
    if role not in BUSINESS:
        expected = 403
    elif rel not in SEES[role]:
        expected = 404
    else:
        expected = 200 if role in RECORDERS else 403
    assert response.status_code == expected
    assert not StepRecord.objects.exists() and not ActionLog.objects.filter(action__startswith="progress.").exists()


# --- one step -------------------------------------------------------------------------------------

def test_step_form_records_progress(world, login):
    enrolment = enrolment_of(world)
    client = login(world.users[Role.CONSULTANT])
    response = client.post(step_url(enrolment, 5), {"status": "completed", "start_date": "2020-03-02",
                                                    "completion_date": "2020-03-20", "note": "调研完成"})
    assert response.status_code == 302 and response["Location"] == step_url(enrolment, 5)
    record = StepRecord.objects.get(enrolment=enrolment, step_id=5)
    assert (record.status, record.review, record.recorded_by) == ("completed", "pending", world.users[Role.CONSULTANT])
    html = text(client.get(step_url(enrolment, 5)))
    assert "待核实" in html and "调研完成" in html and "上传" in html


@pytest.mark.parametrize(("data", "message"), [
    ({"status": "completed", "start_date": "2020-03-02", "completion_date": "2020-07-02"}, "完成日期不能晚于今天"),
    ({"status": "in_progress", "start_date": "2020-02-01"}, "开始日期不能早于本企业的开始审核时间"),
    ({"status": "completed", "start_date": "2020-03-10", "completion_date": "2020-03-02"}, "完成日期不能早于开始日期"),
])
def test_step_form_shows_the_date_errors(world, login, data, message):
    response = login(world.users[Role.ENTERPRISE]).post(step_url(enrolment_of(world), 5), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not StepRecord.objects.exists()


def test_deliverable_refusal_names_the_missing_steps(world, login, steps_fill):
    steps_fill(enrolment_of(world), [n for n in range(1, 16) if n not in (3, 14)])
    response = login(world.users[Role.ENTERPRISE]).post(step_url(enrolment_of(world), 22), {
        "status": "completed", "start_date": "2020-03-02", "completion_date": "2020-04-02"})
    assert response.status_code == 200 and "尚未完成：第3、14步" in response.content.decode()


def test_locked_step_has_no_form_and_refuses_a_post(world, login, steps_fill):
    enrolment = enrolment_of(world)
    steps_fill(enrolment, [5], review=ReviewStatus.CONFIRMED)
    client = login(world.users[Role.ENTERPRISE])
    html = text(client.get(step_url(enrolment, 5)))
    assert "该步骤已核实锁定" in html and 'name="status"' not in html and 'name="file"' not in html
    response = client.post(step_url(enrolment, 5), {"status": "in_progress", "start_date": "2020-03-02"},
                           follow=True)
    assert response.status_code == 200 and "该步骤已核实锁定，如需更正请联系分局重新打开" in response.content.decode()
    assert StepRecord.objects.get(enrolment=enrolment, step_id=5).status == "completed"


@pytest.mark.parametrize(("review", "buttons"), [
    (ReviewStatus.PENDING, {"confirm", "return"}),
    (ReviewStatus.CONFIRMED, {"reopen"}),
    (ReviewStatus.RETURNED, set()),
    (ReviewStatus.NONE, set()),
])
def test_branch_staff_see_the_buttons_the_state_allows(world, login, steps_fill, review, buttons):
    enrolment = enrolment_of(world)
    status = StepStatus.COMPLETED if review in (ReviewStatus.PENDING, ReviewStatus.CONFIRMED) else StepStatus.IN_PROGRESS
    steps_fill(enrolment, [5], status=status, review=review)
    html = login(world.users[Role.BRANCH_STAFF]).get(step_url(enrolment, 5)).content.decode()
    assert set(re.findall(r'name="action" value="(\w+)"', html)) == buttons
    assert 'name="status"' not in html  # branch staff do not record


@pytest.mark.parametrize("role", [Role.BRANCH_LEADER, Role.CITY_STAFF, Role.PROVINCE_STAFF])
def test_others_see_the_step_without_forms(world, login, steps_fill, role):
    enrolment = enrolment_of(world)
    steps_fill(enrolment, [5])
    html = login(world.users[role]).get(step_url(enrolment, 5)).content.decode()
    assert "进行现状调研" in html and 'name="action"' not in html and 'name="status"' not in html
    assert 'name="file"' not in html


def test_unknown_step_is_404(world, login):
    client = login(world.users[Role.ENTERPRISE])
    assert client.get(step_url(enrolment_of(world), 36)).status_code == 404
    assert client.get(step_url(enrolment_of(world), 0)).status_code == 404


# --- review through the page ------------------------------------------------------------------------

def review(client, record, **data):
    return client.post(reverse("progress:step_review", args=[record.pk]), data)


def test_confirm_return_reopen_through_the_page(world, login, steps_fill):
    enrolment = enrolment_of(world)
    record = steps_fill(enrolment, [5])[0]
    client = login(world.users[Role.BRANCH_STAFF])
    response = review(client, record, action="return", reason="")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.review == ReviewStatus.PENDING
    assert "退回须填写原因" in text(client.get(response["Location"]))
    review(client, record, action="confirm")
    record.refresh_from_db()
    assert record.review == ReviewStatus.CONFIRMED
    review(client, record, action="reopen", reason="数据有误")
    record.refresh_from_db()
    assert (record.review, record.status, record.review_reason) == ("none", "in_progress", "数据有误")
    assert list(ActionLog.objects.filter(action__startswith="progress.step.").order_by("seq").values_list(
        "action", flat=True)) == [
        "progress.step.confirmed", "progress.step.reopened"]


def test_review_get_is_not_allowed(world, login, steps_fill):
    record = steps_fill(enrolment_of(world), [5])[0]
    assert login(world.users[Role.BRANCH_STAFF]).get(
        reverse("progress:step_review", args=[record.pk])).status_code == 405


@pytest.mark.parametrize("rel", RELATIONS)
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("action", "state"), [("confirm", ReviewStatus.PENDING), ("return", ReviewStatus.PENDING),
                                               ("reopen", ReviewStatus.CONFIRMED)])
def test_review_permission_matrix(world, client, steps_fill, role, rel, action, state):
    record = steps_fill(enrolment_of(world, rel), [5], review=state)[0]
    client.force_login(world.users[role])
    response = review(client, record, action=action, reason="原因")
    record.refresh_from_db()
    if role not in BUSINESS:
        expected = 403
    elif rel not in SEES[role]:
        expected = 404
    else:
        expected = 302 if role == Role.BRANCH_STAFF else 403
    assert response.status_code == expected
    assert (record.review != state) is (expected == 302)


# --- evidence through the pages ---------------------------------------------------------------------

def upload_url(record):
    return reverse("progress:evidence_upload", args=[record.pk])


def test_upload_and_download(world, login, steps_fill):
    record = steps_fill(enrolment_of(world), [5], status=StepStatus.IN_PROGRESS)[0]
    client = login(world.users[Role.ENTERPRISE])
    response = client.post(upload_url(record), {"file": SimpleUploadedFile("现状调研报告.pdf", PDF)})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    response = client.post(upload_url(record), {"file": SimpleUploadedFile("调研报告（修订）.pdf", PNG),
                                                "replaces": str(evidence.pk)})
    newer = Evidence.objects.get(is_current=True)
    assert newer.replaces == evidence and newer.kind == "image"
    download = login(world.users[Role.CITY_STAFF]).get(reverse("progress:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert quote("现状调研报告.pdf") in download["Content-Disposition"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("说明.pdf", "纯文本".encode(), "文件内容不是允许的类型"),
    ("空.pdf", b"", "文件为空"),
])
def test_refused_upload_says_why(world, login, steps_fill, name, content, message):
    record = steps_fill(enrolment_of(world), [5], status=StepStatus.IN_PROGRESS)[0]
    client = login(world.users[Role.ENTERPRISE])
    response = client.post(upload_url(record), {"file": SimpleUploadedFile(name, content)}, follow=True)
    assert message in response.content.decode() and not Evidence.objects.exists()


def test_upload_onto_a_locked_step_is_refused(world, login, steps_fill):
    record = steps_fill(enrolment_of(world), [5], review=ReviewStatus.CONFIRMED)[0]
    response = login(world.users[Role.CONSULTANT]).post(
        upload_url(record), {"file": SimpleUploadedFile("补充.pdf", PDF)}, follow=True)
    assert "该步骤已核实锁定" in response.content.decode() and not Evidence.objects.exists()


@pytest.mark.parametrize("rel", RELATIONS)
@pytest.mark.parametrize("role", list(Role))
def test_upload_permission_matrix(world, client, steps_fill, role, rel):
    record = steps_fill(enrolment_of(world, rel), [5], status=StepStatus.IN_PROGRESS)[0]
    client.force_login(world.users[role])
    response = client.post(upload_url(record), {"file": SimpleUploadedFile("甲.pdf", PDF)})
    if role not in BUSINESS:
        expected = 403
    elif rel not in SEES[role]:
        expected = 404
    else:
        expected = 302 if role in RECORDERS else 403
    assert response.status_code == expected
    assert Evidence.objects.exists() is (expected == 302)


@pytest.mark.parametrize("rel", RELATIONS)
@pytest.mark.parametrize("role", list(Role))
def test_download_permission_matrix(world, client, steps_fill, role, rel):
    record = steps_fill(enrolment_of(world, rel), [5], status=StepStatus.IN_PROGRESS)[0]
    evidence = evidence_upload(actor=_uploader(world, rel),
                               record=record, uploaded_file=SimpleUploadedFile("甲.pdf", PDF))
    client.force_login(world.users[role])
    response = client.get(reverse("progress:evidence_download", args=[evidence.pk]))
    if role == Role.EXPERT:
        expected = 404  # an expert sees only the deliverables of the applications it scores
    elif role not in BUSINESS:
        expected = 403
    elif rel not in SEES[role]:
        expected = 404
    else:
        expected = 200
    assert response.status_code == expected


def _uploader(world, rel):
    """Someone allowed to upload onto the relation's enterprise: its own user (made for the test)."""
    from tests.factories import make_user

    if rel == "own":
        return world.users[Role.ENTERPRISE]
    return make_user(f"ent-{rel}", Role.ENTERPRISE, enterprise=world.enterprises[rel])


def test_a_missing_file_is_404(world, login, steps_fill, steps_evidence_dir):
    record = steps_fill(enrolment_of(world), [5], status=StepStatus.IN_PROGRESS)[0]
    evidence = evidence_upload(actor=world.users[Role.ENTERPRISE], record=record,
                               uploaded_file=SimpleUploadedFile("甲.pdf", PDF))
    for path in steps_evidence_dir.rglob("*"):
        if path.is_file():
            path.unlink()
    response = login(world.users[Role.ENTERPRISE]).get(reverse("progress:evidence_download", args=[evidence.pk]))
    assert response.status_code == 404


# --- time nodes -----------------------------------------------------------------------------------

def test_province_sets_the_time_nodes(world, login):
    client = login(world.users[Role.PROVINCE_STAFF])
    url = reverse("progress:stage_targets", args=[world.campaign.slug])
    html = client.get(url).content.decode()
    assert 'value="2020-08-20"' in html and "默认：2020-11-20" in html
    data = {f"stage_{k}": f"2020-0{k + 1}-15" for k in range(1, 8)}
    response = client.post(url, data)
    assert response.status_code == 302
    assert StageTarget.objects.get(stage=3).target_date == dt.date(2020, 4, 15)
    data["stage_4"] = "2020-01-01"
    response = client.post(url, data)
    assert response.status_code == 200 and "第4阶段的节点日期不能早于第3阶段" in response.content.decode()
    assert StageTarget.objects.get(stage=4).target_date == dt.date(2020, 5, 15)
