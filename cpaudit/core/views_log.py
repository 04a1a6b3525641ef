"""The audit administrator's search of the action log, and its CSV export.

Both go through access.check("core.log.view") and access.scope. A page costs a fixed number of
queries whatever its size: one count, one page of rows; the text of each entry comes from
logdisplay.describe, which never queries.
"""

import csv

from django.conf import settings
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cpaudit.integrity.selectors import hide_log_entries
from cpaudit.org import access
from cpaudit.security import events

from . import clock, logdisplay
from .forms_log import LogFilterForm
from .models import ActionLog
from .pagecache import cached_page
from .views import domain_view

# A cell starting with one of these is a formula to Excel/WPS (CSV injection); tab and CR too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = ["序号", "时间", "操作人", "角色", "单位", "动作代码", "动作", "对象类型", "对象编号", "对象",
              "说明", "IP", "操作批次", "摘要"]


def _search(request):
    """(form, queryset): the log entries the user may see, narrowed by valid filters, newest first.
    Invalid filters give no entries (the form shows why)."""
    access.check(request.user, "core.log.view")
    # An audit administrator may be the person an intervention entry names: those entries stay hidden.
    qs = hide_log_entries(request.user, access.scope(request.user, ActionLog.objects.all()))
    form = LogFilterForm(request.GET or None)
    if form.is_bound:
        qs = form.filter(qs) if form.is_valid() else qs.none()
    return form, qs.order_by("-seq")


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@domain_view
@cached_page("core.log.view")
def log_list(request):
    return _render_list(request)


def _render_list(request, verification=None):
    form, qs = _search(request)
    page = Paginator(qs, getattr(settings, "CPAUDIT_PAGE_SIZE", 50)).get_page(request.GET.get("page"))
    rows = [
        {"entry": entry, "role": logdisplay.role_label(entry.actor_role), "text": logdisplay.describe(entry),
         "action": logdisplay.action_label(entry.action)}
        for entry in page.object_list
    ]
    return render(request, "core/log_list.html", {
        "form": form, "page_obj": page, "rows": rows, "filter_query": _query_without_page(request),
        "verification": verification,
    })


@require_POST
@domain_view
def log_verify(request):
    """校验日志链: the result on the log page (the check itself is logged)."""
    from .services import log_verify as verify

    return _render_list(request, verification=verify(actor=request.user))


def neutralize(value) -> str:
    """A CSV cell that spreadsheet programs will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


def _csv_rows(qs):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_HEADER)  # BOM: Excel opens UTF-8 as such
    for entry in qs.iterator(chunk_size=2000):
        row = [
            entry.seq,
            timezone.localtime(entry.time).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor_name,
            logdisplay.role_label(entry.actor_role),
            entry.actor_agency,
            entry.action,
            logdisplay.action_label(entry.action),
            entry.object_type,
            entry.object_id,
            entry.object_repr,
            logdisplay.describe(entry),
            entry.ip,
            entry.group,
            entry.digest,
        ]
        yield writer.writerow([neutralize(cell) for cell in row])


@domain_view
def log_export(request):
    form, qs = _search(request)  # checks the role before anything streams
    # The audit admin's own export is traceable in the security log (SecurityLogMiddleware records every
    # log search and download, with the filters in the address); a GET writes nothing to the action log.
    events.note_read(request, filters={k: v for k, v in request.GET.items()})
    filename = f"action-log-{timezone.localtime(clock.server_now()):%Y%m%d-%H%M%S}.csv"
    response = StreamingHttpResponse(_csv_rows(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
