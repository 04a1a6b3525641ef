"""A demo site for the subprocess tests: a data directory and a database of its own, commands run as
real processes, outside any test transaction (no test here; fixtures in conftest.py).

The demo is migrated and loaded once per test session (`DemoTemplate`); each test gets a copy
(`DemoTemplate.copy`): the SQLite file is copied with its data directory, a PostgreSQL database is
created from the template database. On PostgreSQL (DATABASE_URL set) the databases are named after
the test run's own (`<name>_cmds`, `<name>_cmds_<n>`), never the test database pytest-django made,
and dropped at the end.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql as pgsql

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180
# What the caller's environment must not leak into the site's processes.
_CLEARED = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PORT", "PYTHONPATH"}


@dataclass
class Done:
    """A finished command: exit status and its output split in lines."""

    args: tuple
    code: int
    out: list[str]
    err: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.out)

    def __str__(self) -> str:  # what an assertion shows
        return f"cpaudit {' '.join(map(str, self.args))} → {self.code}\n" + "\n".join(self.out + self.err)


class Database:
    """Where a site's data lives: SQLite in its data directory, or a PostgreSQL database of its own."""

    def __init__(self, url: str | None, name: str | None):
        self.url, self.name = url, name

    @classmethod
    def for_run(cls, environ_url: str | None, suffix: str = "cmds") -> "Database":
        if not environ_url:
            return cls(None, None)
        parts = urlsplit(environ_url)
        # Under pytest-xdist every worker runs its own session: its databases carry the worker's id.
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        name = f"{parts.path.lstrip('/') or 'cpaudit'}_{suffix}" + (f"_{worker}" if worker else "")
        return cls(urlunsplit(parts._replace(path=f"/{name}")), name)

    @property
    def postgres(self) -> bool:
        return self.url is not None

    def _admin(self):
        return psycopg.connect(urlunsplit(urlsplit(self.url)._replace(path="/postgres")), autocommit=True)

    def create(self, template: "Database | None" = None) -> None:
        if not self.postgres:
            return
        with self._admin() as conn:
            conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(self.name)))
            query = "CREATE DATABASE {}" + (" TEMPLATE {}" if template else "")
            names = [pgsql.Identifier(self.name)] + ([pgsql.Identifier(template.name)] if template else [])
            conn.execute(pgsql.SQL(query).format(*names))

    def drop(self) -> None:
        if self.postgres:
            with self._admin() as conn:
                conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    pgsql.Identifier(self.name)))

    def execute(self, data_dir: Path, *statements: str) -> None:
        """Write behind the application's back (a tamper test), committed."""
        if self.postgres:
            with psycopg.connect(self.url, autocommit=True) as conn:
                for statement in statements:
                    conn.execute(statement)
            return
        conn = sqlite3.connect(data_dir / "cpaudit.sqlite3")
        try:
            for statement in statements:
                conn.execute(statement)
            conn.commit()
        finally:
            conn.close()

    def query(self, data_dir: Path, text: str, params=()) -> list[tuple]:
        """Rows of a read-only query (placeholders: %s). JSON columns come back decoded."""
        if self.postgres:
            with psycopg.connect(self.url, autocommit=True) as conn:
                return [tuple(row) for row in conn.execute(text, params).fetchall()]
        conn = sqlite3.connect(data_dir / "cpaudit.sqlite3")
        try:
            return conn.execute(text.replace("%s", "?"), params).fetchall()
        finally:
            conn.close()


