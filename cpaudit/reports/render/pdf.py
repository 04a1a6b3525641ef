"""Monthly progress report as PDF (ReportLab platypus, embedded CJK TrueType subset).

Lays out the content's blocks (cpaudit.reports.document holds the wording, the same as the Word
file's and the text's). A4 portrait, like an official document: the unit's name in red on top, the
文号 under it and a red rule, the title, the addressee, the text and tables, then at the bottom right
the unit, the date and a dashed circle labelled （加盖单位公章） where the seal goes — kept together
with the paragraphs before it (KeepTogether), so it never stands alone on a page. Each annex starts
on a new page. Pages are numbered 第 X 页 共 Y 页; an issued version (content with a ``seal``) prints the seal lines
(cpaudit.documents.footer) under the number.

The PDF is invariant (no creation date or random id), so the same content gives the same bytes.
"""

from __future__ import annotations

import io
import logging
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as _textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as _paragraph

from cpaudit.documents.footer import pdf_seal_footer

from . import common
from .fonts import SUBSTITUTES, PdfFont, get_pdf_font

log = logging.getLogger(__name__)

# ReportLab's CJK line breaking hangs a closing mark in the margin rather than start a line with it,
# but its list lacks the full-width marks Chinese text uses (，；：？！）》): add them, so no line of a
# report (or of any PDF this process prints) begins with one. Both modules keep their own copy.
for _module in (_paragraph, _textsplit):
    _module.ALL_CANNOT_START += "".join(c for c in "，；：？！）》」』" if c not in _module.ALL_CANNOT_START)

RED = colors.HexColor("#C00000")
GREY = colors.HexColor("#808080")
MARGINS = {"leftMargin": 28 * mm, "rightMargin": 26 * mm, "topMargin": 25 * mm, "bottomMargin": 25 * mm}
BODY_SIZE = 13
BODY_LEADING = 22


def _markup(text: str, font: PdfFont) -> str:
    """XML-escape ``text`` for a Paragraph; characters the CJK font lacks go to the fallback font.

    Ballot boxes neither font has become [√]/□ (see ``SUBSTITUTES``); any other character neither
    font has is printed as "?" (and logged) rather than as a blank.
    """
    text = "".join(
        SUBSTITUTES[c] if c in SUBSTITUTES and not font.has(c) and ord(c) not in font.fallback_codepoints
        else c
        for c in text
    )
    out: list[str] = []
    run: list[str] = []
    for char in text:
        if char.isspace() or font.has(char):
            if run:
                out.append(f'<font name="{font.fallback_name}">{escape("".join(run))}</font>')
                run = []
            out.append(escape(char))
        elif font.fallback_name and ord(char) in font.fallback_codepoints:
            run.append(char)
        else:
            log.warning("PDF font %s lacks %r (U+%04X); printed as '?'", font.family, char, ord(char))
            out.append("?")
    if run:
        out.append(f'<font name="{font.fallback_name}">{escape("".join(run))}</font>')
    return "".join(out)


def _plain(text: str, font: PdfFont) -> str:
    """Text for canvas.drawString (one font): substitutes applied, missing glyphs as '?'."""
    for char, replacement in SUBSTITUTES.items():
        text = text.replace(char, replacement)
    return "".join(c if c.isspace() or font.has(c) else "?" for c in text)


