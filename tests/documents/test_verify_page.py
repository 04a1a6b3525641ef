"""The public verification page: no login, the same CSP as every page, and nothing revealed beyond
the verdict (document, agency, time) — no content, no link to a file, no other document."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpaudit.core import storedfiles

from .helpers import issue_letter

pytestmark = pytest.mark.django_db
URL = "/verify/"


def upload(client, data: bytes, name: str = "文书.pdf"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})


def test_the_page_is_public_and_under_the_csp(client, world):
    assert reverse("documents:verify") == URL
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and "文书核验" in html
    assert "script-src" in response["Content-Security-Policy"] or "default-src" in response["Content-Security-Policy"]
    assert "<script" not in html and " style=" not in html and "<style" not in html
    assert "退出" not in html and "mainnav" not in html  # an anonymous visitor sees no navigation


def test_a_good_file_is_valid_and_a_changed_one_is_not(client, world, seals):
    doc = issue_letter(world)
    data = storedfiles.stored_path(doc.file_sm3).read_bytes()
    html = upload(client, data).content.decode()
    assert "<h2>有效</h2>" in html and f"第{doc.pk}号" in html and "保定市生态环境局竞秀区分局" in html
    # Nothing else: no content of the document, no signature, no key, no download link.
    for secret in (doc.content["letter"], doc.signature[:20], doc.key.fingerprint[:20], doc.file_sm3,
                   "/applications/", "/documents/"):
        assert secret not in html
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0xFF
    html = upload(client, bytes(changed)).content.decode()
    assert "<h2>无效</h2>" in html and "文件与本平台签发的任何文书都不一致" in html and f"第{doc.pk}号" not in html


def test_a_code_names_its_document_only(client, world, seals):
    doc = issue_letter(world)
    html = client.post(URL, {"code": doc.code.lower()}).content.decode()
    assert f"第{doc.pk}号" in html and doc.content_sm3[:16] in html and doc.content["letter"] not in html
    html = client.post(URL, {"code": "2222-3333-4444"}).content.decode()
    assert "<h2>未找到</h2>" in html


def test_an_empty_post_says_what_is_missing(client, world):
    html = client.post(URL, {}).content.decode()
    assert "请选择要核验的文件" in html


def test_a_misconfigured_server_says_it_cannot_verify_without_detail(client, world, seals, settings):
    doc = issue_letter(world)
    settings.CPAUDIT_KEY_ENCRYPTION_KEY = None
    html = upload(client, storedfiles.stored_path(doc.file_sm3).read_bytes()).content.decode()
    assert "本平台暂时无法核验" in html and "CPAUDIT_KEY_ENCRYPTION_KEY" not in html
