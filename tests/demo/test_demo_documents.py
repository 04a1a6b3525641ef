"""The demo's documents print what they say (issue 9's "done when"): a branch's monthly report, the
city's consolidation, a city's covering letter to the province and Table 1 carrying a province opinion
transcribed from its paper reply, each rendered to PDF the way a download renders it and read back.

The words come from the frozen content (the same blocks the three renderers share), so every
paragraph, heading, list item and table caption must come out of the PDF; the text is compared
without whitespace because a PDF breaks lines wherever the page does."""

import datetime as dt
import io
import re

import pytest

from cpaudit.applications.document import batch_document, form_document
from cpaudit.applications.models import Batch, Decision, Step
from cpaudit.applications.render.pdf import batch_pdf, form_pdf
from cpaudit.reports.models import MonthlyReport, ReportKind
from cpaudit.reports.render.pdf import render_pdf


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def printed_words(blocks: list[dict]):
    """The words a reader must find on paper, block by block (annexes included)."""
    for block in blocks:
        kind = block["type"]
        if kind in ("title", "heading", "paragraph", "addressee"):
            yield block["text"]
        elif kind == "list":
            yield from block["items"]
        elif kind == "signoff":
            yield block["unit"]
            yield block["date"]
        elif kind == "masthead" and block.get("number"):
            yield block["number"]
        elif kind == "annex":
            yield from printed_words(block["blocks"])


DEMO_TODAY = "2026-11-29"  # tests/demo/conftest.py loads the demo once, on this day


@pytest.fixture
def demo(demo_once, db, settings):
    settings.CPAUDIT_TODAY = DEMO_TODAY


def assert_prints(content: dict, data: bytes) -> str:
    text = squeeze(pdf_text(data))
    words = [squeeze(w) for w in printed_words(content["blocks"]) if squeeze(w)]
    assert len(words) > 5
    missing = [w for w in words if w not in text]
    assert not missing, missing[:5]
    assert "无无" not in text and "2026年11月2026年" not in text
    return text


def test_the_demo_documents_print_what_they_say(demo):
    # A branch's submitted monthly report (清苑, September): the notice cited, the problems as written.
    branch = MonthlyReport.objects.get(kind=ReportKind.BRANCH, agency__division_id="130608",
                                       month=dt.date(2026, 9, 1)).versions.order_by("-number").first()
    text = assert_prints(branch.content, render_pdf(branch.content))
    assert "保环办函〔2026〕45号" in text
    assert all(squeeze(line) in text for line in branch.content["problems"].splitlines() if line.strip())

    # The city's consolidation (September): its 文号, the summary table's caption, the branches annexed.
    city = MonthlyReport.objects.get(kind=ReportKind.CITY, month=dt.date(2026, 9, 1)).versions.get()
    text = assert_prints(city.content, render_pdf(city.content))
    assert "保环报〔2026〕39号" in text and "附件1" in text

    # A city's covering letter to the province: what happened, who organizes each enterprise's review.
    batch = Batch.objects.filter(level="city").order_by("pk").first()
    doc = batch_document(batch)
    text = squeeze(pdf_text(batch_pdf(doc)))
    assert squeeze(doc["title"]) in text and squeeze(doc["recipient"]) in text
    assert doc["items"] and all(squeeze(item["enterprise"]) in text and squeeze(item["organizer"]) in text
                                for item in doc["items"])

    # Table 1 with the province's opinion transcribed from its paper reply (据来文录入).
    transcribed = Decision.objects.filter(transcribed=True, step=Step.PROVINCE_REVIEW).select_related("application") \
        .order_by("pk").first()
    assert transcribed is not None and transcribed.opinion
    form = form_document(transcribed.application)
    text = squeeze(pdf_text(form_pdf(form)))
    assert squeeze(transcribed.opinion)[:40] in text
    assert "据来文录入" in text