@dataclass
class Site:
    """One copy of the demo: run commands against it and look at what they did."""

    data_dir: Path
    database: Database
    work_dir: Path
    invoked: list[str] = field(default_factory=list)  # command names run, for the scenario check

    def environ(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in _CLEARED and not k.startswith("CPAUDIT_")}
        env.update(DJANGO_SETTINGS_MODULE="cpaudit.settings.dev", CPAUDIT_DATA_DIR=str(self.data_dir),
                   PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
        if self.database.postgres:
            env["DATABASE_URL"] = self.database.url
        env.update({key: str(value) for key, value in extra.items()})
        return env

    def run(self, *args, stdin: str | None = None, env: dict | None = None) -> Done:
        """`cpaudit ARGS…` as the console script runs it (python -m cpaudit.manage), in the work dir."""
        args = tuple(str(a) for a in args)
        self.invoked.append(args[0])
        done = subprocess.run([sys.executable, "-m", "cpaudit.manage", *args], input=stdin, cwd=self.work_dir,
                              env=self.environ(**(env or {})), capture_output=True, text=True, timeout=TIMEOUT)
        return Done(args, done.returncode, done.stdout.splitlines(), done.stderr.splitlines())

    def start(self, *args, env: dict | None = None) -> subprocess.Popen:
        """A long-running command (the worker's loop); the caller stops it."""
        args = tuple(str(a) for a in args)
        self.invoked.append(args[0])
        return subprocess.Popen([sys.executable, "-m", "cpaudit.manage", *args], cwd=self.work_dir,
                                env=self.environ(**(env or {})), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def django(self, code: str):
        """Run `code` in a fresh process with Django set up on this site; the value it assigns to
        `result` comes back (JSON). For what a page would do: enqueue a job through its service."""
        program = "import json, django\ndjango.setup()\nresult = None\n" + code + \
            "\nprint('\\n@@' + json.dumps(result, ensure_ascii=False, default=str))"
        done = subprocess.run([sys.executable, "-c", program], cwd=self.work_dir, env=self.environ(),
                              capture_output=True, text=True, timeout=TIMEOUT)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.rsplit("\n@@", 1)[1])

    def sql(self, text: str, *params) -> list[tuple]:
        return self.database.query(self.data_dir, text, params)

    def execute(self, *statements: str) -> None:
        self.database.execute(self.data_dir, *statements)

    def enqueue(self, kind: str, username: str, params: dict) -> int:
        """Queue a job as the web pages do (cpaudit.jobs.services.enqueue, in the user's name); its id.
        "user_id" in `params` is filled in with the user's id, as the pages pass it."""
        return self.django(
            "from cpaudit.jobs.services import enqueue\n"
            "from cpaudit.org.models import User\n"
            f"user = User.objects.get(username={username!r})\n"
            f"params = dict({params!r}, user_id=user.pk)\n"
            f"result = enqueue(kind={kind!r}, params=params, user=user).pk\n")

    def job(self, pk: int) -> dict:
        columns = ("kind", "status", "message", "result", "result_file", "result_filename", "progress", "total")
        row = self.sql(f"SELECT {', '.join(columns)} FROM jobs_job WHERE id = %s", pk)[0]
        job = dict(zip(columns, row, strict=True))
        if isinstance(job["result"], str):
            job["result"] = json.loads(job["result"])
        return job

    def log_count(self) -> int:
        return self.sql("SELECT COUNT(*) FROM core_actionlog")[0][0]

    def log_since(self, count: int) -> list[dict]:
        """Entries appended after the first `count`: action, actor name and data."""
        rows = self.sql("SELECT action, actor_name, data FROM core_actionlog WHERE seq > %s ORDER BY seq", count)
        return [{"action": a, "actor": n, "data": json.loads(d) if isinstance(d, str) else d} for a, n, d in rows]


class DemoTemplate:
    """The demo, migrated and loaded once; `copy()` gives each test a site of its own."""

    def __init__(self, base: Path):
        self.base = base
        self.database = Database.for_run(os.environ.get("DATABASE_URL"))
        self.site = Site(base / "template-data", self.database, base)
        self.copies: list[Database] = []
        self.migrate: Done | None = None
        self.load: Done | None = None
        self.load_seconds = 0.0

    def build(self) -> "DemoTemplate":
        self.site.data_dir.mkdir(parents=True)
        self.database.create()
        self.migrate = self.site.run("migrate", "--noinput")
        assert self.migrate.code == 0, str(self.migrate)
        started = time.monotonic()
        flag = ("--allow-non-sqlite",) if self.database.postgres else ()
        self.load = self.site.run("load-demo", *flag)
        self.load_seconds = time.monotonic() - started
        assert self.load.code == 0, str(self.load)
        return self

    def copy(self, work_dir: Path) -> Site:
        data_dir = work_dir / "data"
        shutil.copytree(self.site.data_dir, data_dir)
        database = self.database
        if database.postgres:
            database = Database.for_run(os.environ["DATABASE_URL"], f"cmds_{len(self.copies) + 1}")
            database.create(template=self.database)
            self.copies.append(database)
        return Site(data_dir, database, work_dir)

    def release(self, site: Site) -> None:
        if site.database is not self.database:
            site.database.drop()
            self.copies.remove(site.database)

    def destroy(self) -> None:
        for database in list(self.copies):
            database.drop()
        self.database.drop()
