"""Numbers in query strings, parsed one way everywhere.

`str.isdigit()` accepts "²" and "٣", which `int()` then refuses or reads as 3; a number past the
database's integer range fails in the query. Here a number is 1–18 ASCII digits within [minimum,
maximum]; anything else is the caller's 4xx (400 by default, with a Chinese message), never a 500.
"""

import re

from django.core.exceptions import BadRequest

_ASCII_INTEGER = re.compile(r"[0-9]{1,18}")
# The largest value every database's integer column holds (PostgreSQL integer).
MAX_INT = 2**31 - 1


def parse_int(text, *, minimum: int = 1, maximum: int = MAX_INT) -> int | None:
    """The integer `text` spells in ASCII digits, within the bounds; None otherwise."""
    if not isinstance(text, str) or not _ASCII_INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def query_int(request, name: str, *, minimum: int = 1, maximum: int = MAX_INT, error: Exception | None = None):
    """The query parameter `name` as an integer; None when absent or empty. A malformed value raises
    `error` (e.g. Http404("没有这个版本")) or a BadRequest naming the parameter."""
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    value = parse_int(raw, minimum=minimum, maximum=maximum)
    if value is None:
        raise error or BadRequest(f"参数“{name}”应为{minimum}至{maximum}之间的整数")
    return value
