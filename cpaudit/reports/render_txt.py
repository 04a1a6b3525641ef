"""Plain-text layout of a report's blocks (document.py): the same words as the Word and PDF files.

Tables are aligned by display width (a CJK character takes two columns); an annex starts after a
form feed, as it starts on a new page on paper.
"""

import unicodedata

from .document import ANNEXES_LABEL, blocks_of, text_columns

INDENT = "    "
RIGHT = " " * 24
RULE = "─"


def _width(text: str) -> int:
    """Display width: CJK (wide/fullwidth) characters count two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def table_lines(block: dict) -> list[str]:
    rows = [block["headers"], *block["rows"]] + ([block["totals"]] if block.get("totals") else [])
    widths = [max(_width(row[c]) for row in rows if c < len(row)) for c in range(len(block["headers"]))]
    left = text_columns(block)
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(_pad(cell, widths[c], right=c not in left) for c, cell in enumerate(row)).rstrip())
        if i == 0:
            lines.append(RULE * (sum(widths) + 2 * (len(widths) - 1)))
    return lines


def _lines(blocks: list[dict]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        kind = block["type"]
        if kind == "masthead":
            out += [block["unit"]] + ([block["number"]] if block.get("number") else []) + [RULE * 40, ""]
        elif kind == "title":
            out += [block["text"], ""]
        elif kind == "addressee":
            out.append(block["text"])
        elif kind == "heading":
            out += ["", block["text"]]
        elif kind == "paragraph":
            out.append(INDENT + block["text"])
        elif kind == "list":
            out += [INDENT + item for item in block["items"]]
        elif kind == "annexes":
            out += [""] + [INDENT + (ANNEXES_LABEL if n == 0 else "　" * len(ANNEXES_LABEL)) + item
                           for n, item in enumerate(block["items"])]
        elif kind == "table":
            out += ["", block["caption"], *table_lines(block)]
        elif kind == "signoff":
            out += [""] + [RIGHT + t for t in (block["unit"], block["date"], block.get("seal", "")) if t]
        elif kind == "note":
            out += ["", block["text"]]
        elif kind == "annex":
            out += ["\f" + block["label"], "", *_lines(block["blocks"])]
    return out


def render_txt(content: dict) -> str:
    return "\n".join(_lines(blocks_of(content))) + "\n"
