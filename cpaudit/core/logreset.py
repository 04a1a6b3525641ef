"""The one documented way around the action log's append-only triggers: resetting a *test* database.

The triggers consult a switch that only this context manager turns on, and it refuses unless
settings.CPAUDIT_LOG_RESET_ALLOWED is True (the test settings; production forces False).
- SQLite: the trigger calls the SQL function cpaudit_log_reset_allowed(), registered by
  cpaudit.core.signals on every connection; it answers 1 only inside this context manager.
- PostgreSQL: the trigger reads the session setting cpaudit.log_reset, set here and reset after.
"""

import contextlib
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

_state = threading.local()


def reset_allowed_now() -> int:
    return 1 if (settings.CPAUDIT_LOG_RESET_ALLOWED and getattr(_state, "on", False)) else 0


@contextlib.contextmanager
def allow_log_reset(using: str = "default"):
    if not settings.CPAUDIT_LOG_RESET_ALLOWED:
        raise ImproperlyConfigured("操作日志只能追加：当前配置不允许清空或修改日志（仅测试环境可用）。")
    connection = connections[using]
    is_pg = connection.vendor == "postgresql"
    _state.on = True
    if is_pg:
        with connection.cursor() as cursor:
            cursor.execute("SET cpaudit.log_reset = 'on'")
    try:
        yield
    finally:
        _state.on = False
        if is_pg:
            with connection.cursor() as cursor:
                cursor.execute("RESET cpaudit.log_reset")
