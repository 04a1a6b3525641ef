"""The columns of the enterprise registry workbook: one definition used by the template, the
importer and the exporter, so an exported file re-imports unchanged.

Header text is exactly the template's. Names-only columns (所在县（市、区）, 所属行业) are informative:
the exporter fills them, the importer uses them only when the code beside them is empty (a county
name or zone alias; a GB/T 4754-2017 or -2011 industry name).
"""

import unicodedata
from dataclasses import dataclass

from cpaudit.registry.models import ManagementLevel

SHEET_TITLE = "企业名录"
HELP_SHEET_TITLE = "填写说明"


class Kind:
    TEXT = "text"
    USCC = "uscc"
    COUNTY = "county"  # county code → county_id
    COUNTY_NAME = "county_name"  # informative; resolves the county when the code is empty
    INDUSTRY = "industry"  # industry code → industry_id
    INDUSTRY_NAME = "industry_name"  # informative; resolves the industry when the code is empty
    POSTCODE = "postcode"
    DECIMAL = "decimal"
    LEVEL = "level"
    BOOL = "bool"


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None  # the Enterprise attribute set from this column; None for names-only columns
    kind: str
    required: bool = False
    width: int = 14
    help: str = ""
    default: object = None  # what an empty cell means for BOOL / LEVEL columns

    @property
    def informative(self) -> bool:
        return self.field is None

    @property
    def is_code(self) -> bool:
        """Cells that hold codes: stored as text in the template, full-width → half-width on import."""
        return self.kind in (Kind.USCC, Kind.COUNTY, Kind.INDUSTRY, Kind.POSTCODE)


YES, NO = "是", "否"
BOOL_HELP = "填“是”或“否”（也可填 1/0、Y/N、True/False）"

COLUMNS: tuple[Column, ...] = (
    Column("企业名称", "name", Kind.TEXT, required=True, width=36,
           help="营业执照上的企业全称，最多200字"),
    Column("统一社会信用代码", "uscc", Kind.USCC, required=True, width=22,
           help="18位，按GB 32100-2015校验（字符集不含 I、O、S、V、Z）；全角字符、空格、连字符自动去除。"
                "按此代码更新已有企业，不存在时新增。请保持该列为文本格式，避免Excel把数字代码变成科学计数法"),
    Column("所在县（市、区）代码", "county_id", Kind.COUNTY, required=True, width=12,
           help="6位县级行政区划代码，如 130602（竞秀区）；须在您的辖区内。填写代码时以代码为准"),
    Column("所在县（市、区）", None, Kind.COUNTY_NAME, width=14,
           help="县级行政区划名称，仅供核对；代码为空时按名称在您辖区内的县级行政区划中查找（须唯一），"
                "开发区、化工区等非行政区划名称按“区划别名”对应到所属县（区）"),
    Column("企业所在地/地址", "address", Kind.TEXT, required=True, width=40, help="最多300字"),
    Column("邮编", "postcode", Kind.POSTCODE, width=9, help="6位数字，可不填"),
    Column("法定代表人", "legal_representative", Kind.TEXT, required=True, width=12, help="最多50字"),
    Column("联系人", "contact_person", Kind.TEXT, width=12, help="可不填，最多50字"),
    Column("联系电话", "contact_phone", Kind.TEXT, width=16, help="可不填，最多50字"),
    Column("企业性质", "nature", Kind.TEXT, width=14, help="如 有限责任公司、股份有限公司、私营企业；可不填"),
    Column("所属行业代码", "industry_id", Kind.INDUSTRY, required=True, width=12,
           help="GB/T 4754-2017 国民经济行业代码，应填4位小类代码，如 2221（机制纸及纸板制造），"
                "审核范围按小类核定；填门类、大类或中类代码也可导入，但会提示补填。以0开头的代码请按文本填写"),
    Column("所属行业", None, Kind.INDUSTRY_NAME, width=24,
           help="行业名称，仅供核对；代码为空时按名称查找GB/T 4754-2017代码，"
                "GB/T 4754-2011名称按新旧对照提示对应的2017版代码"),
    Column("注册资本（万元）", "registered_capital", Kind.DECIMAL, width=14,
           help="单位万元，非负数，最多两位小数；可不填"),
    Column("主营业务收入（万元）", "main_business_revenue", Kind.DECIMAL, width=16,
           help="单位万元，非负数，最多两位小数；可不填"),
    Column("年产值（万元）", "annual_output_value", Kind.DECIMAL, width=14,
           help="单位万元，非负数，最多两位小数；可不填"),
    Column("年销售额（万元）", "annual_sales", Kind.DECIMAL, width=14,
           help="单位万元，非负数，最多两位小数；可不填"),
    Column("主要产品", "main_products", Kind.TEXT, width=30, help="可不填，最多500字"),
    Column("管理级别", "management_level", Kind.LEVEL, width=10, default=ManagementLevel.OTHER,
           help="填“省管”“市管”或“其他”；不填为“其他”"),
    Column("涉水企业", "water_related", Kind.BOOL, width=10, default=True, help=BOOL_HELP + "；不填为“是”"),
    Column("已核对营业执照", "uscc_check_accepted", Kind.BOOL, width=14, default=False,
           help=BOOL_HELP + "；不填为“否”。仅当代码除校验位外均正确、且已核对营业执照原件确认无误时填“是”，"
                            "此时校验位不符的代码也可导入"),
)

HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
COLUMN_BY_HEADER: dict[str, Column] = {c.header: c for c in COLUMNS}
COLUMN_BY_FIELD: dict[str, Column] = {c.field: c for c in COLUMNS if c.field}
# Columns a file may not lack. The county and the industry may come by code or by name: see importer.
REQUIRED_HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS
                                          if c.required and c.kind not in (Kind.COUNTY, Kind.INDUSTRY))
COUNTY_HEADERS = ("所在县（市、区）代码", "所在县（市、区）")
INDUSTRY_HEADERS = ("所属行业代码", "所属行业")
# Columns people add to government spreadsheets that carry nothing to import.
IGNORED_HEADERS = frozenset({"序号", "备注"})

LEVEL_LABELS: dict[str, str] = {value: label for value, label in ManagementLevel.choices}
LEVEL_BY_LABEL: dict[str, str] = {label: value for value, label in ManagementLevel.choices}

TRUE_WORDS = frozenset({"是", "1", "Y", "YES", "TRUE", "T"})
FALSE_WORDS = frozenset({"否", "0", "N", "NO", "FALSE", "F"})

# A string cell starting with one of these is a formula (or DDE) to a spreadsheet program.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def header_key(text) -> str:
    """How headers are matched: full-width → half-width, no whitespace, required-marks (*) dropped."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(ch for ch in text if not ch.isspace() and ch not in "*＊")


COLUMN_BY_HEADER_KEY: dict[str, Column] = {header_key(c.header): c for c in COLUMNS}


def neutralize(value):
    """A string a spreadsheet would run as a formula gets a leading ' (shown as text)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralize(text: str) -> str:
    """Undo `neutralize`: only a ' followed by a formula trigger is removed, so "'abc" stays."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def bool_label(value: bool) -> str:
    return YES if value else NO
