"""Reading an external register (.xlsx) for the 应开展未开展 comparison.

Headers are recognized by name (full-width/half-width, spaces and * ignored), anywhere in the first
rows; other columns are ignored. At least: 企业名称; 统一社会信用代码 or 排污许可证编号 (whose first 18
characters are the USCC); 行业代码 or 行业名称; 区划代码 or 所在区县; 是否涉水 (是/否). Optional:
双超/双有 (or 企业类型). The file is checked as the registry import checks it (excel/limits.py).

Nothing in a row stops the comparison: a code that fails GB 32100 is kept with its reason (the row is
then matched by name), an industry named by GB/T 4754-2011 is mapped through the concordance where it
maps to one class, a zone that is not a GB/T 2260 unit through the zone aliases (DivisionAlias); what
cannot be mapped stays in the row as a problem, so the row is listed as needing a person, never dropped.
"""

import unicodedata
from dataclasses import asdict, dataclass, field

from openpyxl.utils import get_column_letter

from cpaudit.core.actors import SystemActor
from cpaudit.org.models import Division
from cpaudit.registry import concordance
from cpaudit.registry.excel.columns import FALSE_WORDS, TRUE_WORDS, header_key
from cpaudit.registry.excel.files import sm3_file
from cpaudit.registry.excel.importer import _blank, _FileError, _open_workbook, _sheet
from cpaudit.registry.excel.limits import LimitError, max_rows, too_many_rows
from cpaudit.registry.excel.resolve import CellError, Reference, name_mismatch
from cpaudit.registry.excel.rows import RowError, raw_text
from cpaudit.registry.industries import codes_2017
from cpaudit.registry.models import DivisionAlias
from cpaudit.registry.uscc import check as check_uscc
from cpaudit.registry.uscc import normalize as normalize_uscc

HEADER_SEARCH_ROWS = 10
USCC_LENGTH = 18

# field → the header names that fill it (the first is the one messages use).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "单位名称", "排污单位名称"),
    "uscc": ("统一社会信用代码", "社会信用代码", "企业代码"),
    "permit": ("排污许可证编号", "许可证编号"),
    "industry_code": ("行业代码", "所属行业代码", "行业类别代码"),
    "industry_name": ("行业名称", "所属行业", "行业类别"),
    "county_code": ("区划代码", "行政区划代码", "所在县（市、区）代码"),
    "county_name": ("所在区县", "所在县（市、区）", "区县", "所在地区"),
    "water": ("是否涉水", "涉水", "涉水企业"),
    "double": ("双超/双有", "双超双有", "企业类型"),
}
FIELD_BY_KEY = {header_key(h): f for f, names in HEADERS.items() for h in names}
REQUIRED = (("name",), ("uscc", "permit"), ("industry_code", "industry_name"), ("county_code", "county_name"),
            ("water",))


@dataclass
class RegisterRow:
    """One row as compared: values after mapping, and what a person must look at (`problems`)."""

    row: int
    name: str
    uscc: str = ""  # the valid code ("" when missing or failing its check)
    uscc_raw: str = ""  # as written (normalized)
    uscc_note: str = ""  # why the code is not used
    industry: str = ""  # GB/T 4754-2017 code
    industry_text: str = ""  # as written
    industry_note: str = ""  # a mapping applied
    county: str = ""  # GB/T 2260 county code
    county_text: str = ""
    county_note: str = ""
    water: bool | None = None
    double: bool | None = None
    problems: list[str] = field(default_factory=list)  # "第N行 X列（表头）：…" — needs a person

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "RegisterRow":
        return cls(**data)


