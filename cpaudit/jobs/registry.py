"""Job kinds: each app registers the function that runs its kind of job."""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}
LABELS: dict[str, str] = {}


def job_handler(kind: str, label: str):
    def decorator(func):
        HANDLERS[kind] = func
        LABELS[kind] = label
        return func

    return decorator
