"""One data row of an import: its cells parsed and checked, its industry and county resolved.

Cell functions raise CellError with a message about that cell; the parser turns each into a RowError
with the row, the column letter and the header, and keeps going, so a file's every problem is found
in one pass. Notices (a name turned into a code, a coarse industry code) are collected beside them.
"""

import datetime as dt
import decimal
import re
import unicodedata
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from cpaudit.registry.industries import level_warning
from cpaudit.registry.models import Enterprise
from cpaudit.registry.uscc import normalize as normalize_uscc

from .columns import (
    COLUMN_BY_FIELD,
    COUNTY_HEADERS,
    FALSE_WORDS,
    INDUSTRY_HEADERS,
    LEVEL_BY_LABEL,
    LEVEL_LABELS,
    TRUE_WORDS,
    Column,
    Kind,
    unneutralize,
)
from .resolve import CellError as _CellError
from .resolve import Reference, looks_like_name, name_mismatch

MONEY_MAX = decimal.Decimal("1000000000000")  # max_digits 14, decimal_places 2
CENT = decimal.Decimal("0.01")
THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
POSTCODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it; 0 for a problem with the file as a whole
    column: str  # letter in the uploaded file; "" when the problem has no single column
    header: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        place = f"第{self.row}行"
        if self.column:
            place += f" {self.column}列"
        if self.header:
            place += f"（{self.header}）"
        return f"{place}：{self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "header": self.header, "message": self.message}


@dataclass
class Row:
    row: int
    values: dict = field(default_factory=dict)  # Enterprise attribute → cleaned value
    code: str = ""  # normalized USCC, not yet validated
    accepted: bool | None = None  # 已核对营业执照 from the file; None when the column is absent
    code_letter: str = ""
    accepted_ok: bool = True
    county_letter: str = ""  # where the county came from (code or name column), for error messages
    county_header: str = ""


# --------------------------------------------------------------------------- cell parsing

def raw_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.date().isoformat()
    return str(value)


def _text(value) -> str:
    return unneutralize(raw_text(value).strip())


def _text_cell(value, header: str, required: bool, limit: int | None) -> str:
    text = _text(value)
    if required and not text:
        raise _CellError(f"{header}不能为空")
    if limit and len(text) > limit:
        raise _CellError(f"不能超过{limit}个字符（实际{len(text)}个）")
    return text


def _uscc_cell(value) -> str:
    """The normalized code, checked later (the check depends on the stored enterprise)."""
    code = normalize_uscc(_halfwidth(value))
    if not code:
        raise _CellError("统一社会信用代码不能为空")
    return code


def _halfwidth(value) -> str:
    if isinstance(value, float) and not (value.is_integer() and abs(value) < 1e15):
        raise _CellError("代码被Excel存成了数字（如科学计数法），已无法还原；请将该列设为文本格式后重新填写")
    text = unicodedata.normalize("NFKC", raw_text(value))
    # A leading ' is how people force a code to stay text: never part of a code.
    return "".join(ch for ch in text if not ch.isspace()).lstrip("'").upper()


def _decimal(value) -> decimal.Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _CellError("应为数字（单位：万元）")
    from_float = isinstance(value, float)
    if isinstance(value, (int, float, decimal.Decimal)):
        number = decimal.Decimal(repr(value)) if from_float else decimal.Decimal(value)
    else:
        text = unicodedata.normalize("NFKC", str(value))
        text = "".join(ch for ch in text if not ch.isspace())
        if not text:
            return None
        if "," in text:
            if not THOUSANDS.match(text.lstrip("+-")):
                raise _CellError(f"“{value}”不是有效的数字（千位分隔符位置不对）")
            text = text.replace(",", "")
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise _CellError(f"“{str(value).strip()}”不是数字（单位：万元，只填数值）") from None
    if not number.is_finite():
        raise _CellError("应为数字（单位：万元）")
    if number < 0:
        raise _CellError(f"不能为负数（填写的是{number}）")
    rounded = number.quantize(CENT, rounding=decimal.ROUND_HALF_UP)
    if rounded != number and not (from_float and abs(rounded - number) < decimal.Decimal("1e-6")):
        raise _CellError(f"最多保留两位小数（填写的是{number}）")
    if rounded >= MONEY_MAX:
        raise _CellError("数值过大（单位为万元，不能超过999999999999.99）")
    return rounded


