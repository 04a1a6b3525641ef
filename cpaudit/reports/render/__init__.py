"""Printable monthly progress reports: ``render_docx(content)`` and ``render_pdf(content)`` -> bytes.

``content`` is the JSON-safe dict built by ``cpaudit.reports.content`` (unit, title, addressee,
date, sentences, not_started, table, problems, stalled, sections, version, …).
"""

from .docx import render_docx
from .pdf import render_pdf

__all__ = ["render_docx", "render_pdf"]
