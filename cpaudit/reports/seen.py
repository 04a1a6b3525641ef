"""Decisions on reports bound to what the decider saw (issue 10, 事中有控), as the applications' are
(applications.services.basis, whose wording this shares).

A page that offers a decision writes what it showed into the form, and the service refuses the
decision when that is no longer what it would decide on:
- accepting or returning a submitted report: the version number and SM3 digest of the latest version
  (`version_token`); a branch that corrected and resubmitted meanwhile makes the token stale;
- a leader submitting a draft: the SM3 of the draft's whole content as the page showed it
  (`content_token`), since a draft's content is built live and changes with the data, the date and
  what staff wrote.
`seen=None` is a caller without a page (the demo loader, a command, a test): it decides on what is
current. An empty or different token is refused with "…已更新，请刷新后再审" and nothing changes.
"""

from __future__ import annotations

from cpaudit.applications.services.basis import STALE
from cpaudit.core.chain import document_digest
from cpaudit.core.errors import InvalidState

__all__ = ["STALE", "content_token", "require_content", "require_version", "version_token"]


def version_token(version) -> str:
    """'number:digest prefix' of a submitted version ('' when there is none)."""
    if version is None:
        return ""
    return f"{version.number}:{version.digest[:16]}"


def content_token(content: dict) -> str:
    """SM3 of a draft's content as built for the page."""
    return document_digest(content)


def require_version(seen: str | None, version, what: str) -> None:
    """Refuse a review of `what` (e.g. 竞秀区分局2020年5月月报) taken on a page that showed another version."""
    if seen is None:
        return
    if not seen or seen != version_token(version):
        current = f"（现为第{version.number}版）" if version is not None else ""
        raise InvalidState(f"{what}{current}{STALE}", code="stale")


def require_content(seen: str | None, content: dict, what: str) -> None:
    """Refuse a submission of a draft whose content differs from what the leader's page showed."""
    if seen is None:
        return
    if not seen or seen != content_token(content):
        raise InvalidState(f"{what}内容{STALE}", code="stale")
