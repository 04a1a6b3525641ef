"""Helpers for the Excel import/export tests (no tests here): writing and reading workbooks."""

import csv
from pathlib import Path

from openpyxl import Workbook, load_workbook
from stdnum.cn.uscc import calc_check_digit

from tests.factories import make_uscc

# Spelled out here, not imported, so that a changed header in the code fails the tests.
TEMPLATE_HEADERS = [
    "企业名称", "统一社会信用代码", "所在县（市、区）代码", "所在县（市、区）", "企业所在地/地址", "邮编",
    "法定代表人", "联系人", "联系电话", "企业性质", "所属行业代码", "所属行业", "注册资本（万元）",
    "主营业务收入（万元）", "年产值（万元）", "年销售额（万元）", "主要产品", "管理级别", "涉水企业",
    "已核对营业执照",
]
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "uscc_samples.csv"


def sample_codes() -> list[dict]:
    with SAMPLES.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def with_check(body17: str) -> str:
    return body17 + calc_check_digit(body17)


def valid_row(**overrides) -> dict:
    """A complete, valid row for 竞秀区 (the branch staff's county), keyed by header."""
    row = {
        "企业名称": "保定导入测试纸业有限公司",
        "统一社会信用代码": make_uscc(prefix="91130602"),
        "所在县（市、区）代码": "130602",
        "所在县（市、区）": "竞秀区",
        "企业所在地/地址": "保定市竞秀区测试路1号",
        "邮编": "071000",
        "法定代表人": "李四",
        "联系人": "王五",
        "联系电话": "0312-1234567",
        "企业性质": "有限责任公司",
        "所属行业代码": "2221",
        "所属行业": "机制纸及纸板制造",
        "注册资本（万元）": 500,
        "主营业务收入（万元）": "1,234.50",
        "年产值（万元）": 1500.25,
        "年销售额（万元）": "１２００",
        "主要产品": "瓦楞原纸",
        "管理级别": "市管",
        "涉水企业": "是",
        "已核对营业执照": "否",
    }
    row.update(overrides)
    return row


def write_xlsx(path: Path, rows: list, headers: list | None = None, *, title_rows: list | None = None,
               sheet_title: str = "企业名录") -> Path:
    """rows: dicts keyed by header (missing keys → empty cell) or plain lists."""
    headers = TEMPLATE_HEADERS if headers is None else headers
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    for title in title_rows or []:
        ws.append(title)
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers] if isinstance(row, dict) else row)
    wb.save(path)
    return path


def read_xlsx(path: Path, sheet: str | None = None) -> list[list]:
    wb = load_workbook(path, read_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows
