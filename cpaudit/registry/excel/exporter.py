"""Exporting the enterprise registry to .xlsx (openpyxl write-only mode), in the template's columns
so that an exported file re-imports unchanged.

Strings a spreadsheet would run as formulas (starting with = + - @, tab or CR) are written with a
leading ' ; the importer removes it again.

The workbook appears under its name only once the export is logged: it is written to a temporary
file beside it and moved into place inside the log entry's transaction, and removed if anything fails.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from cpaudit.core.log import log_action
from cpaudit.org import access
from cpaudit.registry.models import Enterprise

from .columns import COLUMNS, HEADERS, LEVEL_LABELS, SHEET_TITLE, Kind, bool_label, neutralize
from .files import sm3_file
from .template import HEADER_FILL, HEADER_FONT

CHUNK = 2000
PROGRESS_EVERY = 1000


class EnterpriseExporter:
    """One list of cell values per enterprise, in COLUMNS order."""

    headers = HEADERS

    def rows(self, queryset: QuerySet) -> Iterator[list]:
        for enterprise in queryset.select_related("county", "industry").iterator(chunk_size=CHUNK):
            yield self.row(enterprise)

    def row(self, enterprise: Enterprise) -> list:
        return [self.cell(enterprise, column) for column in COLUMNS]

    def cell(self, enterprise: Enterprise, column):
        if column.kind == Kind.COUNTY_NAME:
            value = enterprise.county.name
        elif column.kind == Kind.INDUSTRY_NAME:
            value = enterprise.industry.name
        else:
            value = getattr(enterprise, column.field)
            if column.kind == Kind.BOOL:
                value = bool_label(value)
            elif column.kind == Kind.LEVEL:
                value = LEVEL_LABELS.get(value, value)
        if isinstance(value, str):
            # openpyxl refuses control characters other than tab, CR and LF.
            value = neutralize(ILLEGAL_CHARACTERS_RE.sub("", value))
        return value


def export_enterprises(*, actor, path, queryset: QuerySet | None = None,
                       progress: Callable[[int, int], None] | None = None) -> int:
    """Write the enterprises the actor may see (of `queryset`, default all) to `path`; the number of rows.

    A fixed number of queries whatever the size: a count, then one streamed select."""
    access.check(actor, "registry.enterprise.export")
    queryset = access.scope(actor, queryset if queryset is not None else Enterprise.objects.all())
    report = progress or (lambda done, total: None)
    total = queryset.count()
    report(0, total)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    for index, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    # Declare the size as Excel does (<dimension ref="A1:T50001"/>). Without it openpyxl's read-only
    # loader parses the whole sheet once just to find the size: ~15% of re-importing the export.
    # Advisory only: the importer reads what is there whatever the tag says.
    ws.calculate_dimension = lambda: f"A1:{get_column_letter(len(COLUMNS))}{total + 1}"
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    ws.append(header)
    written = 0
    for row in EnterpriseExporter().rows(queryset):
        ws.append(row)
        written += 1
        if written % PROGRESS_EVERY == 0:
            report(written, max(total, written))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Same directory, so the move is one rename; a leading dot keeps it out of a casual listing.
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.part")
    moved = False
    try:
        wb.save(partial)
        digest = sm3_file(partial)
        # Only the log entry runs in the transaction: holding one through the streamed read would keep
        # SQLite's write lock (BEGIN IMMEDIATE) for the whole export.
        with transaction.atomic():
            log_action(actor=actor, action="registry.export.completed", object_type="registry.enterprise",
                       object_repr=f"企业名录导出：{written} 家", data={"rows": written, "sm3": digest})
            os.replace(partial, path)
            moved = True
    except BaseException:
        partial.unlink(missing_ok=True)
        if moved:  # the commit failed after the move: the file would stand without its log entry
            path.unlink(missing_ok=True)
        raise
    report(written, written)
    return written