def _bool(value, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().upper()
    if not text:
        return default
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise _CellError(f"应填“是”或“否”，不能填“{str(value).strip()}”")


def _level(value, default: str) -> str:
    text = _text(value)
    if not text:
        return default
    if text in LEVEL_BY_LABEL:
        return LEVEL_BY_LABEL[text]
    if text in LEVEL_LABELS:
        return text
    raise _CellError(f"应填“省管”“市管”或“其他”，不能填“{text}”")


def _postcode(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        code = _halfwidth(value).zfill(6)  # Excel dropped the leading 0 of 071000
    else:
        code = _halfwidth(value)
    if code and not POSTCODE.match(code):
        raise _CellError(f"邮编应为6位数字，填写的是“{raw_text(value).strip()}”")
    return code


# --------------------------------------------------------------------------- rows

class Parser:
    """Turns one row of cell values into an Row. Each present column gets its handler once; the
    industry and the county, which may come from a code or a name column, are resolved last."""

    def __init__(self, reference: Reference, columns: list[tuple[int, Column]]):
        self.ref = reference
        self.letters = {col.header: get_column_letter(pos + 1) for pos, col in columns}
        self.positions = {col.kind: pos for pos, col in columns}
        self.code_letter = self.letters[COLUMN_BY_FIELD["uscc"].header]  # a required column
        max_length = {f.name: f.max_length for f in Enterprise._meta.concrete_fields
                      if getattr(f, "max_length", None)}
        self.handlers = []  # (position, letter, column, key in Row.values, function of the cell value)
        for pos, col in columns:
            if col.kind in (Kind.COUNTY, Kind.COUNTY_NAME, Kind.INDUSTRY, Kind.INDUSTRY_NAME):
                continue
            handler = {
                Kind.USCC: _uscc_cell,
                Kind.POSTCODE: _postcode,
                Kind.DECIMAL: _decimal,
                Kind.LEVEL: lambda v, d=col.default: _level(v, d),
                Kind.BOOL: lambda v, d=col.default: _bool(v, d),
                Kind.TEXT: lambda v, c=col: _text_cell(v, c.header, c.required, max_length.get(c.field)),
            }[col.kind]
            self.handlers.append((pos, get_column_letter(pos + 1), col, col.field, handler))

    def parse(self, row_no: int, values, errors: list[RowError], notices: list[RowError]) -> Row:
        row = Row(row_no)
        width = len(values)

        def cell(kind):
            pos = self.positions.get(kind)
            return values[pos] if pos is not None and pos < width else None

        out = row.values
        for pos, letter, col, key, handler in self.handlers:
            try:
                out[key] = handler(values[pos] if pos < width else None)
            except _CellError as exc:
                errors.append(RowError(row_no, letter, col.header, str(exc)))
                if key == "uscc_check_accepted":
                    out[key], row.accepted_ok = False, False
        row.code_letter = self.code_letter
        if "uscc" in out:
            row.code = out.pop("uscc")
        if "uscc_check_accepted" in out:
            row.accepted = out.pop("uscc_check_accepted")
        self._industry(row, cell, errors, notices)
        self._county(row, cell, errors, notices)
        return row

    def _at(self, row: Row, header: str, message: str) -> RowError:
        return RowError(row.row, self.letters.get(header, ""), header, message)

    def _industry(self, row: Row, cell, errors, notices) -> None:
        """The code column wins; a name (in the name column, or typed into the code column) is looked up
        in GB/T 4754-2017, then through the 2011 concordance. Coarser than a 小类: imported, with a notice."""
        code_header, name_header = INDUSTRY_HEADERS
        raw = cell(Kind.INDUSTRY)
        try:
            text = _halfwidth(raw)
        except _CellError as exc:
            errors.append(self._at(row, code_header, str(exc)))
            return
        header, name = code_header, (_text(raw) if looks_like_name(text) else "")
        if not text:
            name = _text(cell(Kind.INDUSTRY_NAME))
            header = name_header if name or code_header not in self.letters else code_header
        try:
            if name:
                code, notice = self.ref.industry_by_name(name)
            elif text:
                numeric = isinstance(raw, (int, float)) and not isinstance(raw, bool)
                code = self.ref.industry_by_code(text, numeric)
                notice, wrong = name_mismatch(code, _text(cell(Kind.INDUSTRY_NAME)))
                if wrong:
                    raise _CellError(notice)
            else:
                raise _CellError("所属行业代码不能为空：请填写GB/T 4754-2017的4位小类代码（如2221），"
                                 "或在“所属行业”列填写行业名称")
        except _CellError as exc:
            errors.append(self._at(row, header, str(exc)))
            return
        row.values["industry_id"] = code
        for message in (notice, level_warning(code)):
            if message:
                notices.append(self._at(row, header, message))

    def _county(self, row: Row, cell, errors, notices) -> None:
        """The code wins; only when it is empty is the county looked up by name (or zone alias)."""
        code_header, name_header = COUNTY_HEADERS
        code_letter, name_letter = self.letters.get(code_header), self.letters.get(name_header)
        raw = cell(Kind.COUNTY)
        try:
            code = _halfwidth(raw)
            if code and not looks_like_name(code):
                row.values["county_id"] = self.ref.county_by_code(code)
                row.county_letter, row.county_header = code_letter, code_header
                return
        except _CellError as exc:
            errors.append(RowError(row.row, code_letter, code_header, str(exc)))
            return
        if code:  # a name typed into the code column
            name, letter, header = _text(raw), code_letter, code_header
        else:
            name, letter, header = _text(cell(Kind.COUNTY_NAME)), name_letter, name_header
        if not name:
            hint = "：请填写6位县级行政区划代码，或在“所在县（市、区）”列填写县（市、区）名称"
            if code_letter:
                errors.append(RowError(row.row, code_letter, code_header, "所在县（市、区）代码不能为空" + hint))
            else:
                errors.append(RowError(row.row, name_letter, name_header, "所在县（市、区）不能为空" + hint))
            return
        try:
            row.values["county_id"], notice = self.ref.county_by_name(name)
            row.county_letter, row.county_header = letter, header
        except _CellError as exc:
            errors.append(RowError(row.row, letter, header, str(exc)))
            return
        if notice:
            notices.append(RowError(row.row, letter, header, notice))
