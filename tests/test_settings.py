"""Settings: the environment is read in settings/env.py only, every CPAUDIT_* name is declared, what
docs/OPERATIONS.md promises operators is read, and CPAUDIT_PDF_FONT reaches the PDF renderer."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import cpaudit.settings.base as base_settings
from cpaudit.reports.render import fonts

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cpaudit"
NAME = re.compile(r"\bCPAUDIT_[A-Z][A-Z0-9_]*")
# Chosen by the settings module (dev, test, production), never by the environment: an environment
# variable must not be able to switch on demo accounts or lift the action log's guard.
FIXED = {"CPAUDIT_DEMO_MODE", "CPAUDIT_LOG_RESET_ALLOWED", "CPAUDIT_PAGE_SIZE"}
# Run before any settings exist, to choose them: the one accepted read outside settings/env.py.
SETDEFAULT = 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpaudit.settings.{}")'
ALLOWED_READS = {("manage.py", SETDEFAULT.format("dev")), ("wsgi.py", SETDEFAULT.format("production"))}


def environment_reads(source: str) -> list[tuple[int, str]]:
    """(line, text) of every use of os.environ / getenv / putenv in a module's source."""
    lines = source.splitlines()
    found = set()
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            names = [alias.name for alias in node.names]
        if {"environ", "environb", "getenv", "getenvb", "putenv"} & set(names):
            found.add((node.lineno, lines[node.lineno - 1].strip()))
    return sorted(found)


def test_the_detector_sees_every_form():
    source = "import os\nfrom os import environ\na = os.environ['X']\nb = os.getenv('Y')\nc = environ.get('Z')\n"
    assert [line for line, _ in environment_reads(source)] == [2, 3, 4, 5]


def test_only_settings_env_reads_the_environment():
    reads = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative == "settings/env.py":
            continue
        reads |= {(relative, text) for _, text in environment_reads(path.read_text(encoding="utf-8"))}
    assert reads == ALLOWED_READS


def mentioned_names() -> dict[str, set[str]]:
    """CPAUDIT_* name → the files mentioning it: README.md, docs/*.md, the package's code and templates."""
    files = [ROOT / "README.md", ROOT / "Makefile", *(ROOT / "docs").glob("*.md"),
             *PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html")]
    names: dict[str, set[str]] = {}
    for path in files:
        for name in NAME.findall(path.read_text(encoding="utf-8")):
            names.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    return names


def test_every_mentioned_setting_is_declared_in_base():
    names = mentioned_names()
    assert {"CPAUDIT_PDF_FONT", "CPAUDIT_TODAY", "CPAUDIT_DATA_DIR"} <= set(names)  # the scan finds them
    undeclared = {name: sorted(where) for name, where in names.items() if not hasattr(base_settings, name)}
    assert undeclared == {}


def settings_probe(module: str, tmp_path, **environ) -> dict:
    """Load a settings module in a fresh interpreter with `environ`; what it read and a few values."""
    code = (f"import json, {module} as s\n"
            "from cpaudit.settings.env import NAMES_READ\n"
            "print(json.dumps({'read': sorted(NAMES_READ), 'font': s.CPAUDIT_PDF_FONT, 'port': s.CPAUDIT_PORT,"
            " 'https': s.CPAUDIT_HTTPS, 'evidence': str(s.CPAUDIT_EVIDENCE_DIR)}))")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("CPAUDIT_") and key not in {"PORT", "DATABASE_URL", "DJANGO_SECRET_KEY"}}
    env.update(CPAUDIT_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT), **environ)
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_operators_variables_are_read_and_the_safety_switches_are_not(tmp_path):
    probe = settings_probe("cpaudit.settings.production", tmp_path, DJANGO_SECRET_KEY="x" * 50,
                           DATABASE_URL="postgres://u@127.0.0.1:5432/x", CPAUDIT_KEY_ENCRYPTION_KEY="0" * 32)
    operations = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", operations, re.M))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CPAUDIT_DATA_DIR"} <= table
    documented = {name for name in NAME.findall(operations + (ROOT / "README.md").read_text(encoding="utf-8"))}
    assert "CPAUDIT_PDF_FONT" in documented
    assert table | (documented - FIXED) <= set(probe["read"])
    assert FIXED.isdisjoint(probe["read"])


def test_values_come_from_the_environment(tmp_path):
    probe = settings_probe("cpaudit.settings.dev", tmp_path, CPAUDIT_PDF_FONT="/fonts/x.ttf", PORT="8123",
                           CPAUDIT_HTTPS="0", CPAUDIT_EVIDENCE_DIR=str(tmp_path / "ev"))
    assert (probe["font"], probe["port"], probe["https"]) == ("/fonts/x.ttf", 8123, False)
    assert probe["evidence"] == str(tmp_path / "ev")
    default = settings_probe("cpaudit.settings.dev", tmp_path)
    assert (default["font"], default["port"], default["https"]) == (None, 8000, True)
    assert default["evidence"] == str(tmp_path / "data" / "evidence")


def test_a_malformed_number_is_named_in_chinese(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("CPAUDIT_")}
    env.update(CPAUDIT_DATA_DIR=str(tmp_path), PORT="八千", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", "import cpaudit.settings.dev"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "环境变量 PORT 应为整数，实际为“八千”" in done.stderr


@pytest.fixture
def isolated_fonts(monkeypatch):
    """No default font: the font is the configured one or none. Yields the system's CJK font."""
    system = next((Path(p) for p, _ in fonts.CANDIDATES if Path(p).is_file() and "noto" not in p.lower()), None)
    assert system is not None, fonts.MISSING_FONT_MESSAGE  # `make test` installs it (make fonts)
    saved = dict(fonts._cache)
    fonts._cache.clear()
    monkeypatch.setattr(fonts, "CANDIDATES", ())
    yield system
    fonts._cache.clear()
    fonts._cache.update(saved)


def test_the_configured_font_is_the_one_the_renderer_uses(settings, tmp_path, isolated_fonts):
    copy = tmp_path / "单位字体.ttc"
    copy.write_bytes(isolated_fonts.read_bytes())
    settings.CPAUDIT_PDF_FONT = str(copy)
    font = fonts.get_pdf_font()
    assert font.path == str(copy) and font.has("审")


def test_a_bad_font_path_is_reported_in_chinese(settings, tmp_path, isolated_fonts):
    settings.CPAUDIT_PDF_FONT = str(tmp_path / "missing.ttf")
    with pytest.raises(ImproperlyConfigured) as info:
        fonts.get_pdf_font()
    assert str(info.value).startswith(f"CPAUDIT_PDF_FONT 无法使用（{tmp_path / 'missing.ttf'}: 不存在）")
    assert fonts.MISSING_FONT_MESSAGE in str(info.value)
