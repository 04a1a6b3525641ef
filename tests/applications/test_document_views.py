"""Downloading a form (applications:form_download) and a batch letter (applications:batch_download)."""

import pytest
from django.urls import reverse

from cpaudit.applications.models import Kind
from cpaudit.org.roles import Role
from cpaudit.reports.render import fonts as render_fonts

from .docfixtures import docx_text, make_application, make_batch, pdf_text, squash

pytestmark = pytest.mark.django_db


def test_form_as_pdf_and_docx_with_chinese_file_name(world, client):
    application = make_application(world, versions=2)
    client.force_login(world.users[Role.ENTERPRISE])
    response = client.get(reverse("applications:form_download", kwargs={"pk": application.pk, "fmt": "pdf"}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert "%E7%AC%AC2%E7%89%88" in disposition  # 第2版
    assert "第2版" in squash(pdf_text(response.content))
    url = reverse("applications:form_download", kwargs={"pk": application.pk, "fmt": "docx"})
    response = client.get(url + "?version=1")
    assert response.status_code == 200 and "第1版" in docx_text(response.content)


def test_unknown_version_is_404(world, client):
    application = make_application(world)
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("applications:form_download", kwargs={"pk": application.pk, "fmt": "docx"})
    assert client.get(url + "?version=7").status_code == 404
    assert client.get(url + "?version=x").status_code == 404


def test_batch_letter(world, client):
    batch = make_batch(world, kind=Kind.ACCEPTANCE)
    client.force_login(world.users[Role.CITY_STAFF])
    response = client.get(reverse("applications:batch_download", kwargs={"pk": batch.pk, "fmt": "pdf"}))
    assert response.status_code == 200
    text = squash(pdf_text(response.content))
    assert batch.content["title"] in text and "保定市生态环境局：" in text


def test_missing_font_is_a_message_not_a_500(world, client, settings, monkeypatch, tmp_path):
    application = make_application(world)
    client.force_login(world.users[Role.BRANCH_STAFF])
    monkeypatch.setattr(render_fonts, "CANDIDATES", ())
    settings.CPAUDIT_PDF_FONT = str(tmp_path / "missing.ttf")
    render_fonts.reset_cache()
    try:
        response = client.get(reverse("applications:form_download", kwargs={"pk": application.pk, "fmt": "pdf"}))
    finally:
        render_fonts.reset_cache()
    assert response.status_code == 302
