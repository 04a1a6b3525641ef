import hashlib
import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import Evidence, ReviewStatus, StepStatus
from cpaudit.progress.services.evidence import evidence_open, evidence_path, evidence_upload, versions

pytestmark = pytest.mark.usefixtures("steps_evidence_dir")

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def ole2(stream: str) -> bytes:
    return OLE2 + b"\x00" * 504 + stream.encode("utf-16-le") + b"\x00" * 64


def office_zip(member: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return buf.getvalue()


def real_xlsx() -> bytes:
    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active["A1"] = "实测数据"
    wb.save(buf)
    return buf.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x02" * 40
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def rec(world, steps_enrolment, steps_fill):
    """Step 5 of the own enrolment, in progress."""
    return steps_fill(steps_enrolment, [5], status=StepStatus.IN_PROGRESS)[0]


def up(world, rec, name="材料.pdf", content=PDF, role=Role.ENTERPRISE, **kwargs):
    return evidence_upload(actor=world.users[role], record=rec, uploaded_file=upload(name, content), **kwargs)


def stored_files(directory):
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


# --- type by content ------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "kind", "content_type"), [
    ("报告.pdf", PDF, "pdf", "application/pdf"),
    ("现场.png", PNG, "image", "image/png"),
    ("现场.jpg", JPEG, "image", "image/jpeg"),
    ("动图.gif", b"GIF89a" + b"\x00" * 20, "image", "image/gif"),
    ("计划.docx", office_zip("word/document.xml"), "word",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("实测.xlsx", real_xlsx(), "excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("计划.doc", ole2("WordDocument"), "word", "application/msword"),
    ("实测.XLS", ole2("Workbook"), "excel", "application/vnd.ms-excel"),
    ("无扩展名", PNG, "image", "image/png"),
])
def test_allowed_types_are_recognised_by_content(world, rec, name, content, kind, content_type):
    evidence = up(world, rec, name, content)
    assert (evidence.kind, evidence.content_type, evidence.original_name) == (kind, content_type, name)


def test_a_pdf_name_with_png_content_is_stored_as_an_image(world, rec):
    evidence = up(world, rec, "扫描件.pdf", PNG)
    assert evidence.kind == Evidence.Kind.IMAGE and evidence.content_type == "image/png"
    assert evidence.original_name == "扫描件.pdf"


@pytest.mark.parametrize(("name", "content"), [
    ("说明.pdf", "这是一段文字".encode()),
    ("程序.pdf", b"MZ\x90\x00" + b"\x00" * 60),
    ("压缩包.docx", office_zip("content.xml")),  # a zip, but neither Word nor Excel
    ("坏的.xlsx", b"PK\x03\x04" + b"\x00" * 30),  # a broken zip
    ("演示.ppt", ole2("PowerPoint Document")),  # OLE2 but neither .doc nor .xls
    ("伪装.doc", ole2("PowerPoint Document")),  # named .doc without a Word stream
    ("伪装.xls", ole2("WordDocument")),  # named .xls with a Word stream
])
def test_content_that_is_not_an_allowed_type_is_refused(world, rec, steps_evidence_dir, name, content):
    with pytest.raises(ValidationError) as exc:
        up(world, rec, name, content)
    text = " ".join(exc.value.messages)
    assert "只能上传PDF、图片（PNG、JPEG、GIF）、Word（.doc、.docx）或 Excel（.xls、.xlsx）文件" in text
    assert not Evidence.objects.exists() and not ActionLog.objects.exists()
    assert stored_files(steps_evidence_dir) == []  # nor a temporary file left behind


# --- size -----------------------------------------------------------------------------------------

def test_size_limit_is_configurable_and_named_in_megabytes(world, rec, settings, steps_evidence_dir):
    settings.CPAUDIT_UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as exc:
        up(world, rec, "大文件.pdf", PDF + b"\x00" * (1024 * 1024 - len(PDF) + 1))
    assert "不能超过 1 MB" in " ".join(exc.value.messages)
    assert not Evidence.objects.exists() and stored_files(steps_evidence_dir) == []
    assert up(world, rec, "刚好.pdf", PDF + b"\x00" * (1024 * 1024 - len(PDF))).size == 1024 * 1024


def test_the_declared_size_is_not_trusted(world, rec, settings, steps_evidence_dir):
    settings.CPAUDIT_UPLOAD_MAX_BYTES = 100
    lying = upload("小文件.pdf", PDF + b"\x00" * 200)
    lying.size = 10
    with pytest.raises(ValidationError):
        evidence_upload(actor=world.users[Role.ENTERPRISE], record=rec, uploaded_file=lying)
    assert not Evidence.objects.exists() and stored_files(steps_evidence_dir) == []


def test_default_limit_is_20_mb(settings):
    from cpaudit.progress.services.evidence import limit_label

    assert settings.CPAUDIT_UPLOAD_MAX_BYTES == 20 * 1024 * 1024 and limit_label() == "20 MB"


# --- storage, dedup, versions ---------------------------------------------------------------------

def test_stored_under_the_sm3_digest_outside_the_web_root(world, rec, steps_evidence_dir):
    evidence = up(world, rec, "报告.pdf", PDF, role=Role.CONSULTANT)
    digest = hashlib.new("sm3", PDF).hexdigest()
    assert evidence.digest == digest and evidence.size == len(PDF)
    assert evidence.uploaded_by == world.users[Role.CONSULTANT] and evidence.is_current
    path = steps_evidence_dir / digest[:2] / digest
    assert stored_files(steps_evidence_dir) == [path] and path.read_bytes() == PDF
    entry = ActionLog.objects.get(action="progress.evidence.uploaded")
    assert entry.object_id == str(evidence.pk)
    assert entry.data == {"digest": digest, "name": "报告.pdf", "size": len(PDF), "kind": "pdf", "replaces": None,
                          "enrolment": rec.enrolment_id, "step": 5}


def test_identical_content_is_stored_once(world, rec, steps_enrolment, steps_fill, steps_evidence_dir):
    other = steps_fill(steps_enrolment, [6], status=StepStatus.IN_PROGRESS)[0]
    first = up(world, rec, "甲.pdf", PDF)
    second = up(world, other, "乙.pdf", PDF)
    assert first.digest == second.digest and Evidence.objects.count() == 2
    assert len(stored_files(steps_evidence_dir)) == 1


def test_the_same_content_twice_on_one_step_is_refused(world, rec):
    up(world, rec, "甲.pdf", PDF)
    with pytest.raises(ValidationError) as exc:
        up(world, rec, "甲（副本）.pdf", PDF)
    assert "内容相同的材料「甲.pdf」" in " ".join(exc.value.messages)
    assert Evidence.objects.count() == 1


def test_replacing_keeps_the_old_version(world, rec, steps_evidence_dir):
    old = up(world, rec, "计划.pdf", PDF)
    new = up(world, rec, "计划（修改）.png", PNG, replaces=old)
    old.refresh_from_db()
    assert new.replaces == old and new.is_current and not old.is_current
    assert len(stored_files(steps_evidence_dir)) == 2  # the old file is still there
    with evidence_open(actor=world.users[Role.BRANCH_STAFF], evidence=old).handle as fh:
        assert fh.read() == PDF
    assert ActionLog.objects.filter(action="progress.evidence.uploaded").order_by("-seq").first().data[
        "replaces"] == old.pk
    newest = up(world, rec, "计划（三稿）.jpg", JPEG, replaces=new.pk)
    groups = versions(Evidence.objects.filter(record=rec))
    assert [(g["current"], g["older"]) for g in groups] == [(newest, [new, old])]


def test_only_a_current_file_of_the_same_step_can_be_replaced(world, rec, steps_enrolment, steps_fill):
    old = up(world, rec, "甲.pdf", PDF)
    up(world, rec, "乙.png", PNG, replaces=old)
    with pytest.raises(ValidationError):
        up(world, rec, "丙.jpg", JPEG, replaces=old)  # superseded already
    other = steps_fill(steps_enrolment, [6], status=StepStatus.IN_PROGRESS)[0]
    foreign = up(world, other, "丁.pdf", PDF)
    with pytest.raises(ValidationError):
        up(world, rec, "戊.jpg", JPEG, replaces=foreign)
    foreign.refresh_from_db()
    assert foreign.is_current and Evidence.objects.count() == 3


def test_versions_groups_files_newest_first(world, rec):
    a = up(world, rec, "甲.pdf", PDF)
    b = up(world, rec, "乙.png", PNG)
    a2 = up(world, rec, "甲2.jpg", JPEG, replaces=a)
    assert [(g["current"], g["older"]) for g in versions(Evidence.objects.all())] == [(a2, [a]), (b, [])]


# --- locked, closed, who ----------------------------------------------------------------------------

def test_a_confirmed_step_takes_no_upload(world, rec, steps_evidence_dir):
    rec.review = ReviewStatus.CONFIRMED
    rec.status = StepStatus.COMPLETED
    rec.save()
    with pytest.raises(InvalidState) as exc:
        up(world, rec)
    assert exc.value.message == "该步骤已核实锁定，如需更正请联系分局重新打开"
    assert not Evidence.objects.exists() and stored_files(steps_evidence_dir) == []


def test_a_closed_campaign_takes_no_upload(world, rec):
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    with pytest.raises(InvalidState):
        up(world, rec)
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ENTERPRISE, Role.CONSULTANT)])
def test_only_the_enterprise_and_its_agency_upload(world, rec, role):
    with pytest.raises(PermissionDenied):
        up(world, rec, role=role)
    assert not Evidence.objects.exists()


def test_nobody_uploads_to_another_enterprises_step(world, steps_fill):
    other = Enrolment.objects.get(enterprise=world.enterprises["same_county"], campaign=world.campaign)
    rec = steps_fill(other, [5], status=StepStatus.IN_PROGRESS)[0]
    for role in (Role.ENTERPRISE, Role.CONSULTANT):
        with pytest.raises(PermissionDenied):
            up(world, rec, role=role)


RELATIONS = ["own", "same_county", "other_county", "other_city"]
DOWNLOADS = {  # who may download the evidence of which enterprise (authority.md § Roles: who sees what)
    Role.ENTERPRISE: {"own"}, Role.CONSULTANT: {"own"},
    Role.BRANCH_STAFF: {"own", "same_county"}, Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"}, Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: set(RELATIONS), Role.PROVINCE_LEADER: set(RELATIONS),
}


@pytest.mark.parametrize("rel", RELATIONS)
@pytest.mark.parametrize("role", list(Role))
def test_download_permission(world, steps_fill, role, rel):
    enrolment = Enrolment.objects.get(enterprise=world.enterprises[rel], campaign=world.campaign)
    rec = steps_fill(enrolment, [5], status=StepStatus.IN_PROGRESS)[0]
    evidence = Evidence.objects.create(record=rec, digest=hashlib.new("sm3", PDF).hexdigest(), original_name="甲.pdf",
                                       kind="pdf", content_type="application/pdf", size=len(PDF),
                                       uploaded_by=world.users[Role.ENTERPRISE], uploaded_at=rec.enrolment.created_at)
    path = evidence_path(evidence.digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    if rel in DOWNLOADS.get(role, set()):
        with evidence_open(actor=world.users[role], evidence=evidence).handle as fh:
            assert fh.read() == PDF
    else:
        with pytest.raises(PermissionDenied):
            evidence_open(actor=world.users[role], evidence=evidence)


def test_a_missing_file_is_reported(world, rec, steps_evidence_dir):
    evidence = up(world, rec)
    for path in stored_files(steps_evidence_dir):
        path.unlink()
    with pytest.raises(InvalidState):
        evidence_open(actor=world.users[Role.ENTERPRISE], evidence=evidence)


def test_a_system_actor_cannot_upload(rec, system_actor):
    with pytest.raises(InvalidState):
        evidence_upload(actor=system_actor, record=rec, uploaded_file=upload("甲.pdf", PDF))
    assert not Evidence.objects.exists()
