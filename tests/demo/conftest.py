"""The demo loaded once per test run instead of once per test (issue 14's budget: a load takes 40 s
or more, and dozens of tests read the same demo).

`demo_once` gives a module the demo, committed, so every test of the module starts from it and still
runs in its own transaction, rolled back after it (a test that loads the demo again, or changes it,
changes it only for itself). The first module to ask loads it and snapshots the database; later modules
get the snapshot put back, which takes a fraction of a second (`Snapshots`). At the module's end the
database is put back as the migrations left it, so the next module starts as every other test does.
A module sets DEMO_TODAY to pin the demo's clock while loading: each clock is one snapshot."""

import io
import sqlite3

import psycopg
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings
from psycopg import sql as pgsql


class Snapshots:
    """Whole copies of the test database. SQLite: in-memory databases filled and emptied with SQLite's
    backup API. PostgreSQL: template databases (`<test db>_snap_<n>`), the test database dropped and
    created again from one (a file copy on the server), dropped at the session's end."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.taken: dict[str, object] = {}
        self.outputs: dict[str, str] = {}

    def demo(self, today: str | None) -> str:
        """The demo of that clock in the database; what its load printed."""
        key = f"demo-{today}"
        if key in self.taken:
            self._restore(key)
        else:
            if "baseline" not in self.taken:
                self._take("baseline")
            out = io.StringIO()
            with override_settings(CPAUDIT_TODAY=today) if today else override_settings():
                call_command("load-demo", "--allow-non-sqlite", "--port", "8000", stdout=out)
            self.outputs[key] = out.getvalue()
            self._take(key)
        return self.outputs[key]

    def baseline(self) -> None:
        self._restore("baseline")

    def _take(self, key: str) -> None:
        if not self.postgres:
            snapshot = sqlite3.connect(":memory:", check_same_thread=False)
            connection.ensure_connection()
            connection.connection.backup(snapshot)
            self.taken[key] = snapshot
            return
        name = f"{connection.settings_dict['NAME']}_snap_{len(self.taken)}"
        self._copy(connection.settings_dict["NAME"], name)
        self.taken[key] = name

    def _restore(self, key: str) -> None:
        if self.postgres:
            self._copy(self.taken[key], connection.settings_dict["NAME"])
        else:
            connection.ensure_connection()
            self.taken[key].backup(connection.connection)
        ContentType.objects.clear_cache()

    def _copy(self, source: str, target: str) -> None:
        connection.close()  # CREATE DATABASE … TEMPLATE wants no session on the source
        with self._admin() as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> pg_backend_pid()", [source])
            admin.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(target)))
            admin.execute(pgsql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                pgsql.Identifier(target), pgsql.Identifier(source)))

    def _admin(self):
        db = connection.settings_dict
        params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
        return psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v})

    def drop(self) -> None:
        for snapshot in self.taken.values():
            if self.postgres:
                with self._admin() as admin:
                    admin.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        pgsql.Identifier(snapshot)))
            else:
                snapshot.close()


@pytest.fixture(scope="session")
def demo_snapshots(django_db_setup, django_db_blocker):
    snapshots = Snapshots()
    yield snapshots
    with django_db_blocker.unblock():
        snapshots.drop()


@pytest.fixture(scope="module")
def demo_once(request, demo_snapshots, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            yield demo_snapshots.demo(getattr(request.module, "DEMO_TODAY", None))
        finally:
            demo_snapshots.baseline()
