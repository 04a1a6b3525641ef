"""The applications list (评估验收 › 全部申请, same filters and order, every page) as .xlsx.

Rows come from the list's own queryset (selectors.applications: one streamed select with the
enterprise, county, campaign and organizer joined), written by progress.exports.workbook_bytes, which
also neutralizes text a spreadsheet would run as a formula. The view records the export in the security
log (an export is a read: nothing goes to the action log)."""

from collections.abc import Iterator

from django.utils import timezone

from cpaudit.org import access
from cpaudit.progress.exports import EnrolmentProgressExporter, workbook_bytes
from cpaudit.registry.excel.columns import LEVEL_LABELS, bool_label

from .selectors import is_late

SHEET_TITLE = "评估验收申请"
CHUNK = 2000


class ApplicationExporter:
    """One list of cell values per application, in `columns` order."""

    columns = [  # (header, width)
        ("企业名称", 36), ("统一社会信用代码", 22), ("所在县（市、区）", 14), ("管理级别", 9), ("类型", 8),
        ("审核批次", 40), ("状态", 16), ("组织单位", 30), ("提交时间", 19), ("结论日期", 12), ("逾期", 7),
    ]
    clean = staticmethod(EnrolmentProgressExporter.clean)

    def __init__(self, today):
        self.today = today

    @property
    def headers(self) -> list[str]:
        return [header for header, _ in self.columns]

    def rows(self, queryset) -> Iterator[list]:
        for application in queryset.iterator(chunk_size=CHUNK):
            yield self.row(application)

    def row(self, application) -> list:
        enterprise = application.enrolment.enterprise
        submitted = application.submitted_at
        values = [
            enterprise.name, enterprise.uscc, enterprise.county.name,
            LEVEL_LABELS.get(enterprise.management_level, enterprise.management_level),
            application.get_kind_display(), application.campaign.name, application.status_label,
            f"{application.organizer.name}（{application.get_organizer_level_display()}）"
            if application.organizer else "",
            timezone.localtime(submitted).replace(tzinfo=None) if submitted else None,
            application.result_date, bool_label(is_late(application, self.today)),
        ]
        return [self.clean(v) for v in values]


def export_applications(*, actor, queryset, today) -> tuple[bytes, int]:
    """Check the right and write the file: (its bytes, the number of rows)."""
    access.check(actor, "applications.application.view")
    return workbook_bytes(queryset, ApplicationExporter(today), title=SHEET_TITLE)
