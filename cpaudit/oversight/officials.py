"""The per-official record (个人履职记录) as an .xlsx workbook: one sheet of log entries (every decision,
return, reopening and override, in log order), one of the Decision rows the person signed (with the
version decided on). Exporting it is recorded in the security log (who exported whose record). Strings a spreadsheet would run as formulas get a
leading ' (registry.excel.columns.neutralize)."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from cpaudit.core import logdisplay
from cpaudit.core.errors import PermissionDenied
from cpaudit.integrity.supervision import supervises
from cpaudit.org import access
from cpaudit.registry.excel.columns import neutralize

from .selectors import official_record

# The label of the entries earlier versions wrote to the action log (exports now go to the security log).
logdisplay.register("oversight.official_record.exported", "导出个人履职记录")

LOG_COLUMNS = [("序号", 9), ("时间", 19), ("类别", 12), ("动作", 26), ("对象", 40), ("说明", 80)]
DECISION_COLUMNS = [("时间", 19), ("企业", 36), ("申请", 24), ("环节", 20), ("意见", 8), ("意见内容", 60),
                    ("所据版本", 8), ("单位", 30), ("据来文录入", 10), ("来文文号", 24)]


def require_supervisor(viewer, person) -> None:
    access.check(viewer, "oversight.official.view")
    if not supervises(viewer, person):
        raise PermissionDenied("只有审计管理员和其上级单位可以查看该人员的履职记录")


def _clean(value):
    if isinstance(value, str):
        return neutralize(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _sheet(wb_sheet, columns, rows):
    wb_sheet.append([header for header, _ in columns])
    for n, (_, width) in enumerate(columns, start=1):
        wb_sheet.column_dimensions[get_column_letter(n)].width = width
    for row in rows:
        wb_sheet.append([_clean(v) for v in row])


def record_workbook(viewer, person) -> bytes:
    rows, decisions = official_record(viewer, person)
    wb = Workbook()
    log_sheet = wb.active
    log_sheet.title = "操作记录"
    _sheet(log_sheet, LOG_COLUMNS, ([e.seq, _local(e.time), cat, logdisplay.action_label(e.action), e.object_repr,
                                     logdisplay.describe(e)] for e, cat in rows))
    _sheet(wb.create_sheet("审核意见"), DECISION_COLUMNS, (
        [_local(d.decided_at), d.application.enrolment.enterprise.name, str(d.application), d.get_step_display(),
         d.get_outcome_display(), d.opinion, d.version.number, str(d.agency), "是" if d.transcribed else "",
         d.source_number] for d in decisions))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def official_record_export(*, actor, person) -> bytes:
    """The workbook. The export is a read (a GET): the view notes whose record it was for the security
    log (security.events.note_read), nothing is written to the action log."""
    require_supervisor(actor, person)
    return record_workbook(actor, person)