@dataclass
class RegisterFile:
    rows: list[RegisterRow]
    errors: list[RowError]  # the file or its headers are unusable: no rows
    notices: list[str]
    sm3: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def norm_name(text: str) -> str:
    """How names are matched: NFKC, no whitespace or brackets or dots, upper case."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(ch for ch in text if not ch.isspace() and ch not in "()（）[]【】·.,，、\"'“”").upper()


class Counties:
    """The campaign's counties by code, by name and by zone alias: how a register's district is mapped."""

    def __init__(self, campaign_counties: dict[str, str]):
        self.codes = campaign_counties  # code → name
        self.by_name: dict[str, list[str]] = {}
        for code, name in campaign_counties.items():
            self.by_name.setdefault(concordance.norm(name), []).append(code)
        self.aliases: dict[str, list[str]] = {}
        for alias, county in DivisionAlias.objects.filter(county_id__in=list(campaign_counties)).values_list(
                "alias", "county_id"):
            self.aliases.setdefault(concordance.norm(alias), []).append(county)
        self.divisions = dict(Division.objects.filter(level=Division.Level.COUNTY).values_list("code", "name"))

    def by_code(self, code: str) -> tuple[str, str]:
        """(county, notice); CellError when the code is not a county of GB/T 2260."""
        if code in self.divisions:
            return code, ""
        raise CellError(f"“{code}”不是GB/T 2260县级行政区划代码（开发区、化工园区等请在“区划别名”中对应到所属县（区））")

    def by_text(self, text: str) -> tuple[str, str]:
        key = concordance.norm(text)
        named = self.by_name.get(key, [])
        if len(named) == 1:
            return named[0], ""
        aliased = sorted(set(self.aliases.get(key, [])))
        if len(aliased) == 1:
            return aliased[0], f"“{text}”按区划别名对应到{self.codes[aliased[0]]}（{aliased[0]}）"
        if len(named) + len(aliased) > 1:
            listed = "、".join(f"{self.codes[c]}（{c}）" for c in sorted(set(named) | set(aliased)))
            raise CellError(f"“{text}”对应多个县（区）：{listed}，请人工核定")
        outside = [c for c, n in self.divisions.items() if concordance.norm(n) == key]
        if outside:
            raise CellError(f"“{text}”不在本批次的范围县（市、区）内")
        raise CellError(f"“{text}”不是本批次范围内的GB/T 2260县级行政区划，也没有对应的区划别名；"
                        "可在“区划别名”中将其对应到所属县（区）")


def read_register(path, *, counties: Counties) -> RegisterFile:
    """Every non-blank row of the file, mapped; header and file problems in `errors`."""
    result = RegisterFile([], [], [])
    try:
        result.sm3 = sm3_file(path)
        with open(path, "rb") as fh:
            wb = _open_workbook(fh)
            try:
                _read(wb, result, counties)
            finally:
                wb.close()
    except FileNotFoundError:
        result.errors.append(RowError(0, "", "", f"文件不存在：{path}"))
    except (_FileError, LimitError) as exc:
        result.errors.append(RowError(0, "", "", str(exc)))
    return result


def _read(wb, result: RegisterFile, counties: Counties) -> None:
    ws = _sheet(wb)
    declared = ws.max_row or 0
    ws.reset_dimensions()
    iterator = ws.iter_rows(values_only=True)
    header_row, header_values = 0, None
    for row_no, values in enumerate(iterator, start=1):
        if sum(1 for v in values if header_key(raw_text(v)) in FIELD_BY_KEY) >= 2:
            header_row, header_values = row_no, values
            break
        if row_no >= HEADER_SEARCH_ROWS:
            break
    if header_values is None:
        result.errors.append(RowError(0, "", "", f"前{HEADER_SEARCH_ROWS}行中没有找到表头（应包括企业名称、"
                                                  "统一社会信用代码、行业代码或行业名称、区划代码或所在区县、是否涉水）"))
        return
    if declared - header_row > max_rows():
        raise too_many_rows(declared - header_row, declared=True)
    columns: dict[str, tuple[int, str, str]] = {}  # field → (position, letter, header as written)
    ignored = []
    for position, value in enumerate(header_values):
        text = raw_text(value).strip()
        if not text:
            continue
        name = FIELD_BY_KEY.get(header_key(text))
        letter = get_column_letter(position + 1)
        if name is None:
            ignored.append(text)
        elif name in columns:
            result.errors.append(RowError(header_row, letter, text, f"表头重复，与{columns[name][1]}列相同"))
        else:
            columns[name] = (position, letter, text)
    for choices in REQUIRED:
        if not any(c in columns for c in choices):
            wanted = "”或“".join(HEADERS[c][0] for c in choices)
            result.errors.append(RowError(header_row, "", HEADERS[choices[0]][0], f"缺少必填列“{wanted}”"))
    if result.errors:
        return
    if ignored:
        result.notices.append(f"第{header_row}行：以下列未使用：{'、'.join(ignored)}")
    reference = Reference(SystemActor("coverage"))
    for row_no, values in enumerate(iterator, start=header_row + 1):
        if _blank(values):
            continue
        if len(result.rows) == max_rows():
            raise too_many_rows(max_rows() + 1, declared=False)
        result.rows.append(_row(row_no, values, columns, reference, counties))


def _cell(values, columns, name) -> str:
    if name not in columns:
        return ""
    position = columns[name][0]
    value = values[position] if position < len(values) else None
    return raw_text(value).strip()


def _row(row_no: int, values, columns, reference: Reference, counties: Counties) -> RegisterRow:
    def problem(name: str, message: str) -> str:
        """The message placed at the column: `name`, else the other column of its pair that is there."""
        pair = next((p for p in REQUIRED if name in p), (name,))
        found = next((columns[n] for n in (name, *pair) if n in columns), None)
        if found is None:
            return str(RowError(row_no, "", "", message))
        return str(RowError(row_no, found[1], found[2], message))

    row = RegisterRow(row=row_no, name=_cell(values, columns, "name"))
    if not row.name:
        row.problems.append(problem("name", "企业名称为空"))
    _uscc(row, values, columns, problem)
    _industry(row, values, columns, reference, problem)
    _county(row, values, columns, counties, problem)
    water = _cell(values, columns, "water").upper()
    if water in TRUE_WORDS:
        row.water = True
    elif water in FALSE_WORDS:
        row.water = False
    else:
        row.problems.append(problem("water", f"是否涉水应填“是”或“否”，实际为“{water}”" if water else "是否涉水为空"))
    double = _cell(values, columns, "double")
    if double:
        row.double = "双超" in double or "双有" in double or double.upper() in TRUE_WORDS
    return row


def _uscc(row: RegisterRow, values, columns, problem) -> None:
    raw = normalize_uscc(_cell(values, columns, "uscc"))
    source = "uscc"
    if not raw and "permit" in columns:
        permit = normalize_uscc(_cell(values, columns, "permit"))
        raw, source = permit[:USCC_LENGTH], "permit"
    row.uscc_raw = raw
    if not raw:
        row.uscc_note = "未填统一社会信用代码，按企业名称匹配"
        return
    checked = check_uscc(raw)
    if checked.valid:
        row.uscc = checked.code
        return
    head = "排污许可证编号前18位" if source == "permit" else "统一社会信用代码"
    row.uscc_note = problem(source, f"{head}{checked.reason}，按企业名称匹配")


def _industry(row: RegisterRow, values, columns, reference: Reference, problem) -> None:
    code = _cell(values, columns, "industry_code").upper()
    name = _cell(values, columns, "industry_name")
    row.industry_text = " ".join(t for t in (code, name) if t)
    where = "industry_name" if name and not code else "industry_code"
    if code and len(code) == 3 and code.isdigit() and "0" + code in codes_2017():
        code = "0" + code  # Excel dropped the leading zero
    try:
        if code and code in codes_2017():
            message, is_error = name_mismatch(code, name)
            if is_error:  # the register is coded in GB/T 4754-2011: map the old class
                row.industry, row.industry_note = _from_2011(code)
            else:
                row.industry = code
        elif code and code in concordance.codes_2011():
            row.industry, row.industry_note = _from_2011(code)
        elif code:
            row.industry = reference.industry_by_code(code, numeric=code.isdigit())  # raises: not a code
        elif name:
            row.industry, row.industry_note = reference.industry_by_name(name)
        else:
            raise CellError("行业代码和行业名称均为空")
    except CellError as exc:
        row.industry = ""
        row.problems.append(problem(where, str(exc)))


def _from_2011(code: str) -> tuple[str, str]:
    """A GB/T 4754-2011 class mapped when the concordance names one 2017 class; else CellError."""
    mapping = concordance.concordance().get(code)
    if mapping is not None and mapping.unique:
        return mapping.targets[0], (f"按GB/T 4754-2011“{mapping.name_2011}”（{code}）对应到2017版"
                                    f"{concordance.describe(mapping.targets)}")
    old = concordance.codes_2011().get(code)
    targets = f"，对应2017版：{concordance.describe(mapping.targets)}" if mapping and mapping.targets else ""
    label = old.name if old else code
    raise CellError(f"GB/T 4754-2011“{label}”（{code}）不能唯一对应到2017版小类{targets}，请人工核定")


def _county(row: RegisterRow, values, columns, counties: Counties, problem) -> None:
    code = _cell(values, columns, "county_code")
    name = _cell(values, columns, "county_name")
    row.county_text = " ".join(t for t in (code, name) if t)
    try:
        if code:
            try:
                row.county, row.county_note = counties.by_code(code)
                return
            except CellError:
                if not name:
                    raise
        if name:
            row.county, row.county_note = counties.by_text(name)
            if code:
                row.county_note = (f"区划代码“{code}”不是GB/T 2260县级区划，按所在区县" +
                                   (f"：{row.county_note}" if row.county_note else f"“{name}”对应"))
            return
        raise CellError("区划代码和所在区县均为空")
    except CellError as exc:
        row.county = ""
        row.problems.append(problem("county_name" if name else "county_code", str(exc)))
