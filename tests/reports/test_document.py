"""One content, three renderers: the text, the Word file and the PDF say the same words in the same
order (read back with python-docx and pypdf); older (schema 1) contents still print; the city's
consolidation keeps its signature and seal on the last page of its body, before the annexes."""

import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from cpaudit.org.roles import Role
from cpaudit.reports import services
from cpaudit.reports.document import SEAL_LABEL, blocks_of, compose, words
from cpaudit.reports.render import render_docx, render_pdf
from cpaudit.reports.render_txt import render_txt

from .conftest import D, own, step
from .test_render import sample_content

MAY = D(2020, 5, 1)
PAGE_NUMBER = re.compile(r"第\d+页共\d+页")


def flat(text: str) -> str:
    """Whitespace, rules and page numbers are layout, not words."""
    return PAGE_NUMBER.sub("", re.sub(r"[\s─]+", "", text))


def docx_words(data: bytes) -> str:
    """The body in document order: paragraphs and table cells."""
    body = Document(io.BytesIO(data)).element.body
    out = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            out.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            for cell in child.iter(qn("w:tc")):
                out.append("".join(t.text or "" for t in cell.iter(qn("w:t"))))
    return "".join(out)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def assert_same_words(content: dict) -> str:
    expected = flat("".join(words(blocks_of(content))))
    assert flat(render_txt(content)) == expected
    assert flat(docx_words(render_docx(content))) == expected
    assert flat("".join(pdf_pages(render_pdf(content)))) == expected
    return expected


@pytest.fixture
def city_with_annexes(world, users, submitted, today):
    """Baoding's consolidation of May 2020 with 竞秀区's submitted report as its annex."""
    step(own(world), 5, D(2020, 5, 2))
    world.campaign.notice_title = "关于加快推进实施清洁生产审核工作的通知"
    world.campaign.notice_number = "保环办函〔2020〕68号"
    world.campaign.save()
    city = services.report_for(actor=users[Role.CITY_STAFF], campaign=world.campaign, agency=world.baoding,
                               month=MAY, kind="city")
    services.report_save_draft(actor=users[Role.CITY_STAFF], report=city, problems="莲池区分局未报送。",
                               document_number="保环报〔2020〕9号")
    return services.report_submit(actor=users[Role.CITY_LEADER], report=city).content


def test_branch_report_same_words_in_three_formats(world, users, submitted):
    content = submitted.versions.get().content
    text = assert_same_words(content)
    for part in ("表2分行业审核企业所处阶段", "酿造", "造纸", "特此报告。", SEAL_LABEL, "存在的问题无"):
        assert part in text


def test_city_consolidation_same_words_in_three_formats(city_with_annexes):
    text = assert_same_words(city_with_annexes)
    assert "保环报〔2020〕9号" in text and "表1各分局审核企业所处阶段汇总" in text
    assert "附件1保定市生态环境局竞秀区分局关于2020年5月清洁生产审核工作进度的报告" in text


@pytest.mark.parametrize("kind", ["branch", "city"])
def test_old_schema_contents_still_render(kind):
    """A version frozen before blocks existed (the demo's and existing databases' schema 1)."""
    content = sample_content(kind)
    assert "blocks" not in content and "schema" not in content
    text = assert_same_words(content)
    assert "按照关于开展2020年度强制性清洁生产审核工作的通知工作安排" in text  # named, not cited as a notice
    if kind == "city":  # submitted sections (on time, late) are annexes; the summary is from their tables
        assert "附件2" in text and "附件3" not in text and "表1各分局审核企业所处阶段汇总" in text


