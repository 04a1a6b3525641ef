"""Exporting the progress list of a campaign (the enrolment list page, same filters) to .xlsx.

openpyxl write-only mode, built in memory (a campaign lists hundreds of enterprises, not hundreds of
thousands). A fixed number of queries: the rows come from one streamed select of the annotated
enrolments (cpaudit.progress.selectors.dashboards.enrolment_list). Strings a spreadsheet would run as
formulas (starting with = + - @, tab or CR) get a leading ' (registry.excel.columns.neutralize).
"""

import io
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from cpaudit.core.logdisplay import register
from cpaudit.org import access
from cpaudit.registry.excel.columns import LEVEL_LABELS, bool_label, neutralize
from cpaudit.registry.excel.template import HEADER_FILL, HEADER_FONT

from . import industry_groups
from .selectors.dashboards import TOTAL_STEPS
from .steps import stage_name

SHEET_TITLE = "审核进展"
CHUNK = 2000
EXPORT_ACTION = "progress.enrolments.exported"
FLAGS_EXPORT_ACTION = "progress.consistency.exported"

# Labels of the entries earlier versions wrote to the action log (exports now go to the security log).
register(EXPORT_ACTION, "导出审核进展企业清单",
         detail=lambda entry: f"{(entry.data or {}).get('rows', 0)} 家" if entry.data else "")
register(FLAGS_EXPORT_ACTION, "导出数据一致性提示清单",
         detail=lambda entry: f"{(entry.data or {}).get('rows', 0)} 条" if entry.data else "")


def stage_label(stage: int) -> str:
    return f"第{stage}阶段 {stage_name(stage)}" if stage else "未开始"


class EnrolmentProgressExporter:
    """One list of cell values per annotated enrolment, in `columns` order."""

    columns = [  # (header, width)
        ("企业名称", 36), ("统一社会信用代码", 22), ("所在县（市、区）", 14), ("行业代码", 9), ("行业名称", 26),
        ("六行业", 8), ("管理级别", 9), ("企业类型", 18), ("开展审核方式", 12), ("咨询机构", 30), ("开始审核时间", 13),
        ("已实施到阶段", 22), (f"已完成步骤（共{TOTAL_STEPS}步）", 18), ("最近进展时间", 19), ("停滞", 7),
        ("未按时间节点", 12),
    ]

    @property
    def headers(self) -> list[str]:
        return [header for header, _ in self.columns]

    def rows(self, queryset: QuerySet) -> Iterator[list]:
        for enrolment in queryset.iterator(chunk_size=CHUNK):
            yield self.row(enrolment)

    def row(self, enrolment) -> list:
        enterprise = enrolment.enterprise
        moved = enrolment.last_moved
        values = [
            enterprise.name, enterprise.uscc, enterprise.county.name, enterprise.industry_id, enterprise.industry.name,
            enrolment.industry_group or industry_groups.OTHER, LEVEL_LABELS.get(enterprise.management_level, enterprise.management_level),
            enrolment.get_enterprise_type_display(), enrolment.get_mode_display(),
            enrolment.consulting_agency.name if enrolment.consulting_agency else "",
            enrolment.start_date, stage_label(enrolment.reached_stage), enrolment.completed_steps,
            timezone.localtime(moved).replace(tzinfo=None) if moved else None,
            bool_label(enrolment.is_stale), bool_label(enrolment.is_behind),
        ]
        return [self.clean(v) for v in values]

    @staticmethod
    def clean(value):
        if isinstance(value, str):
            # openpyxl refuses control characters other than tab, CR and LF.
            return neutralize(ILLEGAL_CHARACTERS_RE.sub("", value))
        return value


def workbook_bytes(queryset, exporter: EnrolmentProgressExporter | None = None,
                   title: str = SHEET_TITLE) -> tuple[bytes, int]:
    """The .xlsx file of the exporter's rows of `queryset` (anything its `rows` takes), and their number."""
    exporter = exporter or EnrolmentProgressExporter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for index, (_, width) in enumerate(exporter.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    header = []
    for text in exporter.headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    ws.append(header)
    written = 0
    for row in exporter.rows(queryset):
        ws.append(row)
        written += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), written


def export_note(campaign, written: int, filters: dict) -> dict:
    """What the security log records of an export (security.events.note_read): which campaign, which
    filters, how many rows. An export is a read (a GET): it writes nothing to the action log."""
    return {"campaign": campaign.slug, "rows": written,
            "filters": {k: str(v) for k, v in filters.items() if v not in (None, "", False)}}


def export_enrolments(*, actor, campaign, queryset: QuerySet, filters: dict) -> tuple[bytes, int]:
    """Check the right and write the file; the view notes the export for the security log (export_note)."""
    access.check(actor, "progress.export")
    return workbook_bytes(queryset)


def export_flags(*, actor, campaign, rows, filters: dict, exporter) -> tuple[bytes, int]:
    """The consistency flags of a campaign (selectors.consistency.campaign_flags), one row per flag."""
    access.check(actor, "progress.export")
    return workbook_bytes(rows, exporter, title="数据一致性提示")
