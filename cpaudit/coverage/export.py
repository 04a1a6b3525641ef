"""The comparison as an .xlsx workbook: a summary sheet, then one sheet per list (compare.Result)."""

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cpaudit.registry.excel.columns import neutralize
from cpaudit.registry.excel.template import HEADER_FILL, HEADER_FONT

HEADERS = ["序号", "企业名称", "统一社会信用代码", "所在县（市、区）代码", "所在县（市、区）", "行业代码", "来源", "匹配方式",
           "情况", "备注"]
WIDTHS = [6, 36, 22, 12, 14, 10, 24, 12, 40, 50]


def _text(value):
    if isinstance(value, str):
        return neutralize(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _header(ws, headers, widths):
    ws.append(headers)
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for index, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.freeze_panes = "A2"


def write_workbook(path, coverage, *, register_name: str = "") -> None:
    campaign, result, names = coverage.campaign, coverage.result, coverage.counties
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    _header(summary, ["项目", "数量"], [30, 12])
    summary.append(["审核批次", _text(campaign.name)])
    summary.append(["对照名录", _text(register_name or "平台企业名录")])
    for _key, label, items in result.sections():
        summary.append([label, len(items)])
    if result.register_rows:
        summary.append(["外部名录行数", result.register_rows])
        summary.append(["外部名录中不在范围内的行", result.register_out_of_scope])
    for _key, label, items in result.sections():
        ws = wb.create_sheet(label.replace("（另列）", "")[:31])
        _header(ws, HEADERS, WIDTHS)
        for number, item in enumerate(items, start=1):
            ws.append([_text(v) for v in (number, item.name, item.uscc, item.county, names.get(item.county, ""),
                                          item.industry, item.source, item.match, item.detail,
                                          "；".join(item.notes))])
    wb.save(path)
