"""The scan of the sealed copy: uploaded to a submitted report by its own unit, checked by content,
stored by SM3 outside the web root, logged, shown as 已上传盖章扫描件 and downloaded within scope."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpaudit.core import storedfiles
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.reports import services
from cpaudit.reports.scans import scan_open, scan_upload

from .conftest import D

PDF = b"%PDF-1.4\n% a scanned, sealed copy\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def store(settings, tmp_path):
    settings.CPAUDIT_EVIDENCE_DIR = tmp_path / "store"
    return settings.CPAUDIT_EVIDENCE_DIR


def upload(name: str, data: bytes):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_branch_uploads_the_scan_of_its_submitted_report(users, submitted, store):
    version = scan_upload(actor=users[Role.BRANCH_STAFF], report=submitted, uploaded_file=upload("盖章件.pdf", PDF))
    digest = hashlib.new("sm3", PDF).hexdigest()
    assert (version.scan_digest, version.scan_name, version.scan_content_type) == (digest, "盖章件.pdf",
                                                                                  "application/pdf")
    assert version.scan_uploaded_by == users[Role.BRANCH_STAFF] and version.scan_uploaded_at is not None
    assert storedfiles.stored_path(digest).read_bytes() == PDF and str(store) in str(storedfiles.stored_path(digest))
    entry = ActionLog.objects.get(action="reports.report.scan_uploaded")
    assert entry.data["digest"] == digest and entry.data["version"] == 1 and entry.data["replaces"] is None
    # A second, different file replaces it; the log keeps what it replaced.
    version = scan_upload(actor=users[Role.BRANCH_LEADER], report=submitted, uploaded_file=upload("scan.png", PNG))
    assert version.scan_content_type == "image/png"
    assert ActionLog.objects.filter(action="reports.report.scan_uploaded").last().data["replaces"] == digest
    with scan_open(actor=users[Role.CITY_STAFF], version=version) as handle:
        assert handle.read() == PNG


def test_a_scan_is_a_pdf_or_an_image(users, submitted, store):
    for name, data in (("report.docx.pdf", b"PK\x03\x04not really"), ("x.pdf", b"hello")):
        with pytest.raises(ValidationError):
            scan_upload(actor=users[Role.BRANCH_STAFF], report=submitted, uploaded_file=upload(name, data))
    assert not submitted.versions.get().scan_digest
    assert not ActionLog.objects.filter(action="reports.report.scan_uploaded").exists()


def test_the_same_file_twice_is_refused(users, submitted, store):
    scan_upload(actor=users[Role.BRANCH_STAFF], report=submitted, uploaded_file=upload("a.pdf", PDF))
    with pytest.raises(ValidationError, match="无需重复上传"):
        scan_upload(actor=users[Role.BRANCH_STAFF], report=submitted, uploaded_file=upload("b.pdf", PDF))


def test_only_a_submitted_report_takes_a_scan(users, branch_report, store):
    with pytest.raises(InvalidState, match="报送后上传"):
        scan_upload(actor=users[Role.BRANCH_STAFF], report=branch_report, uploaded_file=upload("a.pdf", PDF))


@pytest.mark.parametrize("role", [Role.CITY_STAFF, Role.PROVINCE_STAFF, Role.ENTERPRISE])
def test_only_the_reporting_unit_uploads(users, submitted, store, role):
    with pytest.raises((PermissionDenied, InvalidState)):
        scan_upload(actor=users[role], report=submitted, uploaded_file=upload("a.pdf", PDF))
    assert not submitted.versions.get().scan_digest


def test_city_uploads_the_scan_of_its_consolidation(world, users, submitted, today, store):
    city = services.report_for(actor=users[Role.CITY_STAFF], campaign=world.campaign, agency=world.baoding,
                               month=D(2020, 5, 1), kind="city")
    city = services.report_save_draft(actor=users[Role.CITY_STAFF], report=city, problems="无",
                                      document_number="保环报〔2020〕9号")
    services.report_submit(actor=users[Role.CITY_LEADER], report=city)
    with pytest.raises(PermissionDenied):  # a branch does not even see the city's report
        scan_upload(actor=users[Role.BRANCH_STAFF], report=city, uploaded_file=upload("a.pdf", PDF))
    version = scan_upload(actor=users[Role.CITY_LEADER], report=city, uploaded_file=upload("a.pdf", PDF))
    assert version.scan_digest


def test_page_shows_the_scan_and_downloads_it(world, users, submitted, store, login):
    page = reverse("reports:branch_report", args=[world.campaign.slug, "2020-05", world.branch_a.pk])
    staff = login(users[Role.BRANCH_STAFF])
    response = staff.post(reverse("reports:scan_upload", args=[submitted.pk]), {"file": upload("盖章件.pdf", PDF)})
    assert response.status_code == 302 and response["Location"] == page
    html = staff.get(page).content.decode()
    version = submitted.versions.get()
    assert "已上传盖章扫描件" in html and "盖章件.pdf" in html and users[Role.BRANCH_STAFF].full_name in html
    download = reverse("reports:scan_download", args=[version.pk])
    assert download in html
    city = login(users[Role.CITY_STAFF])
    response = city.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert "type=\"file\"" not in city.get(page).content.decode()  # the city does not upload the branch's scan
    assert login(users[Role.ENTERPRISE]).get(download).status_code == 403


def test_a_refused_upload_says_why(world, users, submitted, store, login):
    staff = login(users[Role.BRANCH_STAFF])
    response = staff.post(reverse("reports:scan_upload", args=[submitted.pk]), {"file": upload("a.txt", b"text")},
                          follow=True)
    assert "文件内容不是允许的类型" in response.content.decode()
    assert not submitted.versions.get().scan_digest
