"""No GET changes data: every URL of the authorization matrix, opened with GET by every role (on its own
objects and on another city's), executes no INSERT, UPDATE or DELETE except on the tables named here.

Watched at the database driver (connection.execute_wrapper), so a write through any path — ORM, raw
SQL, a signal — is seen, whether or not it would change a row's values.
"""

import re

import pytest
from django.db import connection
from django.urls import reverse

from cpaudit.org.roles import Role
from tests.test_authorization_matrix import MATRIX, job_kwargs

# What a GET may write: the session (login state, last-seen time), the login-protection counters and
# the security log (refusals, reads of sensitive data).
ALLOWED = {"django_session", "security_loginfailure", "security_lockout", "security_securityevent"}
# No exception: an export (the log, the progress and consistency lists, an official's record) is a read,
# recorded in the security log with what it handed out (security.events.note_read), never in the action log.
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([A-Za-z0-9_]+)"?', re.I)
RELATIONS = ["own", "other_city"]


def test_the_watch_sees_writes(world, client):
    """The detector itself: a write it must report."""
    seen = []
    with connection.execute_wrapper(_watch(seen)):
        from cpaudit.registry.models import Enterprise

        Enterprise.objects.filter(pk=world.enterprises["own"].pk).update(address="别处")
    assert [table for table, _ in seen] == ["registry_enterprise"]


def _watch(seen: list, allowed=frozenset(ALLOWED)):
    def wrapper(execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and match.group(1).lower() not in allowed:
            seen.append((match.group(1), sql[:160]))
        return execute(sql, params, many, context)

    return wrapper


CASES = [(name, rel) for name in sorted(MATRIX) for rel in (RELATIONS if MATRIX[name][0] is not None else ["-"])]


@pytest.mark.parametrize(("name", "rel"), CASES, ids=[f"{name}-{rel}" for name, rel in CASES])
def test_get_writes_nothing(world, client, name, rel):
    builder = MATRIX[name][0]
    kwargs = {} if builder in (None, "job") else builder(world, rel)  # builders write: before the watch
    writes = []
    for role in Role:
        user = world.users[role]
        if builder == "job":
            kwargs = job_kwargs(world, rel, user)
        client.force_login(user)
        with connection.execute_wrapper(_watch(seen := [])):
            status = client.get(reverse(name, kwargs=kwargs)).status_code
        writes += [(role.value, status, table, sql) for table, sql in seen]
    assert not writes, f"GET {name} ({rel}) wrote: {writes[:5]}"
