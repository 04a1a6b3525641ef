"""Work done after a business transaction commits must never turn its success into an error page.

Issuing a document, submitting a report or freezing an application form commits first, then writes a
checkpoint of the log head to a file. If that file cannot be written (a full disk, a read-only mount),
the action has nevertheless happened: the user must see the success, the operator the failure, and
the work must be done later. So after-commit work runs through `run_safely(name, fn)`:
- a failure is logged with its traceback and recorded as an open incident ("aftercommit:<name>") the
  status page shows (cpaudit.jobs.incidents; the worker's own app keeps the table);
- a name registered with `retryable(name, fn)` is retried by the worker with growing pauses until it
  works, which closes the incident. For a checkpoint the retry is simply a new checkpoint: a checkpoint
  at seq N vouches for every entry up to N, so one later line covers every one that failed.
"""

import logging
from collections.abc import Callable

from django.db import transaction

log = logging.getLogger(__name__)

RETRIES: dict[str, Callable[[], object]] = {}
TITLES: dict[str, str] = {}


def retryable(name: str, title: str, fn: Callable[[], object]) -> None:
    """`fn` redoes the work of `name` (without arguments: the retry cannot know the original call's)."""
    RETRIES[name] = fn
    TITLES[name] = title


def describe(exc: BaseException) -> str:
    """The exception as an operator reads it: its type and message (the traceback is in the log)."""
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:1000]


def run_safely(name: str, fn: Callable[[], object],
               passthrough: Callable[[BaseException], bool] | None = None) -> bool:
    """Run `fn`; on failure log it, record it for the operator (and for a retry) and return False.
    Never raises an Exception, but those `passthrough(exc)` says the caller handles (the worker: a
    database that is gone, which no record could reach, and which fails its whole turn anyway)."""
    try:
        fn()
    except Exception as exc:
        if passthrough is not None and passthrough(exc):
            raise
        log.exception("after-commit task %r failed: recorded for the operator%s", name,
                      ", the worker retries it" if name in RETRIES else "")
        from cpaudit.jobs.incidents import record  # the table lives with the worker, which retries

        record(f"aftercommit:{name}", TITLES.get(name, f"提交后的处理（{name}）未完成"), describe(exc),
               retry=name in RETRIES)
        return False
    return True


def on_commit_safely(name: str, fn: Callable[[], object]) -> None:
    """`run_safely(name, fn)` once the current transaction commits (nothing if it rolls back)."""
    transaction.on_commit(lambda: run_safely(name, fn))


def _checkpoint(reason: str):
    from .checkpoint import write_checkpoint

    return write_checkpoint(reason=reason)


def checkpoint_after_commit(*, reason: str) -> None:
    """Checkpoint the log head once the issuing transaction commits; a failure is recorded and retried."""
    on_commit_safely("checkpoint", lambda: _checkpoint(reason))


retryable("checkpoint", "操作日志检查点未能写入（将自动重试）", lambda: _checkpoint("retry"))
