"""When storage fails, say so: a 503 page in Chinese, never a bare 500 (issue 12).

An unwritable evidence directory, a full disk, a read-only or unreachable database: the request's
transaction has rolled back, so nothing was saved, and trying again later is the right advice. This
module is the project's handler500 (cpaudit/urls.py): Django calls it for every uncaught exception,
those raised by views and by middleware alike. It looks at the exception being handled:
- a storage failure → 503 with the Chinese page below and `Retry-After`; the traceback is logged by
  Django as for any 5xx; a failure of the file storage is also recorded as an incident for the
  operator (the status page; a failure of the database itself cannot be recorded in it, and the status
  page checks the database live instead);
- anything else → the ordinary 500 page.
It is also the handler400: a session that cannot be saved (every signed-in request refreshes its
session) is reported by Django as SessionInterrupted, a 400 "the session was deleted"; when what
stopped it was the database, that is a 503 like the rest.
The page is rendered without the request context: the context processors read the database, which
may be the very thing that failed.
"""

import errno
import logging
import sys

from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token

from .aftercommit import describe

log = logging.getLogger(__name__)
READ_ONLY_SQLSTATE = "25006"  # PostgreSQL: cannot execute … in a read-only transaction
DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60


def database_failure(exc: BaseException | None) -> bool:
    """The database is gone, refuses to write or is full (not a bug in a query)."""
    if isinstance(exc, DATABASE_ERRORS):
        return True
    if isinstance(exc, InternalError):  # psycopg's ReadOnlySqlTransaction arrives as an InternalError
        return getattr(exc.__cause__, "sqlstate", None) == READ_ONLY_SQLSTATE
    return False


def file_failure(exc: BaseException | None) -> bool:
    return isinstance(exc, OSError)


def storage_failure(exc: BaseException | None) -> bool:
    return database_failure(exc) or file_failure(exc)


def _reason(exc: BaseException) -> str:
    if database_failure(exc):
        return "数据库暂时无法写入或无法连接"
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC:
        return "存储空间已满"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "文件存储目录不可写"
    if code in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        return "文件存储目录不可用（路径被文件占用或不是目录）"
    return "文件存储暂时不可用"


def unavailable(request, exc: BaseException) -> HttpResponse:
    """The 503 page for a storage failure `exc` (also recorded for the operator when it is the files)."""
    reason = _reason(exc)
    if file_failure(exc):
        from cpaudit.jobs.incidents import record  # the operator's incidents live with the worker's app

        where = f"{request.method} {request.path}" if request is not None else ""
        record("storage:files", f"文件存储无法写入，请求被拒绝（{reason}）", f"{where}：{describe(exc)}")
    posted = request is not None and request.method not in ("GET", "HEAD", "OPTIONS")
    html = render_to_string("503.html", {"reason": reason, "posted": posted})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    exc = sys.exc_info()[1]
    if storage_failure(exc) or storage_failure(getattr(exc, "__cause__", None)):
        cause = exc if storage_failure(exc) else exc.__cause__
        try:
            return unavailable(request, cause)
        except Exception:  # never let the error page itself fail: fall back to the plain one
            log.exception("the storage error page could not be rendered")
    return HttpResponseServerError(render_to_string(template_name))


def _storage_cause(exc: BaseException | None, depth: int = 4) -> BaseException | None:
    """The storage failure that `exc` was raised while handling (its cause or context), if any."""
    while exc is not None and depth:
        if storage_failure(exc):
            return exc
        exc, depth = exc.__cause__ or exc.__context__, depth - 1
    return None


@requires_csrf_token
def bad_request(request, exception):
    cause = _storage_cause(exception)
    if cause is not None:
        try:
            return unavailable(request, cause)
        except Exception:
            log.exception("the storage error page could not be rendered")
    from cpaudit.api.views import bad_request as api_or_page  # /api/ answers in the API's error shape

    return api_or_page(request, exception)
