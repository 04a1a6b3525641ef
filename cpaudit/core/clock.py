"""The one clock. "Today" and "now" come from here, never from scattered calls.

Tests and the demo pin the date with settings.CPAUDIT_TODAY ("YYYY-MM-DD") or with `frozen(...)`.
Log entries take `server_now()`, which is never pinned: the log records real time.
"""

import contextlib
import datetime as dt
import threading

from django.conf import settings
from django.utils import timezone

_local = threading.local()


def server_now() -> dt.datetime:
    return timezone.now()


def business_now() -> dt.datetime:
    """Now, on the business day of `today()`: equal to server_now() unless the date is pinned. For the
    times business records carry (a submission, a draw), not for the log."""
    now = timezone.localtime(server_now())
    day = today()
    if now.date() == day:
        return now
    return timezone.make_aware(dt.datetime.combine(day, now.time().replace(tzinfo=None)))


def today() -> dt.date:
    pinned = getattr(_local, "today", None)
    if pinned is not None:
        return pinned
    if settings.CPAUDIT_TODAY:
        return dt.date.fromisoformat(settings.CPAUDIT_TODAY)
    return timezone.localdate(server_now())


@contextlib.contextmanager
def frozen(day: dt.date):
    previous = getattr(_local, "today", None)
    _local.today = day
    try:
        yield
    finally:
        _local.today = previous
