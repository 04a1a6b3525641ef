"""Writing the action log. Every business service calls `log_action` inside its own transaction,
so a failed log write rolls the business change back with it."""

import contextvars
import uuid

from django.db import transaction

from . import clock
from .actors import actor_fields
from .chain import GENESIS, entry_digest, jsonable
from .models import ActionLog, LogHead

# Entries written while handling one request or one command share a group id and the client's IP.
_request_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "cpaudit_log_ctx", default=None)


def set_request_context(*, ip: str = "", group: uuid.UUID | None = None):
    return _request_context.set({"ip": ip, "group": group or uuid.uuid4()})


def reset_request_context(token) -> None:
    _request_context.reset(token)


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = jsonable(before.get(key)), jsonable(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes


def snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


def _lock_head() -> LogHead:
    head = LogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = ActionLog.objects.order_by("-seq").first()
        head = LogHead.objects.create(pk=1, seq=last.seq if last else 0,
                                      digest=last.digest if last else GENESIS)
        head = LogHead.objects.select_for_update().get(pk=1)
    return head


def log_action(*, actor, action: str, obj=None, object_type: str = "", object_id="", object_repr: str = "",
               changes: dict | None = None, data: dict | None = None) -> ActionLog:
    """Append one entry to the chain. Must run inside the business action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction a failed log write could no longer undo the business change.
        raise RuntimeError("log_action must run inside the business action's transaction.atomic()")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    ctx = _request_context.get() or {}
    with transaction.atomic():
        head = _lock_head()
        entry = ActionLog(
            seq=head.seq + 1,
            time=clock.server_now(),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=object_repr[:300],
            changes=jsonable(changes or {}),
            data=jsonable(data or {}),
            group=ctx.get("group") or uuid.uuid4(),
            ip=ctx.get("ip", ""),
            prev_digest=head.digest,
            **actor_fields(actor),
        )
        entry.digest = entry_digest(entry)
        entry.save(force_insert=True)
        head.seq, head.digest = entry.seq, entry.digest
        head.save(update_fields=["seq", "digest"])
    return entry
