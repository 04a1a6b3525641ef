"""Incidents: failures an operator must see (models.Incident), recorded from wherever they happen —
an after-commit task (core.aftercommit), a request refused because storage failed (core.storage), a
worker that cannot work (jobs.worker) — and shown on the status page (views_status).

Recording never raises: the database itself may be what failed, and the caller is already handling a
failure. Opening and closing an incident is written to the action log, in a transaction of its own
(log_action refuses to run outside one); when even that is impossible the Python log has it.
"""

import datetime as dt
import logging

from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.actors import SystemActor
from cpaudit.core.aftercommit import RETRIES, describe
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action
from cpaudit.org import access

from .models import Incident

log = logging.getLogger(__name__)
MONITOR = SystemActor("运行监控")
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600


def retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** attempts, MAX_RETRY_SECONDS))


def record(key: str, title: str, message: str, *, retry: bool = False) -> Incident | None:
    """Open the incident `key`, or count one more occurrence of the open one. None when it could not
    be recorded (the cause is then only in the Python log)."""
    try:
        with transaction.atomic():
            now = clock.server_now()
            incident = Incident.objects.select_for_update().filter(key=key, resolved_at__isnull=True).first()
            if incident is not None:
                incident.count += 1
                incident.last_at, incident.message = now, message[:4000]
                incident.save(update_fields=["count", "last_at", "message"])
                return incident
            incident = Incident.objects.create(
                key=key, title=title[:200], message=message[:4000], first_at=now, last_at=now,
                retry_at=now + retry_delay(0) if retry else None)
            log_action(actor=MONITOR, action="jobs.incident.opened", obj=incident,
                       data={"key": key, "title": incident.title, "message": incident.message[:500]})
            return incident
    except Exception:
        log.exception("could not record incident %s (%s): %s", key, title, message)
        return None


def resolve(key: str, resolution: str) -> int:
    """Close the open incident `key` (the failure is over); the number closed. Never raises."""
    try:
        with transaction.atomic():
            open_ = list(Incident.objects.select_for_update().filter(key=key, resolved_at__isnull=True))
            for incident in open_:
                _close(incident, MONITOR, resolution)
            return len(open_)
    except Exception:
        log.exception("could not close incident %s", key)
        return 0


def _close(incident: Incident, actor, resolution: str) -> None:
    incident.resolved_at, incident.resolution = clock.server_now(), resolution[:300]
    incident.resolved_by = None if getattr(actor, "is_system", False) else actor
    incident.retry_at = None
    incident.save(update_fields=["resolved_at", "resolution", "resolved_by", "retry_at"])
    log_action(actor=actor, action="jobs.incident.resolved", obj=incident,
               data={"key": incident.key, "count": incident.count, "resolution": incident.resolution})


@transaction.atomic
def incident_resolve(*, actor, incident: Incident, resolution: str = "") -> Incident:
    """An administrator marks an incident dealt with (the cause was fixed). A retried one closes itself
    when its retry works; closing it by hand stops the retries."""
    access.check(actor, "jobs.incident.resolve")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.resolved_at is not None:
        raise InvalidState("该故障已处理完毕", code="already_resolved")
    _close(incident, actor, (resolution or "").strip() or "已由管理员处理")
    return incident


def retry_due(now: dt.datetime | None = None) -> list[tuple[str, bool]]:
    """Retry every after-commit task whose incident is due; (name, worked) for each tried. A failing
    retry waits twice as long as the last time (up to an hour)."""
    now = now or clock.server_now()
    due = (Incident.objects.filter(resolved_at__isnull=True, retry_at__lte=now, key__startswith="aftercommit:")
           .order_by("retry_at"))
    tried = []
    for incident in due:
        name = incident.key.split(":", 1)[1]
        fn = RETRIES.get(name)
        if fn is None:
            continue
        try:
            fn()
        except Exception as exc:
            log.warning("retry of %s failed again: %s", name, exc)
            attempts = incident.attempts + 1
            Incident.objects.filter(pk=incident.pk).update(
                attempts=attempts, retry_at=now + retry_delay(attempts), last_at=now, message=describe(exc))
            tried.append((name, False))
        else:
            resolve(incident.key, f"第 {incident.attempts + 1} 次自动重试成功")
            tried.append((name, True))
    return tried