def _styles(font: PdfFont) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body", fontName=font.name, fontSize=BODY_SIZE, leading=BODY_LEADING, alignment=TA_JUSTIFY,
        wordWrap="CJK", firstLineIndent=2 * BODY_SIZE, bulletFontName=font.name,
    )
    return {
        "unit": ParagraphStyle("unit", parent=base, fontSize=24, leading=32, alignment=TA_CENTER,
                               textColor=RED, firstLineIndent=0),
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=26, alignment=TA_CENTER,
                                firstLineIndent=0, spaceBefore=6, spaceAfter=14),
        "addressee": ParagraphStyle("addressee", parent=base, firstLineIndent=0, spaceAfter=4),
        "body": base,
        "item": ParagraphStyle("item", parent=base),
        "heading": ParagraphStyle("heading", parent=base, fontSize=BODY_SIZE + 1, spaceBefore=6,
                                  keepWithNext=1),
        "subheading": ParagraphStyle("subheading", parent=base, spaceBefore=4, keepWithNext=1),
        "cell": ParagraphStyle("cell", parent=base, fontSize=11, leading=15, firstLineIndent=0,
                               alignment=TA_LEFT),
        "cell_num": ParagraphStyle("cell_num", parent=base, fontSize=11, leading=15, firstLineIndent=0,
                                   alignment=TA_CENTER),
        "cell_small": ParagraphStyle("cell_small", parent=base, fontSize=9, leading=12, firstLineIndent=0,
                                     alignment=TA_LEFT),
        "cell_small_num": ParagraphStyle("cell_small_num", parent=base, fontSize=9, leading=12,
                                         firstLineIndent=0, alignment=TA_CENTER),
        "number": ParagraphStyle("number", parent=base, fontSize=BODY_SIZE, alignment=TA_CENTER,
                                 firstLineIndent=0, spaceAfter=2),
        "caption": ParagraphStyle("caption", parent=base, fontSize=11, leading=16, alignment=TA_CENTER,
                                  firstLineIndent=0, spaceBefore=4, spaceAfter=3, keepWithNext=1),
        "annexes": ParagraphStyle("annexes", parent=base, leftIndent=5 * BODY_SIZE, firstLineIndent=-3 * BODY_SIZE,
                                  spaceBefore=6),
        "annexes_more": ParagraphStyle("annexes_more", parent=base, leftIndent=5 * BODY_SIZE, firstLineIndent=0),
        "annex": ParagraphStyle("annex", parent=base, fontSize=BODY_SIZE + 1, firstLineIndent=0, spaceAfter=6),
        "meta": ParagraphStyle("meta", parent=base, fontSize=10, leading=14, firstLineIndent=0,
                               textColor=GREY),
    }


def _table(block: dict, font: PdfFont, styles, width: float) -> Table:
    ncols = len(block["headers"])
    wide = ncols > 3
    if wide:  # each stage column as narrow as its header allows; the labels take the rest
        need = [(ems * styles["cell_small"].fontSize + 5) for ems in common.column_ems(block)]
        col_widths = common.spread(need, width)
    else:
        first = width * (0.55 if ncols <= 2 else 0.4)
        col_widths = [first] + [(width - first) / max(ncols - 1, 1)] * (ncols - 1)
    cell, num, head = (("cell_small", "cell_small_num", "cell_small_num") if wide
                       else ("cell", "cell_num", "cell_num"))

    def para(value: str, style: str) -> Paragraph:
        return Paragraph(_markup(value, font), styles[style])

    rows = [*block["rows"]] + ([block["totals"]] if block.get("totals") else [])
    left = common.text_columns(block)
    data = [[para(h, head) for h in block["headers"]]]
    data += [[para(v, cell if c in left else num) for c, v in enumerate(row)] for row in rows]
    table = Table(data, colWidths=col_widths, repeatRows=1, hAlign="CENTER")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font.name),  # the default is an unembedded Helvetica
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EDEDED")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 2 if wide else 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2 if wide else 6),
    ]
    if block.get("totals"):
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F5F5F5")))
    table.setStyle(TableStyle(style))
    return table


def _title_markup(title: str, font: PdfFont, width: float, style: ParagraphStyle) -> str:
    """Break a two-line title after 关于 (as official titles are set) instead of mid-word."""
    if stringWidth(title, font.name, style.fontSize) <= width or "关于" not in title:
        return _markup(title, font)
    head, _, tail = title.partition("关于")
    head += "关于"
    if max(stringWidth(head, font.name, style.fontSize), stringWidth(tail, font.name, style.fontSize)) > width:
        return _markup(title, font)
    return _markup(head, font) + "<br/>" + _markup(tail, font)


class SealBlock(Flowable):
    """Bottom-right signature: the unit and the date, and (with a seal label) a dashed circle where the
    seal goes. The label is drawn last so the text reads unit, date, label, as the other formats."""

    RADIUS = 21 * mm

    def __init__(self, unit: str, date: str, font: PdfFont, seal: str = common.SEAL_LABEL):
        super().__init__()
        self.unit, self.date, self.font, self.seal = unit, date, font, seal
        self.height = 2 * self.RADIUS + 8 * mm if seal else 18 * mm

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return self.width, self.height

    def draw(self):
        c = self.canv
        name = self.font.name
        unit_size = 14
        while unit_size > 9 and stringWidth(self.unit, name, unit_size) > self.width * 0.62:
            unit_size -= 1
        text_w = max(stringWidth(self.unit, name, unit_size), stringWidth(self.date, name, 14))
        cx = self.width - max(text_w / 2, self.RADIUS if self.seal else 0) - 6 * mm
        cy = self.RADIUS + 4 * mm if self.seal else 12 * mm
        c.saveState()
        c.setFillColor(colors.black)
        c.setFont(name, unit_size)
        c.drawCentredString(cx, cy - 1 * mm, _plain(self.unit, self.font))
        if self.date:
            c.setFont(name, 14)
            c.drawCentredString(cx, cy - 9 * mm, _plain(self.date, self.font))
        if self.seal:
            c.setStrokeColor(RED)
            c.setLineWidth(0.8)
            c.setDash(3, 2)
            c.circle(cx, cy, self.RADIUS, stroke=1, fill=0)
            c.setDash()
            c.setFillColor(RED)
            c.setFont(name, 8.5)
            c.drawCentredString(cx, cy + self.RADIUS - 9 * mm, _plain(self.seal, self.font))
        c.restoreState()


