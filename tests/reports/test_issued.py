"""Monthly reports and results summaries are issued (签发) and sealed by their submission (issue 10, 事后有督):
the version in PDF and Word, each file sealed with the submitting unit's seal and its seal lines printed
in the footer; every later download of that version (pages, `cpaudit monthly-report`) serves the issued
bytes, which `verify-document` finds valid. Without a seal key nothing is submitted."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from cpaudit.core.actors import SystemActor
from cpaudit.core.errors import InvalidState
from cpaudit.documents import keys
from cpaudit.documents.models import IssuedDocument
from cpaudit.documents.report_documents import MONTHLY, RESULTS
from cpaudit.documents.selectors import issued_bytes
from cpaudit.documents.services import KINDS
from cpaudit.org.roles import Role
from cpaudit.reports import services
from cpaudit.reports.models import ReportStatus, ReportVersion, ResultsVersion
from tests.applications.docfixtures import pdf_text, squash

from .results_fixtures import branch_submitted

MONTH = "2020-05"


def _issued(kind, version) -> dict:
    return {d.format: d for d in IssuedDocument.objects.filter(kind=kind, object_id=version.pk)}


def _verify(tmp_path, data: bytes, name="doc.pdf") -> tuple[int, list[str]]:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    try:
        call_command("verify-document", str(path), stdout=out, stderr=io.StringIO())
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().splitlines()


def _footer(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).sections[0].footer.paragraphs)


def test_the_kinds_name_the_versions():
    assert KINDS[MONTHLY][0] == "reports.reportversion" and KINDS[RESULTS][0] == "reports.resultsversion"


def test_submission_issues_the_version_in_pdf_and_word_sealed_by_the_branch(world, users, submitted, tmp_path):
    version = submitted.versions.get()
    issued = _issued(MONTHLY, version)
    assert sorted(issued) == ["docx", "pdf"]
    for fmt, doc in issued.items():
        assert doc.agency == world.branch_a and doc.issued_by == users[Role.BRANCH_LEADER]
        assert doc.content == version.content and doc.content_sm3 == version.digest
        assert doc.title == f"{version.content['title']}（第1版）"
        code, out = _verify(tmp_path, issued_bytes(doc), f"r.{fmt}")
        assert code == 0 and out[0].startswith(f"有效\t第{doc.pk}号") and world.branch_a.name in out[0]
    # The seal lines are printed: in the PDF's pages and in the Word file's footer.
    pdf, docx = issued["pdf"], issued["docx"]
    assert squash(f"核验码：{pdf.code}") in squash(pdf_text(issued_bytes(pdf)))
    assert f"核验码：{docx.code}" in _footer(issued_bytes(docx)) and f"文书编号：{docx.pk}" in _footer(issued_bytes(docx))


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_download_serves_the_issued_bytes(world, users, submitted, login, tmp_path, fmt):
    version = submitted.versions.get()
    issued = _issued(MONTHLY, version)[fmt]
    args = [world.campaign.slug, MONTH, world.branch_a.pk, fmt]
    for user, query in ((users[Role.CITY_STAFF], ""), (users[Role.BRANCH_STAFF], "?v=1")):
        response = login(user).get(reverse("reports:download", args=args) + query)
        assert response.status_code == 200 and response.content == issued_bytes(issued)
        assert "%EF%BC%88%E7%AD%BE%E5%8F%91%EF%BC%89" in response["Content-Disposition"]  # （签发）
    code, out = _verify(tmp_path, response.content, f"d.{fmt}")
    assert code == 0 and out[0].startswith("有效")


def test_the_text_file_is_not_issued_and_a_returned_reports_draft_is_rendered(world, users, submitted, login):
    services.report_return(actor=users[Role.CITY_STAFF], report=submitted, reason="补充")
    client = login(users[Role.BRANCH_STAFF])
    args = [world.campaign.slug, MONTH, world.branch_a.pk]
    draft = client.get(reverse("reports:download", args=[*args, "pdf"]))  # returned: the draft again
    issued = _issued(MONTHLY, submitted.versions.get())["pdf"]
    assert draft.status_code == 200 and draft.content != issued_bytes(issued)
    assert client.get(reverse("reports:download", args=[*args, "pdf"]) + "?v=1").content == issued_bytes(issued)
    assert client.get(reverse("reports:download", args=[*args, "txt"]) + "?v=1").content.startswith(
        "保定市生态环境局竞秀区分局".encode())


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_command_writes_the_issued_bytes(world, submitted, tmp_path, fmt):
    issued = _issued(MONTHLY, submitted.versions.get())[fmt]
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / f"r.{fmt}"
    call_command("monthly-report", "--unit", "130602", "--campaign", world.campaign.slug, "--month", MONTH,
                 "--format", fmt, "-o", str(target), stdout=out, stderr=err)
    assert target.read_bytes() == issued_bytes(issued)
    assert out.getvalue().splitlines()[1].startswith(f"签发文书第{issued.pk}号（核验码 {issued.code}）")
    assert _verify(tmp_path, target.read_bytes(), f"c.{fmt}")[0] == 0


def test_a_correction_is_issued_as_its_own_version(world, users, submitted):
    services.report_return(actor=users[Role.CITY_STAFF], report=submitted, reason="补充")
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=submitted, problems="已补充")
    second = services.report_submit(actor=users[Role.BRANCH_LEADER], report=submitted, reason="补充问题")
    first = ReportVersion.objects.get(report=submitted, number=1)
    assert sorted(_issued(MONTHLY, second)) == ["docx", "pdf"] and sorted(_issued(MONTHLY, first)) == ["docx", "pdf"]
    assert _issued(MONTHLY, second)["pdf"].file_sm3 != _issued(MONTHLY, first)["pdf"].file_sm3


def test_without_a_seal_key_nothing_is_submitted(world, users, branch_report):
    keys.seal_key_revoke(actor=SystemActor("pytest"), key=keys.active_key(world.branch_a), reason="测试：印章停用")
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="无")
    with pytest.raises(InvalidState, match="电子印章密钥"):
        services.report_submit(actor=users[Role.BRANCH_LEADER], report=branch_report)
    branch_report.refresh_from_db()
    assert branch_report.status == ReportStatus.DRAFT and not ReportVersion.objects.exists()
    assert not IssuedDocument.objects.exists()


def test_the_citys_consolidation_is_issued_by_the_city(world, users, today):
    report = services.report_for(actor=users[Role.CITY_STAFF], campaign=world.campaign, agency=world.baoding,
                                 month=MONTH, kind="city")
    report = services.report_save_draft(actor=users[Role.CITY_STAFF], report=report, problems="无",
                                        document_number="保环报〔2020〕35号")
    version = services.report_submit(actor=users[Role.CITY_LEADER], report=report)
    issued = _issued(MONTHLY, version)
    assert sorted(issued) == ["docx", "pdf"] and {d.agency for d in issued.values()} == {world.baoding}


@pytest.mark.usefixtures("applied")
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_results_summary_is_issued_by_its_submission_and_downloaded_as_issued(world, users, login, tmp_path, fmt):
    summary = branch_submitted(world)
    version = ResultsVersion.objects.get(summary=summary)
    issued = _issued(RESULTS, version)
    assert sorted(issued) == ["docx", "pdf"] and issued[fmt].agency == world.branch_a
    args = [world.campaign.slug, summary.kind, world.branch_a.pk, fmt]
    response = login(users[Role.CITY_STAFF]).get(reverse("reports:results_download", args=args))
    assert response.status_code == 200 and response.content == issued_bytes(issued[fmt])
    code, out = _verify(tmp_path, response.content, f"s.{fmt}")
    assert code == 0 and out[0].startswith("有效") and "结果汇总" in out[0]
