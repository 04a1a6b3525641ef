"""The downloadable import template: the data sheet with the header row, and a sheet "填写说明"."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .columns import COLUMNS, HELP_SHEET_TITLE, LEVEL_BY_LABEL, NO, SHEET_TITLE, YES, Kind

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C00000")
# Data validation and text format reach this many rows; the importer itself has no such limit.
TEMPLATE_ROWS = 50001

GENERAL_NOTES = [
    "1. 第1行为表头，请勿修改表头文字和顺序；从第2行起每行填写一家企业，空行自动跳过。",
    "2. 红色表头为必填列。所在县（市、区）可只填代码或只填名称，两者都填时以代码为准。",
    "3. 系统先校验全部行，任一单元格有错误时不导入任何数据，并列出每处错误所在的行、列；改正后重新上传即可。",
    "4. 按统一社会信用代码匹配：代码已登记的企业按本表更新，未登记的新增；内容未变化的企业不作修改。"
    "重复导入同一文件不会产生任何变化。",
    "5. 只能导入、更新您辖区内的企业。",
    "6. 代码类列（统一社会信用代码、区划代码、邮编、行业代码）请保持文本格式；全角字符会自动转为半角。",
    "7. 以 = + - @ 开头的文字，导出时会在前面加英文单引号 ' 防止被当作公式，导入时自动去掉。",
]


def build_template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        if column.is_code:
            ws.column_dimensions[letter].number_format = "@"
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    _add_validations(ws)
    _help_sheet(wb.create_sheet(HELP_SHEET_TITLE))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _add_validations(ws) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        if column.kind == Kind.LEVEL:
            options = ",".join(LEVEL_BY_LABEL)
        elif column.kind == Kind.BOOL:
            options = f"{YES},{NO}"
        else:
            continue
        letter = get_column_letter(index)
        validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True,
                                    showErrorMessage=True, errorTitle="取值无效",
                                    error=f"{column.header}只能填：{options.replace(',', '、')}")
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
        ws.add_data_validation(validation)


def _help_sheet(ws) -> None:
    ws.append(["企业名录导入填写说明"])
    ws["A1"].font = Font(bold=True, size=14)
    for note in GENERAL_NOTES:
        ws.append([note])
    ws.append([])
    header_row = ws.max_row + 1
    ws.append(["列", "表头", "是否必填", "说明及允许的取值"])
    for cell in ws[header_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for index, column in enumerate(COLUMNS, start=1):
        if column.kind == Kind.COUNTY:
            required = "是（或填名称）"
        elif column.kind == Kind.COUNTY_NAME:
            required = "否（代码为空时必填）"
        else:
            required = "是" if column.required else "否"
        ws.append([get_column_letter(index), column.header, required, column.help])
    for row in ws.iter_rows(min_row=header_row + 1):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 18
    ws.column_dimensions["D"].width = 90
