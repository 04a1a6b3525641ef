"""Heavy read-only pages served from a cache until the next logged change (docs/PERFORMANCE.md).

Every change of data writes an action-log entry in its own transaction (core.log.log_action), and the
log's head (LogHead) moves with it: its number and digest are the data's generation. A page decorated
with `@cached_page` is kept whole under a key made of the view, the user, the address, today, the
generation and everything the layout shows of the reader (name, unit, menu, unread notifications,
declaration banner). The next request with the same key gets the page back without running the view
or rendering a template; only the CSRF tokens are the request's own.

Why it is correct:
- the generation is read before the view reads anything, so what is kept under generation g shows at
  least state g; a change committed later moves the head and the key;
- the key holds the user, so scope, role and recusals are the user's own; a change of a user's role or
  agency is logged like any other, and the layout's inputs are in the key besides (a notification read,
  which logs nothing, changes the unread count and so the key);
- the day is in the key: deadlines, 逾期 and stalled steps are judged against today;
- a request with a flash message waiting is served by the view (the message shows once);
- CSRF tokens are taken out of the kept page and put back per request;
- only a GET answered 200 with HTML is kept; the view runs its own access checks on a miss, and on a
  hit the user's permission is checked again (`permission`) before anything is served.
A page that changes data on GET, or shows something that is not logged when it changes, must not use it.

The cache is the `pages` alias (settings.CACHES): in-process memory by default, so each app server
process fills its own; correctness never depends on that, since the key moves with the database.
"""

import functools
import hashlib
import re

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token

from cpaudit.org import access

from . import clock
from .models import LogHead

CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_MARK = "\x00csrf\x00"


def generation() -> str:
    """The head of the action log, its number and digest: it moves with every logged change (one read of
    one row). The digest tells two histories apart that reach the same number (a restored backup)."""
    head = LogHead.objects.filter(pk=1).values_list("seq", "digest").first()
    return f"{head[0]}-{head[1][:16]}" if head else "0"


def _cache():
    return caches[settings.CPAUDIT_PAGE_CACHE]


def layout_inputs(request) -> tuple:
    """What base.html shows of the reader besides the page: identity, menu, unread count, banner (the
    context processors' own values: two or three small queries)."""
    from cpaudit.integrity.context_processors import declaration_banner
    from cpaudit.reports.context_processors import notifications

    from .nav import nav_items

    user = request.user
    unit = user.agency or user.enterprise or user.consulting_agency
    banner = declaration_banner(request)["declaration_banner"]
    return (user.username, user.full_name, user.role, str(unit or ""),
            tuple((item["url"], item["active"]) for item in nav_items(request)["nav_items"]),
            notifications(request).get("unread_notifications"),
            banner and (banner.state, banner.valid_until, banner.days_left, banner.no_expert))


def _key(view_name: str, request) -> str:
    """Hashed: an address can be long and hold any character, which a shared cache (memcached, Redis)
    would refuse in a key."""
    parts = (view_name, request.user.pk, clock.today().isoformat(), generation(), request.get_full_path(),
             layout_inputs(request))
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_page(permission: str):
    """Keep the view's page until the next logged change. `permission` is the access code the view
    checks first: a hit checks it again, so a kept page is never served to someone refused."""

    def decorate(view):
        view_name = f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or not settings.CPAUDIT_PAGE_CACHE:
                return view(request, *args, **kwargs)
            access.check(request.user, permission)
            if len(get_messages(request)):  # counted, not consumed: the view's page shows them
                return view(request, *args, **kwargs)
            key = _key(view_name, request)
            kept = _cache().get(key)
            if kept is not None:
                response = HttpResponse(kept.replace(CSRF_MARK, get_token(request)))
                response.served_from_cache = True  # for the tests
                return response
            response = view(request, *args, **kwargs)
            if (response.status_code == 200 and not response.streaming
                    and response.get("Content-Type", "").startswith("text/html")):
                _cache().set(key, CSRF_INPUT.sub(rf"\g<1>{CSRF_MARK}\g<2>", response.content.decode()))
            return response

        wrapper.cached_page = True
        return wrapper

    return decorate
