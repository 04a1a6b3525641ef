"""Monthly progress report as PDF (ReportLab platypus, embedded CJK TrueType subset).

A4 portrait, laid out like an official document: the unit's name in red on top with a red rule,
the title, the addressee, the numbered text, the counts table, the problems, the enterprises that
did not move, per-branch sections for the city, then at the bottom right the unit, the date and a
dashed circle labelled （加盖单位公章） where the seal goes. Pages are numbered 第 X 页 共 Y 页.

The PDF is invariant (no creation date or random id), so the same content gives the same bytes.
"""

from __future__ import annotations

import io
import logging
from xml.sax.saxutils import escape

from reportlab.lib import colors
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
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from . import common
from .fonts import SUBSTITUTES, PdfFont, get_pdf_font

log = logging.getLogger(__name__)

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
        "meta": ParagraphStyle("meta", parent=base, fontSize=10, leading=14, firstLineIndent=0,
                               textColor=GREY),
    }


def _table(block: common.Block, font: PdfFont, styles, width: float) -> Table:
    ncols = len(block.headers)
    first = width * (0.55 if ncols <= 2 else 0.4)
    rest = (width - first) / max(ncols - 1, 1)
    col_widths = [first] + [rest] * (ncols - 1)

    def cell(value: str, col: int) -> Paragraph:
        return Paragraph(_markup(value, font), styles["cell" if col == 0 else "cell_num"])

    data = [[Paragraph(_markup(h, font), styles["cell_num"]) for h in block.headers]]
    data += [[cell(v, c) for c, v in enumerate(row)] for row in block.rows]
    table = Table(data, colWidths=col_widths, repeatRows=1, hAlign="CENTER")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font.name),  # the default is an unembedded Helvetica
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EDEDED")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if block.rows and block.rows[-1][0] == "合计":
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
    """Bottom-right signature: the unit, the date, and a dashed circle where the seal goes."""

    RADIUS = 21 * mm

    def __init__(self, unit: str, date: str, font: PdfFont):
        super().__init__()
        self.unit, self.date, self.font = unit, date, font
        self.height = 2 * self.RADIUS + 8 * mm

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
        cx = self.width - max(text_w / 2, self.RADIUS) - 6 * mm
        cy = self.RADIUS + 4 * mm
        c.saveState()
        c.setStrokeColor(RED)
        c.setLineWidth(0.8)
        c.setDash(3, 2)
        c.circle(cx, cy, self.RADIUS, stroke=1, fill=0)
        c.setDash()
        c.setFillColor(RED)
        c.setFont(name, 8.5)
        c.drawCentredString(cx, cy + self.RADIUS - 9 * mm, _plain(common.SEAL_LABEL, self.font))
        c.setFillColor(colors.black)
        c.setFont(name, unit_size)
        c.drawCentredString(cx, cy - 1 * mm, _plain(self.unit, self.font))
        c.setFont(name, 14)
        c.drawCentredString(cx, cy - 9 * mm, _plain(self.date, self.font))
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
        buf, pagesize=A4, title=common.title(content), author=content.get("unit", ""),
        subject=content.get("month", ""), creator="cpaudit", invariant=1,
        initialFontName=font.name,  # else every page references an unembedded Helvetica
        **MARGINS,
    )
    width = doc.width
    unit = content.get("unit", "")
    story: list = [
        Paragraph(_markup(unit, font), styles["unit"]),
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=1.6, color=RED, spaceBefore=0, spaceAfter=8 * mm),
        Paragraph(_title_markup(common.title(content), font, width, styles["title"]), styles["title"]),
    ]
    addressee = common.addressee_line(content)
    if addressee:
        story.append(Paragraph(_markup(addressee, font), styles["addressee"]))
    blocks = common.body_blocks(content)
    for block in blocks:
        if block.kind == "table":
            parts = [Spacer(1, 2 * mm), _table(block, font, styles, width * 0.8), Spacer(1, 3 * mm)]
            # A stage table (≤ 20 rows) never splits; a longer one repeats its header row.
            # The line before the table goes with it, so a table never starts a page alone.
            if len(block.rows) <= 20 and story and isinstance(story[-1], Paragraph):
                parts.insert(0, story.pop())
                # …and so do the headings right above that line.
                while story and getattr(story[-1], "style", None) is not None and getattr(story[-1].style, "keepWithNext", 0):
                    parts.insert(0, story.pop())
            story += [KeepTogether(parts)] if len(block.rows) <= 20 else parts
        else:
            style = styles[block.kind if block.kind != "para" else "body"]
            story.append(Paragraph(_markup(block.text, font), style))
    closing = [
        Spacer(1, 10 * mm),
        SealBlock(unit, common.cn_date(content.get("date")), font),
        Spacer(1, 4 * mm),
        Paragraph(_markup(common.meta_line(content), font), styles["meta"]),
    ]
    story.append(KeepTogether(closing))
    doc.build(story, canvasmaker=_numbered_canvas(font))
    return buf.getvalue()
