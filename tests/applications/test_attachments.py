"""The enterprise's written application and audit report: uploaded with the form, checked by content,
required at submission, frozen with each version, listed in the batch, downloadable within scope."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpaudit.applications import services
from cpaudit.applications.document import batch_document
from cpaudit.applications.models import Attachment, Outcome, Status, Step
from cpaudit.applications.render.layout import letter_attachments
from cpaudit.core.errors import InvalidState
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role

from .conftest import pdf, reload


def test_submission_needs_the_letter_and_the_report(chain, eligible, world):
    app = chain.start(eligible, fill=False)
    services.application_save(actor=chain.enterprise_user, application=app, data=__import__(
        "tests.applications.conftest", fromlist=["FILL"]).FILL[app.kind])
    with pytest.raises(InvalidState) as exc:
        services.application_submit(actor=chain.enterprise_user, application=reload(app))
    assert "企业书面评估申请" in exc.value.message and "清洁生产审核报告（送评估稿）" in exc.value.message
    services.attachment_upload(actor=chain.enterprise_user, application=app, purpose="letter",
                               uploaded_file=pdf("letter.pdf"))
    with pytest.raises(InvalidState) as exc:
        services.application_submit(actor=chain.enterprise_user, application=reload(app))
    assert "企业书面评估申请" not in exc.value.message
    assert reload(app).status == Status.DRAFT and not app.versions.exists()


def test_the_version_freezes_the_files_it_was_submitted_with(chain, submitted, world):
    v1 = submitted.versions.get()
    listed = {item["purpose"]: item for item in v1.content["attachments"]}
    assert set(listed) == {"letter", "report"}
    letter = Attachment.objects.get(pk=listed["letter"]["id"])
    assert listed["letter"]["digest"] == letter.digest
    entry = ActionLog.objects.filter(action="applications.application.submitted").get()
    assert sorted(entry.data["attachments"]) == sorted(i["digest"] for i in v1.content["attachments"])
    # Frozen: no change once submitted.
    with pytest.raises(InvalidState):
        services.attachment_upload(actor=chain.enterprise_user, application=submitted, purpose="letter",
                                   uploaded_file=pdf("letter2.pdf", "新"))
    # Returned, a new letter replaces the current one; version 1 still lists the old one.
    chain.decide(submitted, Step.BRANCH_REVIEW, outcome=Outcome.RETURN, opinion="请补充")
    services.attachment_upload(actor=chain.enterprise_user, application=submitted, purpose="letter",
                               uploaded_file=pdf("letter2.pdf", "新"))
    services.application_submit(actor=chain.enterprise_user, application=reload(submitted))
    v2 = submitted.versions.get(number=2)
    new = {i["purpose"]: i for i in v2.content["attachments"]}
    assert new["letter"]["digest"] != listed["letter"]["digest"]
    assert new["report"]["digest"] == listed["report"]["digest"]
    assert submitted.versions.get(number=1).content["attachments"] == v1.content["attachments"]
    assert not Attachment.objects.get(pk=letter.pk).is_current


def test_files_are_checked_by_content(chain, eligible):
    app = chain.start(eligible, fill=False)
    with pytest.raises(ValidationError):
        services.attachment_upload(actor=chain.enterprise_user, application=app, purpose="letter",
                                   uploaded_file=SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf"))
    with pytest.raises(ValidationError):
        services.attachment_upload(actor=chain.enterprise_user, application=app, purpose="other",
                                   uploaded_file=pdf("x.pdf"))
    assert not app.attachments.exists()


def test_only_the_enterprise_side_uploads(chain, eligible, world):
    app = chain.start(eligible, fill=False)
    from cpaudit.core.errors import PermissionDenied

    for role in (Role.BRANCH_STAFF, Role.CITY_STAFF, Role.EXPERT):
        with pytest.raises(PermissionDenied):
            services.attachment_upload(actor=world.users[role], application=app, purpose="letter",
                                       uploaded_file=pdf("x.pdf"))
    services.attachment_upload(actor=world.users[Role.CONSULTANT], application=app, purpose="report",
                               uploaded_file=pdf("report.pdf"))
    assert app.attachments.get().uploaded_by == world.users[Role.CONSULTANT]


def test_the_batch_lists_each_enterprise_s_files(chain, submitted, world):
    app = chain.to(submitted, Status.BRANCH_BATCH)
    batch = services.batch_submit(actor=world.users[Role.BRANCH_LEADER], campaign=app.campaign, kind=app.kind,
                                  applications=[app])
    item = batch.content["items"][0]
    assert [a["purpose"] for a in item["attachments"]] == ["letter", "report"]
    line = letter_attachments(batch_document(batch))
    assert "企业书面评估申请（1份）" in line and "清洁生产审核报告（送评估稿）（1份）" in line


def test_downloads_follow_the_application_s_scope(client, chain, submitted, world):
    item = submitted.attachments.get(purpose="letter")
    url = reverse("applications:attachment_download", args=[item.pk])
    for role, expected in ((Role.ENTERPRISE, 200), (Role.BRANCH_STAFF, 200), (Role.CITY_STAFF, 200),
                           (Role.SYSTEM_ADMIN, 403)):
        client.force_login(world.users[role])
        response = client.get(url)
        assert response.status_code == expected, role
        if expected == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF")
    from tests.factories import make_user

    client.force_login(make_user("lianchi_staff", Role.BRANCH_STAFF, agency=world.branch_b))
    assert client.get(url).status_code == 404
