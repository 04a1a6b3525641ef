"""The registry of subprocess scenarios, keyed by command name (no test here).

A scenario is a function `(site, demo)` decorated with `@scenario("command-name")`, in any module of
this package named `scenarios_*.py` (all are loaded by `load_all`). It runs the command as a real
process against its own copy of the demo (`site`, see site.py) and asserts the exit status, the
output and the effect. test_readme_commands.py fails for any command of README.md's table that has
no scenario, and for any scenario that never runs its command.
"""

import importlib
import re
from collections.abc import Callable
from pathlib import Path

from docx import Document
from pypdf import PdfReader

from .site import ROOT

SCENARIOS: dict[str, list[Callable]] = {}


def scenario(command: str):
    def register(func: Callable) -> Callable:
        SCENARIOS.setdefault(command, []).append(func)
        return func

    return register


def load_all() -> dict[str, list[Callable]]:
    for path in sorted(Path(__file__).parent.glob("scenarios_*.py")):
        importlib.import_module(f"{__package__}.{path.stem}")
    return SCENARIOS


def readme_commands() -> dict[str, str]:
    """command name → its line in the table of README.md's "Commands" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.split(r"^## ", text.split("\n## Commands", 1)[1], flags=re.M)[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `cpaudit ([a-z][a-z-]*)[^\n]*", section, re.M)}


# --- reading what the commands wrote ------------------------------------------------------------

def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def squash(text: str) -> str:
    """Text without whitespace: PDF extraction breaks lines where the layout did."""
    return re.sub(r"\s+", "", text)
