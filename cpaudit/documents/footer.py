"""The seal's footer on every page of an issued document, for the renderers of any app.

A renderer receives the content dict with a `seal` entry (services.seal_of) when the document is
being issued, and none for a plain download of something not issued: then nothing is printed.

PDF (ReportLab):  footer = pdf_seal_footer(doc, font.name)
                  pdf.build(story, onFirstPage=footer, onLaterPages=footer)
Word (python-docx): docx_seal_footer(document.sections[0], doc)
"""

from __future__ import annotations

from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from reportlab.lib import colors
from reportlab.lib.units import mm

SIZE = 6.5  # pt: small, below the page number, never over the text
GREY = (0x60, 0x60, 0x60)
EAST_ASIA = "宋体"


def seal_lines(doc: dict) -> list[str]:
    return list((doc.get("seal") or {}).get("lines") or [])


def pdf_seal_footer(doc: dict, font_name: str):
    """An onPage callback drawing the seal lines centred at the foot of each page (a no-op unsealed)."""
    lines = seal_lines(doc)

    def draw(canvas, template) -> None:
        if not lines:
            return
        canvas.saveState()
        canvas.setFont(font_name, SIZE)
        canvas.setFillColor(colors.Color(*(c / 255 for c in GREY)))
        width = canvas._pagesize[0]
        for n, line in enumerate(lines):
            canvas.drawCentredString(width / 2, (8 - 3 * n) * mm, line)
        canvas.restoreState()

    return draw


def docx_seal_footer(section, doc: dict) -> None:
    """Append the seal lines to the section's footer (after a page number, if any)."""
    lines = seal_lines(doc)
    if not lines:
        return
    footer = section.footer
    first = footer.paragraphs[0] if footer.paragraphs and not footer.paragraphs[0].text \
        and not footer.paragraphs[0]._p.xpath(".//w:fldSimple") else None
    for n, line in enumerate(lines):
        p = first if (n == 0 and first is not None) else footer.add_paragraph()
        p.alignment = 1  # centre
        p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
        run = p.add_run(line)
        run.font.size = Pt(SIZE)
        run.font.color.rgb = RGBColor(*GREY)
        run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIA)
