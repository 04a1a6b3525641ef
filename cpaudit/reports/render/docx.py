"""Monthly progress report as Word (.docx, python-docx).

Lays out the content's blocks (cpaudit.reports.document: the wording is there, the same as the PDF's
and the text's). Fonts follow official-document habit: 宋体 for the unit and title, 黑体 for headings,
仿宋 for the text; each run sets ``w:eastAsia`` in its ``rPr/rFonts`` (python-docx's ``font.name``
only sets the Latin slots, so Word would otherwise show Chinese in the theme font). The signature
and seal area (a dashed box labelled （加盖单位公章）) is kept on the page of the paragraphs before it
(keep-with-next, keep-together); each annex starts on a new page; the footer carries
第 X 页 共 Y 页 as Word fields, and an issued version's seal lines (cpaudit.documents.footer) under it.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from cpaudit.documents.footer import docx_seal_footer

from . import common

SONG = "宋体"
HEI = "黑体"
FANGSONG = "仿宋"
LATIN = "Times New Roman"
RED = RGBColor(0xC0, 0x00, 0x00)
BODY_PT = 15


def set_run_font(run, east_asia: str, size: float | None = None, bold: bool | None = None,
                 color: RGBColor | None = None, latin: str = LATIN) -> None:
    run.font.name = latin
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        rfonts.set(qn(attr), value)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _style_defaults(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), FANGSONG)
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def _para(container, text: str, east_asia: str = FANGSONG, size: float = BODY_PT, *, bold=False,
          color=None, align=None, indent=True, before=0, after=0, line=28):
    p = container.add_paragraph()
    pf = p.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line)
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if indent:
        pf.first_line_indent = Pt(2 * size)
    if align is not None:
        p.alignment = align
    run = p.add_run(text)
    set_run_font(run, east_asia, size, bold, color)
    return p


# Children that must come after the border element (WordprocessingML schema order; Word rejects
# a document whose pPr/tcPr children are out of order).
_AFTER = {
    "w:pBdr": ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
               "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
               "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
               "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    "w:tcBorders": ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
                    "w:hideMark"),
}


def _border(element_pr, tag: str, sides, val="single", sz=8, color="000000"):
    borders = OxmlElement(tag)
    for side in sides:
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), val)
        el.set(qn("w:sz"), str(sz))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), color)
        borders.append(el)
    successors = {qn(t) for t in _AFTER.get(tag, ())}
    for index, child in enumerate(element_pr):
        if child.tag in successors:
            element_pr.insert(index, borders)
            return
    element_pr.append(borders)


def _red_rule(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    _border(ppr, "w:pBdr", ["bottom"], sz=18, color="C00000")


def _keep(paragraph, with_next: bool = True) -> None:
    paragraph.paragraph_format.keep_together = True
    paragraph.paragraph_format.keep_with_next = with_next


def _header_row(row) -> None:
    """Repeat the header row on each page; no row splits across pages."""
    trpr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        el = OxmlElement(tag)
        trpr.append(el)


def _table(doc, block: dict) -> None:
    caption = _para(doc, block["caption"], HEI, 12, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, before=6,
                    after=3, line=20)
    caption.paragraph_format.keep_with_next = True
    rows = [block["headers"], *block["rows"]] + ([block["totals"]] if block.get("totals") else [])
    ncols = len(block["headers"])
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    wide = ncols > 3
    size = 9 if wide else 12
    if wide:  # each stage column as narrow as its header allows; the labels take the rest (156 mm in all)
        need = [ems * size * 0.3528 + 2.5 for ems in common.column_ems(block)]  # 1 pt = 0.3528 mm
        widths = [Mm(w) for w in common.spread(need, 156)]
    else:
        widths = [Mm(80)] + [Mm(45)] * (ncols - 1)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # w:gridCol (LibreOffice and WPS read the grid, Word the cells)
    _header_row(table.rows[0])
    last = len(rows) - 1
    left = common.text_columns(block)
    for r, values in enumerate(rows):
        if r:
            table.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.width = widths[c]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if (r > 0 and c in left) else WD_ALIGN_PARAGRAPH.CENTER
            bold = r == 0 or (r == last and bool(block.get("totals")))
            set_run_font(p.add_run(value), HEI if r == 0 else SONG, size, bold=bold)
    doc.add_paragraph()


SEAL_BOX_MM = 62


def _signoff(doc, block: dict, keep: bool = True) -> None:
    """The unit and the date at the bottom right; with a seal label, inside a dashed red box where the
    seal goes. Kept with the paragraphs before it (the caller marks those keep-with-next)."""
    lines = [t for t in (block["unit"], block["date"]) if t]
    seal = block.get("seal", "")
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_before = Pt(12)
    _keep(spacer, keep)
    section = doc.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    for n, text in enumerate([*lines, *([seal] if seal else [])]):
        is_seal = seal and n == len(lines)
        p = _para(doc, text, SONG if is_seal else FANGSONG, 10 if is_seal else BODY_PT,
                  color=RED if is_seal else None, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                  before=6 if n == 0 and seal else 0, after=6 if is_seal else 0)
        p.paragraph_format.left_indent = text_width - Mm(SEAL_BOX_MM)
        if seal:  # consecutive paragraphs with the same borders and indents make one box
            _border(p._p.get_or_add_pPr(), "w:pBdr", ["top", "left", "bottom", "right"], val="dashed", sz=6,
                    color="C00000")
        _keep(p, keep)


def _seal_area(doc, unit: str, date: str) -> None:
    """The signature and seal area of a letter, kept on the page of the paragraph before it."""
    if doc.paragraphs:
        _keep(doc.paragraphs[-1])
    _signoff(doc, {"unit": unit, "date": date, "seal": common.SEAL_LABEL}, keep=True)


def _footer_page_numbers(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def text(t):
        set_run_font(p.add_run(t), SONG, 10)

    def field(instr):
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), instr)
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = "1"
        r.append(t)
        fld.append(r)
        p._p.append(fld)

    text("第 ")
    field("PAGE")
    text(" 页　共 ")
    field("NUMPAGES")
    text(" 页")


def _masthead(doc, block: dict) -> None:
    head = _para(doc, block["unit"], SONG, 24, bold=True, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER,
                 indent=False, line=36, after=6)
    if block.get("number"):
        head = _para(doc, block["number"], FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                     after=4)
    _red_rule(head)


def _blocks(doc, blocks: list[dict], closing: bool = False) -> None:
    for block in blocks:
        kind = block["type"]
        if kind == "masthead":
            _masthead(doc, block)
        elif kind == "title":
            _para(doc, block["text"], SONG, 20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                  line=32, before=18, after=18)
        elif kind == "addressee":
            _para(doc, block["text"], FANGSONG, BODY_PT, indent=False)
        elif kind == "heading":
            _para(doc, block["text"], HEI, BODY_PT, before=6).paragraph_format.keep_with_next = True
        elif kind == "paragraph":
            p = _para(doc, block["text"], FANGSONG, BODY_PT)
            if closing:
                _keep(p)
        elif kind == "list":
            for item in block["items"]:
                _para(doc, item, FANGSONG, BODY_PT)
        elif kind == "table":
            _table(doc, block)
        elif kind == "annexes":
            for n, item in enumerate(block["items"]):
                p = _para(doc, (common.ANNEXES_LABEL if n == 0 else "") + item, FANGSONG, BODY_PT, indent=False,
                          before=6 if n == 0 else 0)
                p.paragraph_format.left_indent = Pt(5 * BODY_PT)
                p.paragraph_format.first_line_indent = Pt(-3 * BODY_PT if n == 0 else 0)
                if closing:
                    _keep(p)
        elif kind == "signoff":
            _signoff(doc, block, keep=True)
        elif kind == "note":
            _para(doc, block["text"], FANGSONG, 10.5, indent=False, before=12, line=16)


def _annex(doc, block: dict) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, block["label"], HEI, BODY_PT, indent=False, after=6)
    before, closing = common.split_closing(block["blocks"])
    _blocks(doc, before)
    _blocks(doc, closing, closing=True)


def render_docx(content: dict) -> bytes:
    doc = Document()
    _style_defaults(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(30), Mm(28)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _footer_page_numbers(section)
    docx_seal_footer(section, content)  # an issued version's seal lines (nothing for a plain download)

    props = doc.core_properties
    props.title, props.author, props.subject = content.get("title", ""), content.get("unit", ""), content.get("month", "")
    body, annexes = common.body_and_annexes(common.blocks_of(content))
    before, closing = common.split_closing(body)
    _blocks(doc, before)
    _blocks(doc, closing, closing=True)
    for annex in annexes:
        _annex(doc, annex)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
