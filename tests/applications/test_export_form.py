"""`cpaudit export-form --application ID --format docx|pdf -o FILE [--version N] [--as-user U]`."""

import io

import pytest
from django.core.management import CommandError, call_command

from cpaudit.applications.models import Kind
from cpaudit.core.models import ActionLog
from cpaudit.reports.render import fonts as render_fonts

from .docfixtures import docx_text, make_application, pdf_text, squash

pytestmark = pytest.mark.django_db


def export(*args):
    out = io.StringIO()
    call_command("export-form", *[str(a) for a in args], stdout=out)
    return out.getvalue().strip()


def test_docx_and_pdf(world, tmp_path):
    from pypdf import PdfReader

    application = make_application(world, versions=2)
    before = ActionLog.objects.count()
    target = tmp_path / "表1.docx"
    line = export("--application", application.pk, "--format", "docx", "-o", target)
    assert line == f"已导出：{target}（表1 清洁生产审核评估申请表，第2版）"
    assert "企业名称" in docx_text(target.read_bytes())
    target = tmp_path / "t1.pdf"
    line = export("--application", application.pk, "--format", "pdf", "-o", target, "--version", 1)
    assert line == f"已导出：{target}（表1 清洁生产审核评估申请表，第1版）"
    assert len(PdfReader(target).pages) == 1 and "第1版" in squash(pdf_text(target.read_bytes()))
    assert ActionLog.objects.count() == before  # a read: nothing logged


def test_draft_and_acceptance(world, tmp_path):
    application = make_application(world, kind=Kind.ACCEPTANCE, versions=0)
    target = tmp_path / "t2.docx"
    line = export("--application", application.pk, "--format", "docx", "-o", target)
    assert line == f"已导出：{target}（表2 清洁生产审核验收申请表，草稿）"


def test_unknown_application_version_and_format(world, tmp_path):
    with pytest.raises(CommandError, match="申请“999999”不存在"):
        export("--application", 999999, "--format", "pdf", "-o", tmp_path / "x.pdf")
    application = make_application(world)
    with pytest.raises(CommandError, match="没有第5版"):
        export("--application", application.pk, "--format", "pdf", "-o", tmp_path / "x.pdf", "--version", 5)
    with pytest.raises(CommandError, match="不支持的格式"):
        export("--application", application.pk, "--format", "txt", "-o", tmp_path / "x.txt")
    assert not (tmp_path / "x.pdf").exists()


def test_as_user_sees_only_its_scope(world, tmp_path):
    mine, other = make_application(world, "own"), make_application(world, "other_city")
    export("--application", mine.pk, "--format", "docx", "-o", tmp_path / "a.docx", "--as-user", "bstaff")
    with pytest.raises(CommandError, match="不在您的管理范围内"):
        export("--application", other.pk, "--format", "docx", "-o", tmp_path / "b.docx", "--as-user", "bstaff")
    with pytest.raises(CommandError, match="无权"):
        export("--application", mine.pk, "--format", "docx", "-o", tmp_path / "c.docx", "--as-user", "sysadmin")
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        export("--application", mine.pk, "--format", "docx", "-o", tmp_path / "d.docx", "--as-user", "nobody")


def test_missing_cjk_font_is_a_message(world, tmp_path, settings, monkeypatch):
    application = make_application(world)
    monkeypatch.setattr(render_fonts, "CANDIDATES", ())
    settings.CPAUDIT_PDF_FONT = str(tmp_path / "missing.ttf")
    render_fonts.reset_cache()
    try:
        with pytest.raises(CommandError, match="fonts-wqy-microhei"):
            export("--application", application.pk, "--format", "pdf", "-o", tmp_path / "x.pdf")
    finally:
        render_fonts.reset_cache()
    assert not (tmp_path / "x.pdf").exists()
