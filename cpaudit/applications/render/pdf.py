"""The forms and the batch letter as PDF (ReportLab), with the reports' embedded CJK font.

The font machinery is the monthly report's (cpaudit.reports.render): one registration per process,
characters the CJK font lacks — ☑ among them — drawn from the fallback font, so a ticked box is
never blank. Output is invariant: the same document gives the same bytes.
"""

from __future__ import annotations

import io
import re

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from cpaudit.documents.footer import pdf_seal_footer
from cpaudit.reports.render.common import cn_date
from cpaudit.reports.render.fonts import PdfFont, get_pdf_font
from cpaudit.reports.render.pdf import SealBlock, _markup, _numbered_canvas

from . import layout
from .layout import EMPTY, TICKED

GREY = colors.HexColor("#808080")
CELL_PT, CELL_LEADING = 10.5, 15
PADDING = 3  # pt, left and right in a form's cell


def _boxes(text: str, font: PdfFont, size: float) -> str:
    """Markup of one line. Both ballot boxes are drawn from the fallback font, so they match (the CJK
    font's □ is a small square, and it has no ☑); ☑ is set a fifth larger to look the size of □."""
    if not font.fallback_name or not {ord(TICKED), ord(EMPTY)} <= font.fallback_codepoints:
        return _markup(text, font)  # the reports' substitutes ([√]) keep a tick visible
    out = []
    for piece in re.split(f"([{TICKED}{EMPTY}])", text):
        if piece == TICKED:
            out.append(f'<font name="{font.fallback_name}" size="{size * 1.2:.2f}">{TICKED}</font>')
        elif piece == EMPTY:
            out.append(f'<font name="{font.fallback_name}">{EMPTY}</font>')
        elif piece:
            out.append(_markup(piece, font))
    return "".join(out)


def _text(text: str, font: PdfFont, size: float = CELL_PT) -> str:
    """Paragraph markup keeping the seed's runs of spaces ("地   址") and its line breaks."""
    return "<br/>".join(_boxes(line.replace(" ", "\u00a0"), font, size) for line in text.split("\n"))


def _overflows(para: Paragraph) -> bool:
    """A line wider than the cell: ReportLab will not break "制造（1511）" before the bracket."""
    lines = para.blPara.lines
    return any((line[0] if isinstance(line, tuple) else line.extraSpace) < -0.01 for line in lines)


def _fitted(text: str, font: PdfFont, style: ParagraphStyle, width: float, one_line: bool = False) -> Paragraph:
    """The cell's paragraph, its type made smaller (down to 8 pt) until no line overflows the cell
    (and, for a code, until it is on one line)."""
    size = style.fontSize
    while True:
        fitted = style if size == style.fontSize else ParagraphStyle(
            style.name, parent=style, fontSize=size, leading=size * style.leading / style.fontSize)
        para = Paragraph(_text(text, font, size), fitted)
        para.wrap(width, 10_000)
        if size <= 8 or not (_overflows(para) or (one_line and len(para.blPara.lines) > 1)):
            return para
        size -= 0.5


def _styles(font: PdfFont) -> dict[str, ParagraphStyle]:
    cell = ParagraphStyle("cell", fontName=font.name, fontSize=CELL_PT, leading=CELL_LEADING, wordWrap="CJK",
                          alignment=TA_LEFT)
    body = ParagraphStyle("body", parent=cell, fontSize=15, leading=27, alignment=TA_JUSTIFY,
                          firstLineIndent=30)
    return {
        "cell": cell,
        "center": ParagraphStyle("center", parent=cell, alignment=TA_CENTER),
        "right": ParagraphStyle("right", parent=cell, alignment=TA_RIGHT),
        "number": ParagraphStyle("number", parent=cell, fontSize=14, leading=20),
        "title": ParagraphStyle("title", parent=cell, fontSize=18, leading=26, alignment=TA_CENTER),
        "date": ParagraphStyle("date", parent=cell, fontSize=11.5, leading=18, spaceBefore=4, spaceAfter=4),
        "meta": ParagraphStyle("meta", parent=cell, fontSize=7.5, leading=10, textColor=GREY),
        "body": body,
        "plain": ParagraphStyle("plain", parent=body, firstLineIndent=0),
        "letter_title": ParagraphStyle("letter_title", parent=cell, fontSize=20, leading=32,
                                       alignment=TA_CENTER, spaceAfter=14),
        "signer": ParagraphStyle("signer", parent=cell, fontSize=12, leading=18, alignment=TA_RIGHT,
                                 spaceAfter=10),
    }


def _doc(buf, title: str, author: str, font: PdfFont, margin: float) -> SimpleDocTemplate:
    return SimpleDocTemplate(buf, pagesize=A4, title=title, author=author, creator="cpaudit", invariant=1,
                             initialFontName=font.name, leftMargin=margin, rightMargin=margin,
                             topMargin=15 * mm, bottomMargin=12 * mm)


# --- the form --------------------------------------------------------------------------------------

