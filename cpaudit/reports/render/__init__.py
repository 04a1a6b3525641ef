"""Printable monthly progress reports: ``render_docx(content)`` and ``render_pdf(content)`` -> bytes.

``content`` is the frozen dict of ``cpaudit.reports.content``; what is printed is its blocks
(``cpaudit.reports.document``: composed at render time for versions frozen before blocks existed).
"""

from .docx import render_docx
from .pdf import render_pdf

__all__ = ["render_docx", "render_pdf"]
