"""The forms and the batch letter as Word (.docx, python-docx).

Fonts come from the monthly report's renderer (each run names its East Asian font, or Word shows
Chinese in the theme font). Ballot boxes get a symbol font of their own: 宋体 has □ but not ☑.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor

from cpaudit.documents.footer import docx_seal_footer
from cpaudit.reports.render.common import cn_date
from cpaudit.reports.render.docx import (
    FANGSONG,
    HEI,
    SONG,
    _footer_page_numbers,
    _para,
    _seal_area,
    _style_defaults,
    set_run_font,
)

from . import layout

SYMBOL = "Segoe UI Symbol"
CELL_PT = 10.5
GREY = RGBColor(0x80, 0x80, 0x80)
_BOXES = re.compile(f"([{layout.TICKED}{layout.EMPTY}])")


def _write(paragraph, text: str, east_asia: str = SONG, size: float = CELL_PT, bold: bool = False,
           color=None) -> None:
    """Text into a paragraph: lines as line breaks, ballot boxes in the symbol font."""
    for n, line in enumerate(text.split("\n")):
        if n:
            paragraph.add_run().add_break(WD_BREAK.LINE)
        for piece in _BOXES.split(line):
            if not piece:
                continue
            run = paragraph.add_run(piece)
            if piece in (layout.TICKED, layout.EMPTY):
                set_run_font(run, SYMBOL, size, latin=SYMBOL)
            else:
                set_run_font(run, east_asia, size, bold, color)


def _cell_para(cell, text: str, align=WD_ALIGN_PARAGRAPH.LEFT, first: bool = True):
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = align
    _write(p, text)
    return p


def _tight(table, side_mm: float = 1, row_mm: float = 7) -> None:
    """Narrow left/right cell margins (Word's default 1.9 mm wraps 联系电话 in its column) and a
    minimum row height, as a printed form has."""
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(side_mm * 56.7)))  # twentieths of a point
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    look = tbl_pr.find(qn("w:tblLook"))  # schema order: tblCellMar comes before tblLook
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)
    for row in table.rows:
        row.height, row.height_rule = Mm(row_mm), WD_ROW_HEIGHT_RULE.AT_LEAST


def _page(doc, margin_mm: float) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(18), Mm(16)
    section.left_margin = section.right_margin = Mm(margin_mm)


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- the form --------------------------------------------------------------------------------------

def _opinion(cell, op: layout.Opinion, room_mm: float) -> None:
    first = True
    if op.heading:
        _cell_para(cell, op.heading)
        first = False
    _cell_para(cell, op.text, first=first)
    room = cell.add_paragraph()  # room to sign and seal, as on the paper form
    room.paragraph_format.space_before = Mm(room_mm)
    _cell_para(cell, op.signature, WD_ALIGN_PARAGRAPH.RIGHT, first=False)
    _cell_para(cell, op.date, WD_ALIGN_PARAGRAPH.RIGHT, first=False)


def _form_table(doc, data: dict) -> None:
    rows = layout.form_rows(data)
    widths = [Mm(w) for w in layout.WIDTHS]
    table = doc.add_table(rows=len(rows), cols=layout.COLUMNS)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # w:gridCol (LibreOffice and WPS read the grid, Word the cells)
    _tight(table)
    # Every grid position's cell, read once before any merge: table.cell(r, c) walks the whole table
    # on each call (most of the form's render time). The specs never overlap, so no merge removes a
    # cell a later spec starts or ends on.
    grid = [row.cells for row in table.rows]
    for cells in grid:
        for c, cell in enumerate(cells):
            cell.width = widths[c]
    for r, row in enumerate(rows):
        for spec in row:
            cell = grid[r][spec.col]
            if spec.span > 1 or spec.rows > 1:
                cell = cell.merge(grid[r + spec.rows - 1][spec.col + spec.span - 1])
            cell.vertical_alignment = (WD_CELL_VERTICAL_ALIGNMENT.TOP if spec.opinion
                                       else WD_CELL_VERTICAL_ALIGNMENT.CENTER)
            if spec.opinion is not None:
                _opinion(cell, spec.opinion, layout.OPINION_ROOM[data["kind"]])
            else:
                align = WD_ALIGN_PARAGRAPH.CENTER if spec.align == "center" else WD_ALIGN_PARAGRAPH.LEFT
                _cell_para(cell, spec.text, align)


def form_docx(data: dict) -> bytes:
    doc = Document()
    _style_defaults(doc)
    _page(doc, 18)
    props = doc.core_properties
    props.title, props.author = f"{data['number']} {data['title']}", data.get("enterprise", "")
    _para(doc, data["number"], HEI, 14, indent=False, line=22)
    _para(doc, data["title"], SONG, 18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=28,
          after=6)
    _para(doc, layout.application_date_line(data["values"].get("application_date")), SONG, 11.5,
          indent=False, line=20, after=4)
    _form_table(doc, data)
    meta = doc.add_paragraph()
    _write(meta, layout.meta_line(data), size=7.5, color=GREY)
    docx_seal_footer(doc.sections[0], data)  # an issued form's seal line on every page
    return _save(doc)


# --- the batch letter ------------------------------------------------------------------------------

def _list_table(doc, data: dict) -> None:
    widths = [Mm(w) for w in (12, 42, 40, 22, 18, 24)]  # 158 mm between the margins
    rows = layout.list_rows(data)
    table = doc.add_table(rows=1 + len(rows), cols=len(layout.LIST_HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    _tight(table)
    for r, values in enumerate([layout.LIST_HEADERS, *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.width = widths[c]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if (r == 0 or c in (0, 4)) else WD_ALIGN_PARAGRAPH.LEFT
            set_run_font(p.add_run(value), HEI if r == 0 else SONG, CELL_PT)


def batch_docx(data: dict) -> bytes:
    doc = Document()
    _style_defaults(doc)
    _page(doc, 26)
    _footer_page_numbers(doc.sections[0])
    props = doc.core_properties
    props.title, props.author = data["title"], data.get("agency", "")
    if data.get("signed_by"):  # a letter to the superior authority names its signer (签发人)
        _para(doc, f"签发人：{data['signed_by']}", FANGSONG, 12, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, data["title"], SONG, 20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=32,
          before=12, after=18)
    recipient = layout.letter_recipient(data)
    if recipient:
        _para(doc, recipient, FANGSONG, indent=False)
    for text in layout.letter_paragraphs(data):
        _para(doc, text, FANGSONG)
    _para(doc, layout.letter_attachments(data), FANGSONG, before=12)
    _seal_area(doc, data.get("agency", ""), cn_date(data.get("date")))
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "附件1", HEI, indent=False)
    _para(doc, "企业名单", SONG, 18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=30,
          after=12)
    _list_table(doc, data)
    docx_seal_footer(doc.sections[0], data)  # an issued letter's seal line on every page
    return _save(doc)
