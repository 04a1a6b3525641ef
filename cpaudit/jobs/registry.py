"""Job kinds: each app registers the function that runs its kind of job.

`idempotent`: running the job again after its worker died mid-way gives the same outcome as running it
once (the registry import: all or nothing, in one transaction). Such a job is run again when its worker
stops; any other is failed with a message saying so (jobs/recovery.py).
`on_end(job)`: called once the job is done or failed for good (never when it is queued again), to
remove what it no longer needs (the uploaded file of an import, the file of a failed export).
"""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}
LABELS: dict[str, str] = {}
IDEMPOTENT: set[str] = set()
ON_END: dict[str, Callable] = {}


def job_handler(kind: str, label: str, *, idempotent: bool = False, on_end: Callable | None = None):
    def decorator(func):
        HANDLERS[kind] = func
        LABELS[kind] = label
        if idempotent:
            IDEMPOTENT.add(kind)
        if on_end is not None:
            ON_END[kind] = on_end
        return func

    return decorator
