"""The single place that reads the environment (tests/test_settings.py checks that no other module does).

Every variable read goes through `_read`, which also notes its name in `NAMES_READ`, so a test can
check that each variable docs/OPERATIONS.md promises to operators is really consulted.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

NAMES_READ: set[str] = set()


def _read(name: str) -> str | None:
    NAMES_READ.add(name)
    return os.environ.get(name)


def env_str(name: str, default: str | None = None) -> str | None:
    value = _read(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _read(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = _read(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，实际为“{value}”") from None


def env_path(name: str, default: Path) -> Path:
    value = _read(name)
    return Path(value) if value else default


def env_required(name: str) -> str:
    value = _read(name)
    if not value:
        raise ImproperlyConfigured(f"环境变量 {name} 未设置")
    return value


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment with `extra` on top, for a tool the platform runs (pg_dump, pg_restore:
    libpq takes the password from PGPASSWORD, never from a command line others can read)."""
    return {**os.environ, **extra}
