"""CJK font discovery and one-time registration for the PDF renderer.

ReportLab needs a TrueType font (glyf outlines) to draw Chinese; it subsets and embeds the glyphs
it uses (``/FontFile2``), so the PDF prints the same on a machine without the font. Registration
parses the whole font (~0.2–0.5 s for WenQuanYi Micro Hei), so it happens once per process and is
cached here.

Order of discovery: ``settings.CPAUDIT_PDF_FONT`` (a path to a .ttf/.ttc; index 0 of a
collection), else the Debian paths in :data:`CANDIDATES`. Noto Sans CJK (.ttc/.otf) has CFF
outlines, which ReportLab refuses; it is tried and skipped.
"""

from __future__ import annotations

import logging
import os
import threading
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

MISSING_FONT_MESSAGE = (
    "未找到中文字体：请安装 Debian 软件包 fonts-wqy-microhei（make 会自动安装）或设置 CPAUDIT_PDF_FONT"
)

# (path, subfont index) in order of preference.
CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),  # CFF: ReportLab refuses it
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)

# Latin/symbol fallback for characters the CJK font lacks (e.g. ☑ U+2611 is not in Micro Hei).
FALLBACK_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)

PDF_FONT_NAME = "CpauditCJK"
PDF_FALLBACK_NAME = "CpauditFallback"

# Characters that are replaced before looking for a fallback: ballot boxes become what the CJK font
# has (□ exists in Micro Hei, ☑/☒ do not), so a ticked box is never printed blank.
SUBSTITUTES = {
    "\u2610": "□",  # ☐
    "\u2611": "[√]",  # ☑
    "\u2612": "[×]",  # ☒
    "\u2714": "√",  # ✔
}


@dataclass(frozen=True)
class PdfFont:
    name: str
    path: str
    subfont_index: int
    family: str
    codepoints: frozenset[int] = field(repr=False)
    fallback_name: str | None = None
    fallback_codepoints: frozenset[int] = field(default=frozenset(), repr=False)

    def has(self, char: str) -> bool:
        return ord(char) in self.codepoints

    def missing(self, text: str) -> set[str]:
        """Characters of ``text`` the CJK font cannot draw (whitespace excluded)."""
        return {c for c in text if not c.isspace() and ord(c) not in self.codepoints}


_lock = threading.Lock()
_cache: dict[str | None, PdfFont] = {}


def configured_path() -> str | None:
    return settings.CPAUDIT_PDF_FONT or None


def candidate_paths() -> list[tuple[str, int]]:
    configured = configured_path()
    if configured:
        return [(str(configured), 0)]
    return list(CANDIDATES)


def _load(path: str, index: int, name: str):
    from reportlab.pdfbase.ttfonts import TTFont

    return TTFont(name, path, subfontIndex=index)


def get_pdf_font() -> PdfFont:
    """Register (once per process and configured path) and return the CJK font for PDFs."""
    key = configured_path()
    font = _cache.get(key)
    if font is not None:
        return font
    with _lock:
        font = _cache.get(key)
        if font is None:
            font = _register(key)
            _cache[key] = font
    return font


def _register(configured: str | None) -> PdfFont:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError

    # One registered name per configured path, so a changed setting (tests) never reuses the
    # glyphs of another font registered under the same name.
    suffix = "" if configured is None else f"-{zlib.crc32(configured.encode()):08x}"
    name = PDF_FONT_NAME + suffix
    errors = []
    ttf = None
    for path, index in candidate_paths():
        if not os.path.isfile(path):
            errors.append(f"{path}: 不存在")
            continue
        try:
            ttf = _load(path, index, name)
        except (TTFError, OSError, ValueError) as exc:  # e.g. CFF outlines (Noto CJK)
            errors.append(f"{path}: {exc}")
            log.info("PDF font %s unusable: %s", path, exc)
            continue
        break
    if ttf is None:
        detail = "；".join(errors)
        if configured:
            raise ImproperlyConfigured(f"CPAUDIT_PDF_FONT 无法使用（{detail}）。{MISSING_FONT_MESSAGE}")
        raise ImproperlyConfigured(MISSING_FONT_MESSAGE)
    pdfmetrics.registerFont(ttf)
    # No bold/italic face: map them to the same font so <b> never asks for a missing face.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(name, bold, italic, name)
    family = ttf.face.familyName
    family = family.decode("utf-8", "replace") if isinstance(family, bytes) else str(family)

    fallback_name = None
    fallback_codepoints: frozenset[int] = frozenset()
    for fpath in FALLBACK_CANDIDATES:
        if not os.path.isfile(fpath):
            continue
        try:
            fttf = _load(fpath, 0, PDF_FALLBACK_NAME)
        except (TTFError, OSError, ValueError):
            continue
        pdfmetrics.registerFont(fttf)
        fallback_name = PDF_FALLBACK_NAME
        fallback_codepoints = frozenset(fttf.face.charToGlyph)
        break
    return PdfFont(
        name=name,
        path=path,
        subfont_index=index,
        family=family,
        codepoints=frozenset(ttf.face.charToGlyph),
        fallback_name=fallback_name,
        fallback_codepoints=fallback_codepoints,
    )


def reset_cache() -> None:
    """Forget the registered fonts (tests that change CPAUDIT_PDF_FONT)."""
    with _lock:
        _cache.clear()
