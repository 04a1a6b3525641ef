"""The demo loaded once per test module instead of once per test (issue 14's budget: a load takes
40 s or more, and dozens of tests read the same demo).

`demo_once` loads it and commits, so every test of the module starts from it and still runs in its own
transaction, rolled back after it (a test that loads the demo again, or changes it, changes it only for
itself). At the module's end the database is emptied and what the migrations put in it (divisions,
industries, steps…) is restored — what a transactional test's teardown does — so the next module starts
as every other test does. A module sets DEMO_TODAY to pin the demo's clock while loading."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings


@pytest.fixture(scope="module")
def demo_once(request, django_db_setup, django_db_blocker):
    today = getattr(request.module, "DEMO_TODAY", None)
    with django_db_blocker.unblock():
        baseline = getattr(connection, "_test_serialized_contents", None) \
            or connection.creation.serialize_db_to_string()
        out = io.StringIO()
        try:
            with override_settings(CPAUDIT_TODAY=today) if today else override_settings():
                call_command("load-demo", "--allow-non-sqlite", "--port", "8000", stdout=out)
            yield out.getvalue()
        finally:
            call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(baseline)
