"""The action log refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL).

The only switch around it is cpaudit.core.logreset.allow_log_reset (test databases only):
- SQLite: the SQL function cpaudit_log_reset_allowed(), registered on each connection by the app;
  a connection without it (the sqlite3 shell) gets "no such function" and is refused too.
- PostgreSQL: the session setting cpaudit.log_reset.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER core_actionlog_no_update BEFORE UPDATE ON core_actionlog
       WHEN cpaudit_log_reset_allowed() = 0
       BEGIN SELECT RAISE(ABORT, 'core_actionlog is append-only'); END""",
    """CREATE TRIGGER core_actionlog_no_delete BEFORE DELETE ON core_actionlog
       WHEN cpaudit_log_reset_allowed() = 0
       BEGIN SELECT RAISE(ABORT, 'core_actionlog is append-only'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_actionlog_no_update",
    "DROP TRIGGER IF EXISTS core_actionlog_no_delete",
]

PG_FORWARD = [
    """CREATE OR REPLACE FUNCTION core_actionlog_refuse() RETURNS trigger AS $$
       BEGIN
         IF coalesce(current_setting('cpaudit.log_reset', true), '') = 'on' THEN
           IF TG_OP = 'DELETE' THEN RETURN OLD; ELSIF TG_OP = 'UPDATE' THEN RETURN NEW; ELSE RETURN NULL; END IF;
         END IF;
         RAISE EXCEPTION 'core_actionlog is append-only (%)', TG_OP;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_actionlog_no_change BEFORE UPDATE OR DELETE ON core_actionlog
       FOR EACH ROW EXECUTE FUNCTION core_actionlog_refuse()""",
    """CREATE TRIGGER core_actionlog_no_truncate BEFORE TRUNCATE ON core_actionlog
       FOR EACH STATEMENT EXECUTE FUNCTION core_actionlog_refuse()""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_actionlog_no_change ON core_actionlog",
    "DROP TRIGGER IF EXISTS core_actionlog_no_truncate ON core_actionlog",
    "DROP FUNCTION IF EXISTS core_actionlog_refuse()",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}.get(vendor)
    if statements is None:
        raise RuntimeError(f"no append-only guard for database vendor {vendor}")
    for sql in statements:
        # params=None: the SQL is sent as is (the PL/pgSQL RAISE format contains '%', which
        # psycopg would otherwise read as a placeholder).
        schema_editor.execute(sql, params=None)
    apps.get_model("core", "LogHead").objects.get_or_create(pk=1, defaults={"seq": 0, "digest": "0" * 64})


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}.get(vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
