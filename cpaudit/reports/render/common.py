"""What the Word and PDF layouts share: the blocks to print (document.py holds the wording) and the
date format the application forms print too."""

from __future__ import annotations

from cpaudit.reports.document import (  # noqa: F401  (shared)
    ANNEXES_LABEL,
    SEAL_LABEL,
    blocks_of,
    cn_date,
    text_columns,
    words,
)

# Drawn by the renderers themselves, not part of the wording.
PAGE_FOOTER = "第页共"


def all_text(content: dict) -> str:
    """Every string a renderer may print (used to check glyph coverage)."""
    return "".join(words(blocks_of(content))) + PAGE_FOOTER + "附件"


def body_and_annexes(blocks: list[dict]) -> tuple[list[dict], list[dict]]:
    """The main document's blocks, and its annexes (each printed from a new page)."""
    body = [b for b in blocks if b["type"] != "annex"]
    return body, [b for b in blocks if b["type"] == "annex"]


def split_closing(body: list[dict]) -> tuple[list[dict], list[dict]]:
    """(the text before, the closing): the closing is the signoff with the run of paragraphs right
    before it (the last text, 特此报告, the annex list) and their heading, and the note after it,
    printed together so the signature and seal area are never alone on a page."""
    at = next((i for i, b in enumerate(body) if b["type"] == "signoff"), None)
    if at is None:
        return body, []
    start = at
    while start > 0 and body[start - 1]["type"] in ("paragraph", "annexes"):
        start -= 1
    while start > 0 and body[start - 1]["type"] == "heading":
        start -= 1
    return body[:start], body[start:]


def column_ems(block: dict) -> list[float]:
    """How wide each column of a wide table must be, in characters of the cell font: a header of up
    to five characters on one line, a longer one on two; numbers take half a character per digit."""
    def ems(text: str) -> float:
        return sum(0.55 if ch.isascii() else 1 for ch in text)

    rows = [*block["rows"]] + ([block["totals"]] if block.get("totals") else [])
    widths = []
    for c, header in enumerate(block["headers"]):
        head = ems(header) if len(header) <= 5 else ems(header[: (len(header) + 1) // 2])
        widths.append(max([head] + [ems(row[c]) for row in rows if c < len(row)]))
    return widths


def spread(need: list[float], total: float) -> list[float]:
    """Column widths from the widths needed: the room left goes to the number columns (the label
    column takes at most half its need again), so headers wrap as little as possible. A table that
    needs more than the page gives is scaled down to it (its cells wrap)."""
    if sum(need) > total:
        return [w * total / sum(need) for w in need]
    extra = max(total - sum(need), 0)
    first = min(extra, need[0] / 2)
    rest = (extra - first) / max(len(need) - 1, 1)
    return [need[0] + first] + [w + rest for w in need[1:]]
