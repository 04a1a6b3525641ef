"""Word and PDF output of the monthly progress report (cpaudit.reports.render)."""

import io
import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from cpaudit.reports.document import short_unit
from cpaudit.reports.render import fonts as render_fonts
from cpaudit.reports.render import render_docx, render_pdf
from cpaudit.reports.render.common import SEAL_LABEL

STAGES = ["审核准备", "预审核", "审核", "方案的产生和筛选", "可行性分析", "方案的实施", "持续清洁生产"]


def sample_content(kind="branch"):
    """A content dict shaped like cpaudit.reports.content builds it (JSON-safe)."""
    branch = {
        "kind": "branch",
        "unit": "保定市生态环境局竞秀区分局",
        "addressee": "保定市生态环境局",
        "title": "保定市生态环境局竞秀区分局关于2020年7月清洁生产审核工作进度的报告",
        "campaign": {"slug": "bd-2020", "name": "关于开展2020年度强制性清洁生产审核工作的通知",
                     "document_number": "保环办〔2020〕12号"},
        "month": "2020-07",
        "as_of": "2020-07-28",
        "date": "2020-07-28",
        "sentences": [
            "保定市华北纸业有限公司、河北长城汽车零部件有限公司、保定天威变压器有限公司等5家企业已实施到审核阶段",
            "保定乐凯胶片有限公司、保定市某某铸造厂已实施到方案的产生和筛选阶段",
            "竞秀区热电有限公司已实施到持续清洁生产阶段",
        ],
        "not_started": "保定市东风化工厂、保定某某皮革制品有限公司尚未开始审核",
        "table": {
            "headers": ["阶段", "企业数（家）"],
            "rows": [[s, n] for s, n in zip(STAGES, [1, 0, 5, 2, 0, 1, 1], strict=True)] + [["尚未开始", 2]],
            "total": 12,
        },
        "problems": "部分企业审核咨询机构未确定，进度滞后。\n个别企业对审核重视不够，数据收集不完整。",
        "remarks": "",
        "stalled": ["保定市东风化工厂", "保定某某皮革制品有限公司"],
        "sections": [],
        "version": 1,
        "prepared_by": "张三",
        "submitted_by": "李四",
    }
    if kind == "branch":
        return branch
    city = dict(branch)
    city.update(
        kind="city",
        unit="保定市生态环境局",
        addressee="河北省生态环境厅",
        title="保定市生态环境局关于2020年7月清洁生产审核工作进度的报告",
        version=None,
        sections=[
            {"unit": "保定市生态环境局竞秀区分局", "status": "submitted", "sentences": branch["sentences"],
             "not_started": branch["not_started"], "table": branch["table"], "problems": "无",
             "stalled": branch["stalled"]},
            {"unit": "保定市生态环境局莲池区分局", "status": "late",
             "sentences": ["保定莲池制药有限公司已实施到审核准备阶段"], "not_started": "",
             "table": {"headers": ["阶段", "企业数（家）"], "rows": [["审核准备", 1]], "total": 1},
             "problems": "", "stalled": []},
            {"unit": "保定市生态环境局满城区分局", "status": "missing", "sentences": [], "not_started": "",
             "table": {"headers": ["阶段", "企业数（家）"], "rows": [], "total": 0},
             "problems": "", "stalled": []},
        ],
    )
    return city


def squash(text):
    return re.sub(r"\s+", "", text)


def docx_text(data):
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return doc, "\n".join(parts)


def pdf_text(data):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return reader, "".join(page.extract_text() or "" for page in reader.pages)


# --- Word ---------------------------------------------------------------------------------------


def test_docx_contains_title_sentences_table_and_seal():
    content = sample_content()
    doc, text = docx_text(render_docx(content))
    flat = squash(text)
    assert squash(content["title"]) in flat
    assert content["unit"] in flat
    assert "保定市生态环境局：" in flat
    assert "2020年7月28日" in flat
    for sentence in content["sentences"]:
        assert squash(sentence) in flat
    assert squash(content["not_started"]) in flat
    assert "存在的问题" in flat and "部分企业审核咨询机构未确定" in flat
    assert SEAL_LABEL in flat
    for name in content["stalled"]:
        assert name in flat
    counts = doc.tables[0]
    rows = [[c.text for c in r.cells] for r in counts.rows]
    assert rows[0] == content["table"]["headers"]
    for stage, n in content["table"]["rows"]:
        assert [stage, str(n)] in rows
    assert ["合计", "12"] in rows


def test_docx_sets_east_asian_fonts():
    from docx.oxml.ns import qn

    doc, _ = docx_text(render_docx(sample_content()))
    fonts = set()
    for p in doc.paragraphs:
        for run in p.runs:
            if run.text.strip():
                rfonts = run._element.rPr.find(qn("w:rFonts"))
                fonts.add(rfonts.get(qn("w:eastAsia")))
    assert None not in fonts
    assert {"宋体", "仿宋", "黑体"} <= fonts
    section = doc.sections[0]
    assert abs(section.page_width.mm - 210) < 1 and abs(section.page_height.mm - 297) < 1


