"""What the importer looks cells up against — industries, divisions, zone aliases — read once per import,
and the Chinese messages that say what a cell should have held.

A lookup either returns a value with a notice (or "" when there is nothing to say) or raises
CellError whose message names what to do: the GB/T 4754-2017 classes a GB/T 4754-2011 name maps to
(registry/concordance.py), the county a zone alias stands for, the nearest names when nothing matches.
"""

import re

from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.org.models import Division
from cpaudit.registry import concordance
from cpaudit.registry.industries import codes_2017
from cpaudit.registry.models import DivisionAlias, Industry

CJK = re.compile(r"[\u3400-\u9fff]")
FEW_COUNTIES = 20  # this few counties are listed whole when no county name resembles the text
LEVEL_LABELS = dict(Division.Level.choices)


class CellError(Exception):
    pass


def looks_like_name(text: str) -> bool:
    """A code cell that holds Chinese characters holds a name."""
    return bool(CJK.search(text))


class Reference:
    """Industries, divisions and the aliases within the actor's jurisdiction; lookups cached per text."""

    def __init__(self, actor):
        self.jurisdiction = jurisdiction_of(actor)
        self.industries = set(Industry.objects.values_list("code", flat=True))
        self.divisions = {code: (name, level) for code, name, level in
                          Division.objects.values_list("code", "name", "level")}
        self.parents = dict(Division.objects.values_list("code", "parent_id"))
        self.counties_by_name: dict[str, list[str]] = {}
        self.other_levels: dict[str, str] = {}  # name of a province/city-level division → its level
        for code, (name, level) in self.divisions.items():
            if level == Division.Level.COUNTY:
                self.counties_by_name.setdefault(name, []).append(code)
            else:
                self.other_levels.setdefault(concordance.norm(name), level)
        self.aliases: dict[str, list[str]] = {}
        for alias, county in DivisionAlias.objects.values_list("alias", "county_id"):
            if self.jurisdiction.covers(county):
                self.aliases.setdefault(concordance.norm(alias), []).append(county)
        self._industry_names: dict[str, tuple[str, str] | str] = {}  # name → (code, notice) or error
        self._county_names: dict[str, tuple[str, str] | str] = {}

    # ------------------------------------------------------------------ counties

    def county_label(self, code: str, full: bool = False) -> str:
        names, node = [], code
        while node and (full or node == code):
            if self.divisions[node][0] != "市辖区":
                names.append(self.divisions[node][0])
            node = self.parents.get(node)
        return f"{''.join(reversed(names))}（{code}）"

    def county_by_code(self, code: str) -> str:
        if code not in self.divisions:
            raise CellError(f"行政区划代码“{code}”不存在")
        name, level = self.divisions[code]
        if level != Division.Level.COUNTY:
            raise CellError(f"“{name}”（{code}）不是县级行政区划，请填写县（市、区）的6位代码")
        if not self.jurisdiction.covers(code):
            raise CellError(f"“{name}”（{code}）不在您的辖区内")
        return code

    def county_by_name(self, name: str) -> tuple[str, str]:
        """(county code, notice): by the division's own name, else by an alias within the jurisdiction.
        Remembered per name: a register repeats its zones on many rows."""
        if name not in self._county_names:
            try:
                self._county_names[name] = self._county_by_name(name)
            except CellError as exc:
                self._county_names[name] = str(exc)
        found = self._county_names[name]
        if isinstance(found, str):
            raise CellError(found)
        return found

    def _county_by_name(self, name: str) -> tuple[str, str]:
        codes = self.counties_by_name.get(name, [])
        if codes:
            mine = [code for code in codes if self.jurisdiction.covers(code)]
            if not mine:
                raise CellError(f"“{name}”不在您的辖区内")
            if len(mine) > 1:
                listed = "、".join(self.county_label(c, full=True) for c in sorted(mine))
                raise CellError(f"您的辖区内有多个名为“{name}”的县级行政区划：{listed}，请填写所在县（市、区）代码")
            return mine[0], ""
        aliased = self.aliases.get(concordance.norm(name), [])
        if len(aliased) == 1:
            return aliased[0], f"“{name}”按区划别名对应到{self.county_label(aliased[0])}"
        if aliased:
            listed = "、".join(self.county_label(c) for c in sorted(aliased))
            raise CellError(f"区划别名“{name}”对应到您辖区内的多个县（区）：{listed}；请填写所在县（市、区）代码")
        level = self.other_levels.get(concordance.norm(name))
        if level:
            raise CellError(f"“{name}”是{LEVEL_LABELS[level]}行政区划，请填写企业所在县（市、区）的名称或6位代码")
        raise CellError(f"“{name}”不是GB/T 2260行政区划，可在“区划别名”中将其对应到所属县（区）"
                        f"{self._county_hint(name)}，或填写所在县（市、区）代码")

    def _county_hint(self, name: str) -> str:
        """Counties of the jurisdiction with similar names; failing that, all of them if few. A zone
        named after its province or city ("上海化工区", "保定高新区") is looked for there only."""
        mine = {code: n for code, (n, level) in self.divisions.items()
                if level == Division.Level.COUNTY and self.jurisdiction.covers(code)}
        where, region = "您辖区内", self._region_named_in(name)
        if region:
            mine = {c: n for c, n in mine.items() if c.startswith(region[0])}
            where = region[1]
        near = concordance.nearest(name, mine)
        if near:
            return "；名称相近的县级区划：" + "、".join(self.county_label(c) for c in near)
        if 0 < len(mine) <= FEW_COUNTIES:
            return f"；{where}的县级区划：" + "、".join(self.county_label(c) for c in sorted(mine))
        return ""

    def _region_named_in(self, text: str) -> tuple[str, str] | None:
        """(code prefix, name) of the city or province whose name ("保定", "上海") the text contains."""
        best = None
        for code, (name, level) in self.divisions.items():
            if level == Division.Level.COUNTY or name == "市辖区":
                continue
            short = name.rstrip("省市") if len(name) > 2 else name
            prefix = code[:2] if level == Division.Level.PROVINCE else code[:4]
            if len(short) >= 2 and short in text and (best is None or len(prefix) > len(best[0])):
                best = (prefix, name)  # a city beats its province
        return best

    # ------------------------------------------------------------------ industries

    def industry_by_code(self, code: str, numeric: bool) -> str:
        if code in self.industries:
            return code
        hint = ""
        if numeric and "0" + code in self.industries:
            hint = f"；如应为“0{code}”，请将该列设为文本格式后重新填写"
        old = concordance.codes_2011().get(code)
        if old is not None and old.level == 4:
            mapping = concordance.concordance()[code]
            raise CellError(f"“{code}”不是GB/T 4754-2017代码；{_old_name(mapping)}，{_successors(mapping)}")
        raise CellError(f"行业代码“{code}”不存在（应为GB/T 4754-2017国民经济行业代码）{hint}")

    def industry_by_name(self, name: str) -> tuple[str, str]:
        """(2017 code, notice) for an industry named instead of coded; CellError with the candidates."""
        key = concordance.norm(name)
        if key not in self._industry_names:
            try:
                self._industry_names[key] = _industry_by_name(name)
            except CellError as exc:
                self._industry_names[key] = str(exc)
        found = self._industry_names[key]
        if isinstance(found, str):
            raise CellError(found)
        return found


