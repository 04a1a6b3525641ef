"""Printable application forms (Table 1 / Table 2) and batch letters: ``form_docx``, ``form_pdf``,
``batch_docx``, ``batch_pdf`` (dict from cpaudit.applications.document) -> bytes.

``layout`` holds the seed's wording and cell structure; the two engines only decide how it looks.
"""

from .docx import batch_docx, form_docx
from .pdf import batch_pdf, form_pdf

__all__ = ["batch_docx", "batch_pdf", "form_docx", "form_pdf"]
