"""Issuing the reports' documents (签发): a monthly report (a branch's or the city's consolidation) and a
results summary (评估/验收结果汇总) are issued by their submission, in PDF and Word at once, each file
sealed with the submitting unit's seal.

The reports services call these inside their own transaction, right after the version is frozen and
its submission logged: the leader who approves and submits is the one who issues (the seal is their
agency's), so a unit without an active seal key, or a server without the CJK font, cannot submit —
the submission is refused and nothing is kept. What is issued is the version's frozen content, so
the issued files say exactly what the version says; every later download of that version (pages,
`cpaudit monthly-report`) serves the issued bytes.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from cpaudit.core.errors import InvalidState

from .models import IssuedDocument
from .selectors import issued_for
from .services import document_issue_formats

MONTHLY = "monthly_report"
RESULTS = "results_summary"
ISSUED_FORMATS = ("pdf", "docx")


def _renders() -> dict:
    from cpaudit.reports.render import render_docx, render_pdf  # the engines load fonts: only when issuing

    return {"pdf": render_pdf, "docx": render_docx}


def _issue(actor, kind: str, version) -> list[IssuedDocument]:
    content = version.content
    title = f"{content.get('title', '')}（第{version.number}版）"
    try:
        return document_issue_formats(actor=actor, kind=kind, obj=version, content=content, renders=_renders(),
                                      title=title)
    except ImproperlyConfigured as exc:  # no CJK font on this server: the files cannot be made
        raise InvalidState(f"无法生成签发文书，报送未完成：{exc}", code="no_font") from exc


def report_version_issue(*, actor, version) -> list[IssuedDocument]:
    """Issue a submitted monthly report version (reports.services.report_submit calls it)."""
    return _issue(actor, MONTHLY, version)


def results_version_issue(*, actor, version) -> list[IssuedDocument]:
    """Issue a submitted results summary version (reports.results.results_submit calls it)."""
    return _issue(actor, RESULTS, version)


def issued_file(kind: str, version, fmt: str) -> IssuedDocument | None:
    """The issued file of a version in `fmt` (None: a text file, a draft, or a version submitted before
    submissions were issued)."""
    if version is None or fmt not in ISSUED_FORMATS:
        return None
    return issued_for(kind, version, fmt)
