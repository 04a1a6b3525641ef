"""Monthly progress report as Word (.docx, python-docx).

Same wording and order as the PDF (see ``common``). Fonts follow official-document habit: 宋体 for
the unit and title, 黑体 for headings, 仿宋 for the text; each run sets ``w:eastAsia`` in its
``rPr/rFonts`` (python-docx's ``font.name`` only sets the Latin slots, so Word would otherwise show
Chinese in the theme font). The seal area is a dashed box labelled （加盖单位公章） at the bottom right;
the footer carries 第 X 页 共 Y 页 as Word fields.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

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


def _counts_table(doc, block: common.Block) -> None:
    ncols = len(block.headers)
    table = doc.add_table(rows=1 + len(block.rows), cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Mm(80)] + [Mm(45)] * (ncols - 1) if ncols <= 3 else [Mm(60)] + [Mm(100 / (ncols - 1))] * (ncols - 1)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # w:gridCol (LibreOffice and WPS read the grid, Word the cells)
    for r, values in enumerate([block.headers, *block.rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.width = widths[c]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if (r == 0 or c > 0) else WD_ALIGN_PARAGRAPH.LEFT
            run = p.add_run(value)
            set_run_font(run, HEI if r == 0 else SONG, 12, bold=(r == 0 or value == "合计"))
    doc.add_paragraph()


def _seal_area(doc, unit: str, date: str) -> None:
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_before = Pt(24)
    box = doc.add_table(rows=1, cols=1)
    box.alignment = WD_TABLE_ALIGNMENT.RIGHT
    box.autofit = False
    box.columns[0].width = Mm(42)
    cell = box.cell(0, 0)
    cell.width = Mm(42)
    box.rows[0].height = Mm(42)
    tcpr = cell._tc.get_or_add_tcPr()
    _border(tcpr, "w:tcBorders", ["top", "left", "bottom", "right"], val="dashed", sz=6, color="C00000")
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(p.add_run(common.SEAL_LABEL), SONG, 10, color=RED)
    for text in (unit, date):
        _para(doc, text, FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


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


def render_docx(content: dict) -> bytes:
    doc = Document()
    _style_defaults(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(30), Mm(28)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _footer_page_numbers(section)

    unit = content.get("unit", "")
    title = common.title(content)
    props = doc.core_properties
    props.title, props.author, props.subject = title, unit, content.get("month", "")

    head = _para(doc, unit, SONG, 24, bold=True, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER,
                 indent=False, line=36, after=6)
    _red_rule(head)
    _para(doc, title, SONG, 20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=32,
          before=18, after=18)
    addressee = common.addressee_line(content)
    if addressee:
        _para(doc, addressee, FANGSONG, BODY_PT, indent=False)
    for block in common.body_blocks(content):
        if block.kind == "table":
            _counts_table(doc, block)
        elif block.kind == "heading":
            _para(doc, block.text, HEI, BODY_PT, before=6)
        elif block.kind == "subheading":
            _para(doc, block.text, FANGSONG, BODY_PT, bold=True, before=4)
        else:
            _para(doc, block.text, FANGSONG, BODY_PT)
    _seal_area(doc, unit, common.cn_date(content.get("date")))
    _para(doc, common.meta_line(content), FANGSONG, 10.5, indent=False, before=12, line=16)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
