"""Small real PDFs for the demo's files (an enterprise's written application, its audit report, a
scanned reply): one A4 page with a title and a few lines, in the platform's CJK font, so that every
download in the demo opens as what it claims to be."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from cpaudit.reports.render.fonts import get_pdf_font


def pdf_bytes(title: str, lines: list[str] | tuple[str, ...] = ()) -> bytes:
    font = get_pdf_font().name
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    page.setTitle(title)
    page.setFont(font, 16)
    page.drawCentredString(A4[0] / 2, A4[1] - 30 * mm, title)
    page.setFont(font, 11)
    y = A4[1] - 45 * mm
    for line in lines:
        page.drawString(25 * mm, y, line)
        y -= 7 * mm
    page.drawString(25 * mm, 20 * mm, "（演示数据，内容虚构）")
    page.showPage()
    page.save()
    return buffer.getvalue()


def pdf_upload(name: str, title: str, lines=()) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(title, lines), content_type="application/pdf")