def _numbered_canvas(font: PdfFont):
    class NumberedCanvas(rl_canvas.Canvas):
        """Defers each page until the total is known, then stamps 第 X 页 共 Y 页."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font.name, 10)
                self.setFillColor(colors.black)
                self.drawCentredString(A4[0] / 2, 13 * mm, f"第 {self._pageNumber} 页　共 {total} 页")
                super().showPage()
            super().save()

    return NumberedCanvas


def _flowables(blocks: list[dict], font: PdfFont, styles, width: float) -> list:
    story: list = []
    for block in blocks:
        kind = block["type"]
        if kind == "masthead":
            story += [Paragraph(_markup(block["unit"], font), styles["unit"]), Spacer(1, 2 * mm)]
            if block.get("number"):
                story.append(Paragraph(_markup(block["number"], font), styles["number"]))
            story.append(HRFlowable(width="100%", thickness=1.6, color=RED, spaceBefore=0, spaceAfter=8 * mm))
        elif kind == "title":
            story.append(Paragraph(_title_markup(block["text"], font, width, styles["title"]), styles["title"]))
        elif kind == "list":
            story += [Paragraph(_markup(item, font), styles["body"]) for item in block["items"]]
        elif kind == "table":
            story += [Paragraph(_markup(block["caption"], font), styles["caption"]),
                      _table(block, font, styles, width if len(block["headers"]) > 3 else width * 0.8),
                      Spacer(1, 3 * mm)]
        elif kind == "annexes":
            story += [Paragraph(_markup((common.ANNEXES_LABEL if n == 0 else "") + item, font),
                                styles["annexes" if n == 0 else "annexes_more"])
                      for n, item in enumerate(block["items"])]
        elif kind == "signoff":
            story += [Spacer(1, 10 * mm), SealBlock(block["unit"], block["date"], font, block.get("seal", ""))]
        elif kind == "note":
            story += [Spacer(1, 4 * mm), Paragraph(_markup(block["text"], font), styles["meta"])]
        else:  # addressee, heading, paragraph
            story.append(Paragraph(_markup(block["text"], font), styles["body" if kind == "paragraph" else kind]))
    return story


def _document(blocks: list[dict], font: PdfFont, styles, width: float) -> list:
    """The text, then the closing (the last paragraphs, the signature and seal area, the note) kept
    together: the seal is never alone on a page."""
    before, closing = common.split_closing(blocks)
    story = _flowables(before, font, styles, width)
    if closing:
        story.append(KeepTogether(_flowables(closing, font, styles, width)))
    return story


def render_pdf(content: dict) -> bytes:
    font = get_pdf_font()
    missing = font.missing(common.all_text(content)) - set(SUBSTITUTES)
    if missing:
        uncovered = {c for c in missing if ord(c) not in font.fallback_codepoints}
        if uncovered:
            log.warning("PDF font %s lacks %s", font.family, "".join(sorted(uncovered)))
    styles = _styles(font)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, title=content.get("title", ""), author=content.get("unit", ""),
        subject=content.get("month", ""), creator="cpaudit", invariant=1,
        initialFontName=font.name,  # else every page references an unembedded Helvetica
        **MARGINS,
    )
    body, annexes = common.body_and_annexes(common.blocks_of(content))
    story = _document(body, font, styles, doc.width)
    for annex in annexes:
        story += [PageBreak(), Paragraph(_markup(annex["label"], font), styles["annex"])]
        story += _document(annex["blocks"], font, styles, doc.width)
    # An issued version prints its seal lines (documents.footer) under the page number on every page.
    seal = pdf_seal_footer(content, font.name)
    doc.build(story, onFirstPage=seal, onLaterPages=seal, canvasmaker=_numbered_canvas(font))
    return buf.getvalue()