def _industry_by_name(name: str) -> tuple[str, str]:
    table = codes_2017()
    named = concordance.codes_named_2017(name)
    classes = [c for c in named if table[c].level == 4]
    if len(classes) == 1:
        notice = f"按行业名称“{name}”填入GB/T 4754-2017行业代码{classes[0]}"
        old = [concordance.concordance()[c] for c in concordance.classes_named_2011(name)]
        broader = [m for m in old if m.basis == "split"]
        if broader:  # the same name covered more in 2011: a 2011-based register may mean a sibling
            notice += f"；若登记表按GB/T 4754-2011填写，该名称对应2017版：{concordance.describe(broader[0].targets)}，请核对"
        return classes[0], notice
    # A 2011 class that kept its name (`same`, `moved`) was found above under that name; what is left
    # was split, renamed or could not be mapped: a person decides.
    old = concordance.classes_named_2011(name)
    if len(old) == 1:
        raise CellError(f"{_old_name(concordance.concordance()[old[0]])}，{_successors(concordance.concordance()[old[0]])}")
    if len(named) == 1:
        row = table[named[0]]
        return row.code, f"按行业名称“{name}”填入GB/T 4754-2017行业代码{row.code}（{row.level_name}）"
    near = concordance.similar_classes(name)
    hint = f"；名称相近的2017版小类：{concordance.describe(near)}" if near else ""
    raise CellError(f"未找到名称为“{name}”的国民经济行业（GB/T 4754-2017或2011）{hint}；请填写4位行业代码")


def name_mismatch(code: str, name: str) -> tuple[str, bool]:
    """(message, is_error) when the name column names another industry than the code does: an error if
    the name is what the code meant in GB/T 4754-2011 (the register is coded in the old edition), a
    notice if it is some other known industry name; ("", False) when they agree or the name is free text."""
    if not name or code not in codes_2017():
        return "", False
    current = codes_2017()[code].name
    if concordance.norm(name) == concordance.norm(current):
        return "", False
    old = concordance.codes_2011().get(code)
    head = f"行业代码“{code}”在GB/T 4754-2017中是“{current}”"
    if old is not None and concordance.norm(old.name) == concordance.norm(name):
        mapping = concordance.concordance().get(code)
        then = _successors(mapping) if mapping else "请按GB/T 4754-2017填写行业代码"
        return f"{head}，而“{name}”是该代码在GB/T 4754-2011中的名称：{then}", True
    if concordance.codes_named_2017(name) or concordance.classes_named_2011(name):
        return f"{head}，与所填行业名称“{name}”不一致，已按代码导入，请核对", False
    return "", False


def _old_name(mapping: concordance.Mapping) -> str:
    return f"GB/T 4754-2011 名称“{mapping.name_2011}”（{mapping.code_2011}）"


def _successors(mapping: concordance.Mapping) -> str:
    """What the 2017 edition holds for a 2011 class, ending in what the person should do."""
    if mapping.basis == "split":
        return f"对应2017版：{concordance.describe(mapping.targets)}（2017版将该类细分，请选择其一填写行业代码）"
    if mapping.basis == "renamed":
        return f"对应2017版：{concordance.describe(mapping.targets)}（2017版更名，请核对后填写行业代码）"
    if mapping.targets:
        return f"对应2017版：{concordance.describe(mapping.targets)}（请填写2017版行业代码）"
    near = concordance.similar_classes(mapping.name_2011)
    hint = f"名称相近的2017版小类：{concordance.describe(near)}；" if near else ""
    return f"对照表未能确定其2017版类别（见对照表说明），{hint}请按GB/T 4754-2017填写行业代码"