def test_docx_city_has_each_section():
    content = sample_content("city")
    _, text = docx_text(render_docx(content))
    for section in content["sections"]:  # a row each in the summary table, by its short name
        assert short_unit(section["unit"], content["unit"]) in text
    assert "逾期报送" in text and "未报送" in text
    assert "河北省生态环境厅：" in text


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_text_has_title_and_sentences_in_chinese():
    content = sample_content()
    data = render_pdf(content)
    assert data.startswith(b"%PDF")
    reader, text = pdf_text(data)
    flat = squash(text)
    assert squash(content["title"]) in flat
    for sentence in content["sentences"]:
        assert squash(sentence) in flat
    assert squash(content["not_started"]) in flat
    assert SEAL_LABEL in flat
    assert "2020年7月28日" in flat
    assert "第1页共" in flat  # page numbers
    assert abs(float(reader.pages[0].mediabox.width) - 595.27) < 1  # A4 portrait


def test_pdf_embeds_its_font():
    reader, _ = pdf_text(render_pdf(sample_content()))
    embedded = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            for f in [font] + ([d.get_object() for d in descendants] if descendants else []):
                if "/DescendantFonts" in f:
                    continue
                descriptor = f.get("/FontDescriptor")  # none: a standard-14 font, not embedded
                embedded.append((str(f.get("/BaseFont")),
                                 descriptor is not None and "/FontFile2" in descriptor.get_object()))
    assert embedded
    assert all(ok for _, ok in embedded), embedded


def test_pdf_city_renders_each_section():
    content = sample_content("city")
    _, text = pdf_text(render_pdf(content))
    flat = squash(text)
    for section in content["sections"]:
        assert short_unit(section["unit"], content["unit"]) in flat
    assert "草稿" in flat


def test_pdf_is_deterministic():
    content = sample_content("city")
    first, second = render_pdf(content), render_pdf(content)
    assert pdf_text(first)[1] == pdf_text(second)[1]
    assert first == second  # invariant mode: no timestamp or random id


def test_pdf_glyph_trap_ticked_box_is_not_blank():
    """☑ is not in WenQuanYi Micro Hei: it must print as something visible, never as nothing."""
    content = sample_content()
    content["problems"] = "☑ 已督促整改；☐ 待复查"
    _, text = pdf_text(render_pdf(content))
    flat = squash(text)
    assert "已督促整改" in flat
    font = render_fonts.get_pdf_font()
    if font.fallback_name is None:
        assert "[√]" in flat  # substitute drawn with the CJK font
    else:
        assert "☑" in flat  # drawn with the fallback font (DejaVu Sans)
    assert "待复查" in flat


def test_every_output_character_is_in_the_font():
    from cpaudit.reports.render.common import all_text

    font = render_fonts.get_pdf_font()
    for kind in ("branch", "city"):
        assert font.missing(all_text(sample_content(kind))) == set()


def test_long_lists_and_empty_content_render():
    content = sample_content()
    content["sentences"] = [f"企业{i}、企业{i}b、企业{i}c等{i + 3}家企业已实施到审核阶段" for i in range(60)]
    content["stalled"] = [f"停滞企业{i}有限公司" for i in range(80)]
    reader, text = pdf_text(render_pdf(content))
    assert len(reader.pages) > 1
    assert "企业59" in text
    empty = dict(sample_content(), sentences=[], not_started="", stalled=[], problems="",
                 table={"headers": ["阶段", "企业数（家）"], "rows": [], "total": 0})
    _, text = pdf_text(render_pdf(empty))
    assert "本辖区暂无纳入本批次审核的企业" in squash(text)
    docx_text(render_docx(empty))


def test_missing_font_raises_clear_error(settings, tmp_path):
    settings.CPAUDIT_PDF_FONT = str(tmp_path / "none.ttf")
    try:
        with pytest.raises(ImproperlyConfigured, match="fonts-wqy-microhei"):
            render_fonts.get_pdf_font()
    finally:
        render_fonts._cache.pop(str(tmp_path / "none.ttf"), None)


def test_no_candidate_font_raises_in_chinese(settings, monkeypatch):
    settings.CPAUDIT_PDF_FONT = None
    monkeypatch.setattr(render_fonts, "CANDIDATES", (("/nonexistent/font.ttc", 0),))
    saved = dict(render_fonts._cache)
    render_fonts._cache.clear()
    try:
        with pytest.raises(ImproperlyConfigured) as info:
            render_fonts.get_pdf_font()
        assert str(info.value) == render_fonts.MISSING_FONT_MESSAGE
    finally:
        render_fonts._cache.clear()
        render_fonts._cache.update(saved)


def test_configured_font_path_is_used(settings):
    path = render_fonts.CANDIDATES[0][0]
    settings.CPAUDIT_PDF_FONT = path
    font = render_fonts.get_pdf_font()
    assert font.path == path
    assert "/FontFile2" in render_pdf(sample_content()).decode("latin-1")
