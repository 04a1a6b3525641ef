"""统一社会信用代码 (GB 32100-2015).

python-stdnum computes the check character correctly, but its `validate` demands digits in the first
eight positions and so rejects legal codes starting with letters (Y…, N…, A…). Here: the standard's
alphabet for every position, the library for the check character. Positions 3–8 are never checked
against current divisions: real codes carry historic and zone codes (133100 雄安新区, 100000 …).
"""

import unicodedata
from dataclasses import dataclass

from stdnum.cn.uscc import calc_check_digit

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18


@dataclass(frozen=True)
class UsccResult:
    code: str  # normalized
    valid: bool
    reason: str = ""
    expected_check: str = ""

    @property
    def only_check_fails(self) -> bool:
        """Well formed but for the check character: staff may accept it after seeing the licence."""
        return not self.valid and bool(self.expected_check)


def normalize(raw: str) -> str:
    """Full-width to half-width, no spaces or hyphens, upper case: how codes arrive from spreadsheets."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-‐‑–—").upper()


def check(raw: str) -> UsccResult:
    code = normalize(raw)
    if not code:
        return UsccResult(code, False, "统一社会信用代码不能为空")
    if len(code) != LENGTH:
        return UsccResult(code, False, f"统一社会信用代码应为18位，实际为{len(code)}位")
    for position, ch in enumerate(code[:17], start=1):
        if ch not in ALPHABET:
            return UsccResult(code, False,
                              f"第{position}位字符“{ch}”不在GB 32100-2015字符集中（不使用I、O、S、V、Z）")
    expected = calc_check_digit(code[:17])
    if code[17] != expected:
        note = "" if code[17] in ALPHABET else "，该字符不在字符集中"
        return UsccResult(code, False, f"校验码错误：第18位应为“{expected}”，实际为“{code[17]}”{note}", expected)
    return UsccResult(code, True)


def is_valid(raw: str) -> bool:
    return check(raw).valid
