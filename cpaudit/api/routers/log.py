"""/log: the action log, read-only, for the audit administrator only, with the filters of the log
search page (core.forms_log.LogFilterForm: dates in Beijing time, actor, action code or prefix, object
type, object id or name). Entries are described in Chinese as on the page (core.logdisplay); each search
is a read of sensitive data in the security log, as the page's are."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema

from cpaudit.core import logdisplay
from cpaudit.core.forms_log import LogFilterForm
from cpaudit.core.models import ActionLog
from cpaudit.org import access
from cpaudit.security import events

from ..errors import responses
from ..paging import Paging, page_of, paginate
from ..types import Day, text

router = Router(tags=["操作日志"])


class LogEntryOut(Schema):
    seq: int
    time: dt.datetime
    actor_name: str
    actor_role: str
    actor_role_label: str
    actor_agency: str
    action: str
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    text: str
    changes: dict[str, Any]
    data: dict[str, Any]
    ip: str
    group: str
    digest: str


LogPage = page_of(LogEntryOut, "LogPage")


class LogFilters(Paging):
    date_from: Day | None = None
    date_to: Day | None = None
    actor: text(150) | None = None
    action: text(100) | None = None
    object_type: text(100) | None = None
    object: text(300) | None = None


def _rows(entries) -> list[dict]:
    return [{"seq": e.seq, "time": e.time, "actor_name": e.actor_name, "actor_role": e.actor_role,
             "actor_role_label": logdisplay.role_label(e.actor_role), "actor_agency": e.actor_agency,
             "action": e.action, "action_label": logdisplay.action_label(e.action), "object_type": e.object_type,
             "object_id": e.object_id, "object_repr": e.object_repr, "text": logdisplay.describe(e),
             "changes": e.changes, "data": e.data, "ip": e.ip, "group": str(e.group), "digest": e.digest}
            for e in entries]


@router.get("/log", response=responses(LogPage), summary="查询操作日志（审计管理员）")
def log_list(request, filters: Query[LogFilters]):
    access.check(request.user, "core.log.view")
    form = LogFilterForm({k: v for k, v in filters.dict(exclude={"page", "page_size"}).items() if v is not None})
    if not form.is_valid():
        raise ValidationError({name: errors for name, errors in form.errors.items()})
    qs = form.filter(access.scope(request.user, ActionLog.objects.all())).order_by("-seq")
    page = paginate(qs, filters, convert=_rows)
    events.sensitive_read(request, "api-v1:log_list", status=200)  # a log search, as on the log page
    return page
