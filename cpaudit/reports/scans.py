"""The sealed copy of a submitted report (the paper that was stamped and faxed or sent), uploaded as a
scan — PDF or image, checked by content like evidence (core.storedfiles) — onto the version it is a
copy of, by the reporting unit's own people (a branch for its report, the city for its consolidation).

One scan per version: a second upload replaces it on the row (a wrong file happens), and the log
keeps every digest with the one it replaced. Stored files are never removed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock, storedfiles
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.org import access

from .deadlines import SUBMITTED_STATES
from .models import MonthlyReport, ReportVersion

register("reports.report.scan_uploaded", "上传月度进度报告盖章扫描件")

SCAN_KINDS = (storedfiles.FileKind.PDF, storedfiles.FileKind.IMAGE)


def scan_upload(*, actor, report: MonthlyReport, uploaded_file) -> ReportVersion:
    """Attach the scan of the sealed copy to the report's latest (submitted) version.

    The file is spooled, hashed and typed before the transaction (no row locked during file I/O)."""
    access.check(actor, "reports.scan.upload", report)
    if getattr(actor, "pk", None) is None:
        raise InvalidState("盖章扫描件须由报送单位的人员上传", code="no_uploader")
    spooled = storedfiles.receive(uploaded_file, kinds=SCAN_KINDS)
    try:
        return _attach(actor, report, spooled)
    finally:
        spooled.path.unlink(missing_ok=True)  # moved into the store on success


@transaction.atomic
def _attach(actor, report: MonthlyReport, spooled: storedfiles.Spooled) -> ReportVersion:
    report = MonthlyReport.objects.select_for_update(of=("self",)).select_related("agency").get(pk=report.pk)
    if actor.agency_id != report.agency_id:
        raise InvalidState(f"只有{report.agency}的人员可以上传本单位报告的盖章扫描件", code="not_own")
    if report.status not in SUBMITTED_STATES:
        raise InvalidState(f"报告{report.get_status_display()}：盖章扫描件只能在报送后上传，且对应所报送的版本",
                           code="not_submitted")
    version = ReportVersion.objects.select_for_update().filter(report=report).order_by("-number").first()
    if version is None:
        raise InvalidState("报告没有已报送的版本", code="not_submitted")
    if version.scan_digest == spooled.digest:
        raise ValidationError({"file": f"第{version.number}版已上传内容相同的扫描件「{version.scan_name}」，无需重复上传"})
    previous = version.scan_digest
    version.scan_digest, version.scan_name, version.scan_size = spooled.digest, spooled.name, spooled.size
    version.scan_content_type = spooled.content_type
    version.scan_uploaded_by, version.scan_uploaded_at = actor, clock.business_now()
    version.save(update_fields=["scan_digest", "scan_name", "scan_size", "scan_content_type", "scan_uploaded_by",
                                "scan_uploaded_at"])
    log_action(actor=actor, action="reports.report.scan_uploaded", obj=report, data={
        "version": version.number, "digest": spooled.digest, "name": spooled.name, "size": spooled.size,
        "kind": spooled.kind, "replaces": previous or None,
    })
    # Last: a stored file is never removed, so store only what is kept.
    storedfiles.store(spooled.path, spooled.digest)
    return version


def scan_open(*, actor, version: ReportVersion):
    """An open handle on a version's scan for a user who may see the report (the caller closes it)."""
    access.check(actor, "reports.report.view", version.report)
    if not version.scan_digest:
        raise InvalidState(f"第{version.number}版没有上传盖章扫描件", code="no_scan")
    return storedfiles.open_stored(version.scan_digest, "盖章扫描件")