def _opinion(op: layout.Opinion, font: PdfFont, styles, room: float) -> list:
    parts = []
    if op.heading:
        parts.append(Paragraph(_text(op.heading, font), styles["cell"]))
    parts.append(Paragraph(_text(op.text, font), styles["cell"]) if op.text else Spacer(1, CELL_LEADING))
    # Room to sign and seal, as on the paper form.
    parts += [Spacer(1, room * mm), Paragraph(_text(op.signature, font), styles["right"]),
              Paragraph(_text(op.date, font), styles["right"])]
    return parts


def _form_table(doc: dict, font: PdfFont, styles) -> Table:
    rows = layout.form_rows(doc)
    widths = [w * mm for w in layout.WIDTHS]
    data = [[""] * layout.COLUMNS for _ in rows]
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), font.name),  # the default is an unembedded Helvetica
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
    ]
    for r, row in enumerate(rows):
        for cell in row:
            if cell.opinion is not None:
                data[r][cell.col] = _opinion(cell.opinion, font, styles, layout.OPINION_ROOM[doc["kind"]])
                commands.append(("VALIGN", (cell.col, r), (cell.col, r), "TOP"))
            else:
                style = styles["center" if cell.align == "center" else "cell"]
                inner = sum(widths[cell.col:cell.col + cell.span]) - 2 * PADDING
                data[r][cell.col] = _fitted(cell.text, font, style, inner)
            if cell.span > 1 or cell.rows > 1:
                commands.append(("SPAN", (cell.col, r), (cell.col + cell.span - 1, r + cell.rows - 1)))
    table = Table(data, colWidths=widths, hAlign="CENTER")
    table.setStyle(TableStyle(commands))
    return table


def form_pdf(doc: dict) -> bytes:
    font = get_pdf_font()
    styles = _styles(font)
    buf = io.BytesIO()
    pdf = _doc(buf, f"{doc['number']} {doc['title']}", doc.get("enterprise", ""), font, 18 * mm)
    width = sum(layout.WIDTHS) * mm
    # "表1" at the left, the title centred on the same line (as in the circular).
    head = Table([[Paragraph(_text(doc["number"], font), styles["number"]),
                   Paragraph(_text(doc["title"], font), styles["title"]), ""]],
                 colWidths=[25 * mm, width - 50 * mm, 25 * mm])
    head.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font.name), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    date = layout.application_date_line(doc["values"].get("application_date"))
    story = [head, Paragraph(_text(date, font), styles["date"]), _form_table(doc, font, styles),
             Spacer(1, 2 * mm), Paragraph(_text(layout.meta_line(doc), font), styles["meta"])]
    footer = pdf_seal_footer(doc, font.name)  # an issued form's seal line on every page
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


# --- the batch letter ------------------------------------------------------------------------------

def _list_table(doc: dict, font: PdfFont, styles, width: float) -> Table:
    widths = [width * share for share in (0.075, 0.27, 0.25, 0.13, 0.12, 0.155)]

    def cell(value: str, col: int, style: str) -> Paragraph:
        return _fitted(value, font, styles[style], widths[col] - 2 * PADDING, one_line=col == 2)

    head = [cell(h, c, "center") for c, h in enumerate(layout.LIST_HEADERS)]
    body = [[cell(v, c, "center" if c in (0, 4) else "cell") for c, v in enumerate(row)]
            for row in layout.list_rows(doc)]
    table = Table([head, *body], colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font.name), ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EDEDED")),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
    ]))
    return table


def batch_pdf(doc: dict) -> bytes:
    font = get_pdf_font()
    styles = _styles(font)
    buf = io.BytesIO()
    pdf = _doc(buf, doc["title"], doc.get("agency", ""), font, 26 * mm)
    story: list = []
    if doc.get("signed_by"):  # a letter to the superior authority names its signer (签发人)
        story.append(Paragraph(_text(f"签发人：{doc['signed_by']}", font), styles["signer"]))
    story.append(Paragraph(_text(doc["title"], font), styles["letter_title"]))
    recipient = layout.letter_recipient(doc)
    if recipient:
        story.append(Paragraph(_text(recipient, font), styles["plain"]))
    story += [Paragraph(_text(p, font), styles["body"]) for p in layout.letter_paragraphs(doc)]
    story += [Spacer(1, 4 * mm), Paragraph(_text(layout.letter_attachments(doc), font), styles["body"])]
    story.append(KeepTogether([Spacer(1, 8 * mm), SealBlock(doc.get("agency", ""), cn_date(doc.get("date")), font)]))
    story += [PageBreak(), Paragraph(_text("附件1", font), styles["plain"]),
              Paragraph(_text("企业名单", font), styles["letter_title"]), _list_table(doc, font, styles, pdf.width)]
    footer = pdf_seal_footer(doc, font.name)  # an issued letter's seal line on every page
    pdf.build(story, onFirstPage=footer, onLaterPages=footer, canvasmaker=_numbered_canvas(font))
    return buf.getvalue()
