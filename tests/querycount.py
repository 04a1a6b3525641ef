"""Counting a page's queries the way the budget means them: the page's own work.

The first request of a session does one-time work of the session, not of the page (the timeout
middleware stamps the session, the declaration banner and the second factor read the user once), so a
count taken on it would move whenever that bookkeeping changes. `page_queries` loads the page once,
then counts a second load."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def page_queries(client, url, params=None, status=200) -> int:
    first = client.get(url, params or {})
    assert first.status_code == status, (url, first.status_code)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == status, (url, response.status_code)
    return len(ctx.captured_queries)
