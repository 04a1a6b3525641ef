"""The application chain's documents issued: Table 1 with its opinions by the organizer's leader once
the result is confirmed, a batch letter by the sending unit's leader; downloads and export-form then
serve the issued bytes; the seal line is printed in the PDF and the Word file."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from cpaudit.applications.models import Level, Status, Step
from cpaudit.core.errors import PermissionDenied
from cpaudit.documents import application_documents as issuing
from cpaudit.documents.models import IssuedDocument
from cpaudit.documents.verify import verify_bytes
from cpaudit.org.roles import Role

from ..applications.docfixtures import (
    batch_content,
    decide,
    docx_text,
    make_application,
    make_batch,
    pdf_text,
    squash,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def passed(world):
    """An evaluation organized by 保定市生态环境局 (市管), result confirmed 通过."""
    application = make_application(world, status=Status.PASSED)
    application.organizer, application.organizer_level, application.passed = world.baoding, Level.CITY, True
    application.save()
    decide(world, application, Step.BRANCH_REVIEW, opinion="材料齐全", checks={"materials_complete": True})
    decide(world, application, Step.RESULT_CONFIRMATION, role=Role.CITY_LEADER, opinion="确认")
    return application


def test_the_organizers_leader_issues_the_form_in_both_formats(world, seals, passed):
    issued = issuing.application_form_issue(actor=world.users[Role.CITY_LEADER], application=passed)
    assert [d.format for d in issued] == ["pdf", "docx"]
    version = passed.versions.get()
    for doc in issued:
        assert (doc.kind, doc.object_id, doc.agency) == ("application_form", version.pk, world.baoding)
        assert doc.title == f"{passed.enrolment.enterprise.name} 表1 清洁生产审核评估申请表，第1版"
    pdf, docx = (verify_bytes(_bytes(d)) for d in issued)
    assert pdf.valid and docx.valid
    # The seal line is printed in each file: id, verification code, content SM3 prefix, log head.
    for doc, text in ((issued[0], pdf_text(_bytes(issued[0]))), (issued[1], _docx_all_text(_bytes(issued[1])))):
        flat = squash(text)
        for part in (doc.code, f"文书编号：{doc.pk}", doc.content_sm3[:16], f"#{doc.head_seq}", "保定市生态环境局"):
            assert squash(part) in flat, (doc.format, part)


def _bytes(doc) -> bytes:
    from cpaudit.documents.selectors import issued_bytes

    return issued_bytes(doc)


def _docx_all_text(data: bytes) -> str:
    from docx import Document

    footer = "\n".join(p.text for p in Document(io.BytesIO(data)).sections[0].footer.paragraphs)
    return docx_text(data) + "\n" + footer


@pytest.mark.parametrize("role", [Role.CITY_STAFF, Role.BRANCH_LEADER, Role.PROVINCE_LEADER])
def test_nobody_but_the_organizers_leader_issues_the_form(world, seals, passed, role):
    with pytest.raises(PermissionDenied):
        issuing.application_form_issue(actor=world.users[role], application=passed)
    assert not IssuedDocument.objects.exists()


def test_the_form_is_issued_only_once_the_result_is_confirmed(world, seals, passed):
    passed.status = Status.RESULT_PENDING
    passed.save()
    with pytest.raises(PermissionDenied) as info:
        issuing.application_form_issue(actor=world.users[Role.CITY_LEADER], application=passed)
    assert "结论确认后" in info.value.message


def test_the_sending_leader_issues_the_batch_letter(world, seals):
    batch = make_batch(world)
    assert issuing.letter_issue_refusal(world.users[Role.CITY_LEADER], batch)  # the recipient does not
    issued = issuing.batch_letter_issue(actor=world.users[Role.BRANCH_LEADER], batch=batch)
    assert [d.agency for d in issued] == [world.branch_a, world.branch_a]
    assert all(verify_bytes(_bytes(d)).valid for d in issued)
    assert issued[0].code.replace("-", "") in squash(pdf_text(_bytes(issued[0]))).replace("-", "")


def test_downloads_serve_the_issued_bytes_every_time(world, seals, passed, client):
    client.force_login(world.users[Role.CITY_LEADER])
    url = reverse("applications:form_issue", kwargs={"pk": passed.pk})
    response = client.post(url)
    assert response.status_code == 302
    issued = {d.format: d for d in IssuedDocument.objects.all()}
    assert set(issued) == {"pdf", "docx"}
    for fmt in ("pdf", "docx"):
        download = reverse("applications:form_download", kwargs={"pk": passed.pk, "fmt": fmt})
        first, second = client.get(download), client.get(download)
        assert first.content == second.content == _bytes(issued[fmt])
        assert "（签发）" in first["Content-Disposition"] or "%EF%BC%88%E7%AD%BE%E5%8F%91" in first["Content-Disposition"]
    again = client.post(url, follow=True)  # issued once: a second POST says so and changes nothing
    assert "已签发" in again.content.decode() and IssuedDocument.objects.count() == 2


def test_the_pages_offer_the_issue_to_the_one_entitled_only(world, seals, passed, client):
    client.force_login(world.users[Role.CITY_STAFF])
    page = client.get(reverse("applications:detail", kwargs={"pk": passed.pk})).content.decode()
    assert reverse("applications:form_issue", kwargs={"pk": passed.pk}) not in page
    client.force_login(world.users[Role.CITY_LEADER])
    page = client.get(reverse("applications:detail", kwargs={"pk": passed.pk})).content.decode()
    assert reverse("applications:form_issue", kwargs={"pk": passed.pk}) in page
    client.post(reverse("applications:form_issue", kwargs={"pk": passed.pk}))
    page = client.get(reverse("applications:detail", kwargs={"pk": passed.pk})).content.decode()
    code = IssuedDocument.objects.get(format="pdf").code
    assert code in page and reverse("applications:form_issue", kwargs={"pk": passed.pk}) not in page
    content = batch_content(world)
    for item in content["items"]:
        item["application"] = passed.pk  # the page links each enterprise to its application
    batch = make_batch(world, content=content)
    client.force_login(world.users[Role.BRANCH_LEADER])
    page = client.get(reverse("applications:batch_detail", kwargs={"pk": batch.pk})).content.decode()
    assert reverse("applications:batch_issue", kwargs={"pk": batch.pk}) in page


def test_a_refusal_is_a_message_on_the_page(world, seals, passed, client):
    client.force_login(world.users[Role.BRANCH_LEADER])  # in scope, not the organizer's leader
    response = client.post(reverse("applications:form_issue", kwargs={"pk": passed.pk}), follow=True)
    assert "申请表由组织单位（保定市生态环境局）负责人签发" in response.content.decode()
    assert not IssuedDocument.objects.exists()


def test_export_form_writes_the_issued_file(world, seals, passed, tmp_path):
    issued = issuing.application_form_issue(actor=world.users[Role.CITY_LEADER], application=passed)
    out = io.StringIO()
    path = tmp_path / "form.pdf"
    call_command("export-form", "--application", str(passed.pk), "--format", "pdf", "-o", str(path), stdout=out)
    assert path.read_bytes() == _bytes(issued[0])
    assert out.getvalue().strip().endswith(f"签发文书第{issued[0].pk}号）")