def test_the_notice_is_cited_and_nothing_glued_to_the_campaign_name(world):
    content = {"kind": "branch", "unit": "某分局", "title": "t", "month": "2026-11", "as_of": "2026-11-28",
               "campaign": {"name": "2026年白洋淀流域清洁生产审核", "notice": {
                   "title": "关于加快推进实施清洁生产审核工作的通知", "number": "保环办函〔2026〕45号",
                   "issuer": "保定市生态环境局办公室", "date": "2026-02-20"}}}
    intro = next(b["text"] for b in compose(content) if b["type"] == "paragraph")
    assert intro.startswith("根据《关于加快推进实施清洁生产审核工作的通知》（保环办函〔2026〕45号）要求，"
                            "现将本辖区2026年11月清洁生产审核工作进展情况报告如下（数据截至2026年11月28日）")
    assert "2026年11月2026年" not in intro and "白洋淀" not in intro
    content["campaign"]["notice"]["number"] = ""  # the seed's own notice shows no number of its own
    intro = next(b["text"] for b in compose(content) if b["type"] == "paragraph")
    assert intro.startswith("根据保定市生态环境局办公室《关于加快推进实施清洁生产审核工作的通知》要求，")


def _page_of(pages: list[str], needle: str) -> int:
    return next(i for i, page in enumerate(pages) if needle in flat(page))


def test_city_seal_is_on_a_body_page_before_the_annexes(city_with_annexes):
    pages = pdf_pages(render_pdf(city_with_annexes))
    seal = _page_of(pages, SEAL_LABEL)
    annex = _page_of(pages, "附件1保定市生态环境局竞秀区分局关于")
    assert seal < annex
    assert "特此报告。" in flat(pages[seal])  # the text goes with it: the seal is never alone on a page
    assert flat(pages[annex]).startswith("附件1")  # an annex begins its page


def test_seal_stays_with_the_text_when_the_body_fills_the_page(city_with_annexes):
    """Whatever the length of the text before it, the seal never starts a page on its own."""
    for extra in range(0, 30, 3):
        content = dict(city_with_annexes, problems="\n".join(f"第{n}个问题的说明。" for n in range(extra)))
        content["blocks"] = compose(content)
        pages = pdf_pages(render_pdf(content))
        seal = _page_of(pages, SEAL_LABEL)
        before_seal = flat(pages[seal]).split("保定市生态环境局2020年5月")[0]
        assert "特此报告。" in before_seal, extra


def test_word_keeps_the_closing_together(city_with_annexes):
    doc = Document(io.BytesIO(render_docx(city_with_annexes)))
    texts = [p.text for p in doc.paragraphs]
    closing = texts.index("特此报告。")
    seal = texts.index(SEAL_LABEL)
    for p in doc.paragraphs[closing:seal]:
        assert p.paragraph_format.keep_with_next and p.paragraph_format.keep_together, p.text
    annex = texts.index("附件1")
    assert closing < seal < annex
    breaks = doc.paragraphs[annex - 1]._p.findall(".//" + qn("w:br"))
    assert any(b.get(qn("w:type")) == "page" for b in breaks)  # the annex starts a new page


def test_industry_table_counts_the_six_groups(world, users, submitted):
    content = submitted.versions.get().content
    grid = content["industries"]
    assert [r[0] for r in grid["rows"]][:6] == ["酿造", "制药", "印染", "纺织", "制革", "造纸"]
    assert grid["totals"][-1] == content["table"]["total"]
    by_stage = [row[1] for row in content["table"]["rows"]]
    assert grid["totals"][1:-1] == by_stage  # the stage columns add up to the stage table


def test_no_pdf_line_starts_with_a_closing_mark(world, users, submitted):
    """Chinese typesetting (避头点): ，；：。、 hang at the end of a line rather than begin the next."""
    content = dict(submitted.versions.get().content)
    content["problems"] = "\n".join("问" * n + "题，已督促；整改：进度。" * 6 for n in range(1, 25))
    content["blocks"] = compose(content)
    lines = [line.strip() for page in pdf_pages(render_pdf(content)) for line in page.splitlines()]
    assert [line for line in lines if line[:1] in "，；：。、？！）"] == []
