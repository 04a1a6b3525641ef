"""The audit administrator's check of the action log from the log page: walk the SM3 chain (as
`cpaudit verify-log`), compare its end with the head row, and record that the check was made."""

from django.db import transaction

from cpaudit.org import access

from .chain import ChainReport, verify_entries
from .log import log_action
from .models import ActionLog, LogHead


def log_verify(*, actor) -> ChainReport:
    """校验日志链: the chain entry by entry, then its end against LogHead (a cut tail shows there)."""
    access.check(actor, "core.log.view")
    report = verify_entries(ActionLog.objects.order_by("seq").iterator(chunk_size=2000))
    head = LogHead.objects.filter(pk=1).first()
    if report.ok and head is not None and (head.seq, head.digest) != (report.head_seq, report.head_digest):
        report.ok = False
        report.problem = f"日志链末尾为第 {report.head_seq} 条，与链头记录（第 {head.seq} 条）不符（日志被截断或改写）"
    with transaction.atomic():
        log_action(actor=actor, action="core.log.verified", object_type="core.actionlog",
                   data={"ok": report.ok, "checked": report.checked, "problem": report.problem})
    return report
