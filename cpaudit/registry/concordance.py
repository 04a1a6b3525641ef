"""GB/T 4754-2011 → GB/T 4754-2017: the 2011 code list and the concordance of its classes (小类).

Both are data files in registry/data; data/SOURCE.md says where they come from. The official
2017/2011 correspondence table of the National Bureau of Statistics was not available to us, so the
concordance was derived from the two code lists by `derive()` under the rules below, and only those:
where no rule applies the class is `unmapped` (never guessed). tests/registry/test_concordance.py
re-derives the shipped file, so a changed rule or list shows up as a difference.

Basis of a row — what the evidence is:
  same      code and name unchanged                          → that 2017 class
  moved     the name is exactly one 2017 class's name         → that class (code changed)
  split     the 2017 revision subdivided the class: the 2017 中类 of that name (or of the same code,
            when the class was a whole 中类 and its name moved into it) → its 小类, less those that
            are another 2011 class's `same` or `moved` target (they came from elsewhere)
  renamed   same code, new name, and its 中类 kept every other class's code and name
                                                              → the same-code class
  unmapped  none of the above
`same` and `moved` are unique: the importer applies them by itself (saying so). For `split` and
`renamed` a person chooses or confirms.
"""

import csv
import difflib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .industries import DATA, Code, codes_2017, read_codes

UNIQUE = ("same", "moved")
BASIS_LABELS = {
    "same": "代码和名称未变",
    "moved": "名称未变，代码改变",
    "split": "2017版将该类细分",
    "renamed": "代码未变，2017版更名",
    "unmapped": "对应关系未能确定",
}
CONCORDANCE_FILE = "gbt4754_2011_2017.csv"


def norm(text: str) -> str:
    """How names are compared: full-width → half-width (NFKC), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


@dataclass(frozen=True)
class Mapping:
    code_2011: str
    name_2011: str
    basis: str
    targets: tuple[str, ...]  # 2017 codes

    @property
    def unique(self) -> bool:
        return self.basis in UNIQUE and len(self.targets) == 1


@lru_cache(maxsize=1)
def codes_2011() -> dict[str, Code]:
    return read_codes("gbt4754_2011.csv")


def _children(codes: dict[str, Code], group: str) -> list[str]:
    return sorted(c for c, row in codes.items() if row.level == 4 and c[:3] == group)


def derive(g2011: dict[str, Code], g2017: dict[str, Code]) -> list[Mapping]:
    """The concordance of every 2011 小类, by the rules in the module docstring."""
    by_name: dict[tuple[str, int], list[str]] = {}
    for code, row in g2017.items():
        by_name.setdefault((norm(row.name), row.level), []).append(code)
    kept = {c for c, row in g2011.items()
            if row.level == 4 and c in g2017 and g2017[c].level == 4 and norm(g2017[c].name) == norm(row.name)}
    # 2017 classes that are the same-named continuation of some 2011 class.
    claimed = {c: c for c in kept}
    for code, row in g2011.items():
        named = by_name.get((norm(row.name), 4), [])
        if row.level == 4 and code not in kept and len(named) == 1:
            claimed.setdefault(named[0], code)
    result = []
    for code, row in sorted(g2011.items()):
        if row.level != 4:
            continue
        name = norm(row.name)
        whole = code.endswith("0")  # an undivided 2011 中类
        same_name = by_name.get((name, 4), [])
        group_named = by_name.get((name, 3), [])

        if code in kept:
            basis, targets = "same", [code]
        elif len(same_name) == 1:
            target = same_name[0]
            siblings = _unclaimed(g2017, target[:3], claimed, code)
            if whole and len(siblings) > 1 and target[:3] == code[:3]:
                basis, targets = "split", siblings
            else:
                basis, targets = "moved", [target]
        elif len(same_name) > 1:
            basis, targets = "split", sorted(same_name)
        elif len(group_named) == 1 and _unclaimed(g2017, group_named[0], claimed, code):
            basis, targets = "split", _unclaimed(g2017, group_named[0], claimed, code)
        elif code in g2017 and g2017[code].level == 4 and _structure_kept(code, g2011, g2017, kept):
            basis, targets = "renamed", [code]
        else:
            basis, targets = "unmapped", []
        result.append(Mapping(code, row.name, basis, tuple(targets)))
    return result


def _unclaimed(g2017, group: str, claimed: dict[str, str], code: str) -> list[str]:
    """The 2017 小类 of `group` that no other 2011 class continues under its own name."""
    return [c for c in _children(g2017, group) if claimed.get(c, code) == code]


def _structure_kept(code: str, g2011, g2017, kept: set[str]) -> bool:
    """The class's 中类 has the same 小类 codes in both editions and all the others are unchanged:
    only this class's name differs, so the same code is the same class under a new name."""
    siblings = _children(g2011, code[:3])
    return (len(siblings) > 1 and siblings == _children(g2017, code[:3])
            and all(s in kept for s in siblings if s != code))


def write_rows(mappings: list[Mapping], g2017: dict[str, Code]) -> list[list[str]]:
    """The CSV rows of the shipped concordance (header first)."""
    rows = [["code_2011", "name_2011", "basis", "codes_2017", "names_2017"]]
    for m in mappings:
        rows.append([m.code_2011, m.name_2011, m.basis, " ".join(m.targets),
                     "；".join(g2017[t].name for t in m.targets)])
    return rows


@lru_cache(maxsize=1)
def concordance() -> dict[str, Mapping]:
    """2011 小类 code → its mapping, from the shipped file."""
    with (DATA / CONCORDANCE_FILE).open(encoding="utf-8") as fh:
        return {r["code_2011"]: Mapping(r["code_2011"], r["name_2011"], r["basis"], tuple(r["codes_2017"].split()))
                for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _names_2017() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for code, row in codes_2017().items():
        index.setdefault(norm(row.name), []).append(code)
    return index


@lru_cache(maxsize=1)
def _names_2011() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for code, row in codes_2011().items():
        index.setdefault(norm(row.name), []).append(code)
    return index


def codes_named_2017(name: str) -> list[str]:
    """2017 codes (any level) whose name is `name`, finest level first."""
    return sorted(_names_2017().get(norm(name), []), key=lambda c: (-codes_2017()[c].level, c))


def classes_named_2011(name: str) -> list[str]:
    """2011 小类 codes whose name is `name` (a 2011 中类 printed as one class counts as its 小类)."""
    return sorted(c for c in _names_2011().get(norm(name), []) if codes_2011()[c].level == 4)


def similar_classes(text: str, limit: int = 3) -> list[str]:
    """2017 小类 with the most similar names (a hint for a person, never a mapping)."""
    table = codes_2017()
    return nearest(text, {c: row.name for c, row in table.items() if row.level == 4}, limit)


def nearest(text: str, names: dict[str, str], limit: int = 3, cutoff: float = 0.6) -> list[str]:
    """Keys of `names` whose names are most like `text` (difflib's ratio, at least `cutoff`)."""
    wanted = norm(text)
    if len(wanted) < 3:  # "其他", "无": too short to resemble anything meaningfully
        return []
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    scored = []
    for key, name in names.items():
        matcher.set_seq1(norm(name))
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((-ratio, key))
    return [key for _, key in sorted(scored)[:limit]]


def describe(codes) -> str:
    """"1441 液体乳制造、1442 乳粉制造" for 2017 codes."""
    table = codes_2017()
    return "、".join(f"{c} {table[c].name}" for c in codes)
