"""Heavy read-only pages served from a cache until the next logged change (docs/PERFORMANCE.md).

Every change of data writes an action-log entry in its own transaction (core.log.log_action), and the
log's head (LogHead) moves with it: its number and digest are the data's generation. A page decorated with
`@cached_page` keeps the rendered blocks of its own template (title, head, breadcrumbs, content) under
(view, user, address, today, generation). The next request for the same address by the same user, on
the same day and with no logged change in between, gets them back without running the view: the layout
around them (navigation, notification count, declaration banner, messages, the logout form's token) is
rendered live as on every page.

Why it is correct:
- the generation is read before the view reads anything, so what is kept under generation g shows at
  least state g; a change committed later moves the head and the key;
- the key holds the user, so scope, role and recusals are the user's own; a change of a user's role or
  agency is logged like any other;
- the day is in the key: deadlines, 逾期 and stalled steps are judged against today;
- CSRF tokens inside the kept blocks are taken out and put back per request;
- only a GET answered 200 with HTML is kept; the view still runs its own access check on a miss, and on
  a hit the user's permission is checked again (`permission`) before anything is served.
A page that changes data on GET, or shows something that is not logged when it changes, must not use it.

The cache is the `pages` alias (settings.CACHES): in-process memory by default, so each app server
process fills its own; correctness never depends on that, since the key moves with the database.
"""

import functools
import hashlib
import re

from django.conf import settings
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.safestring import mark_safe

from cpaudit.org import access

from . import clock
from .models import LogHead

BLOCKS = ("title", "head", "breadcrumbs", "content")
CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_MARK = "\x00csrf\x00"


def generation() -> str:
    """The head of the action log, its number and digest: it moves with every logged change (one read of
    one row). The digest tells two histories apart that reach the same number (a restored backup)."""
    head = LogHead.objects.filter(pk=1).values_list("seq", "digest").first()
    return f"{head[0]}-{head[1][:16]}" if head else "0"


def _cache():
    return caches[settings.CPAUDIT_PAGE_CACHE]


def _key(view_name: str, request) -> str:
    """Hashed: an address can be long and hold any character, which a shared cache (memcached, Redis)
    would refuse in a key."""
    parts = (view_name, request.user.pk, clock.today().isoformat(), generation(), request.get_full_path())
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_page(permission: str):
    """Keep the view's rendered blocks until the next logged change. `permission` is the access code the
    view checks first: a hit checks it again, so a cached page is never served to someone refused."""

    def decorate(view):
        view_name = f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or not settings.CPAUDIT_PAGE_CACHE:
                return view(request, *args, **kwargs)
            access.check(request.user, permission)
            key = _key(view_name, request)
            kept = _cache().get(key)
            if kept is not None:
                token = get_token(request)
                blocks = {name: mark_safe(text.replace(CSRF_MARK, token)) for name, text in kept.items()}
                return render(request, "core/cached_page.html", {"blocks": blocks})
            request._capture_blocks = {}
            response = view(request, *args, **kwargs)
            captured = request.__dict__.pop("_capture_blocks")
            if (response.status_code == 200 and not response.streaming
                    and response.get("Content-Type", "").startswith("text/html") and set(captured) == set(BLOCKS)):
                _cache().set(key, {name: CSRF_INPUT.sub(rf"\g<1>{CSRF_MARK}\g<2>", text)
                                   for name, text in captured.items()})
            return response

        wrapper.cached_page = True
        return wrapper

    return decorate
