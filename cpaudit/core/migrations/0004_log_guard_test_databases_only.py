"""On PostgreSQL the reset switch works only in a test database (named test_…, as Django creates them):
in any other database no session setting lifts the append-only guard. Production should also grant
the application's role no UPDATE, DELETE or TRUNCATE on core_actionlog (docs/OPERATIONS.md)."""

from django.db import migrations

PG_FUNCTION = r"""CREATE OR REPLACE FUNCTION core_actionlog_refuse() RETURNS trigger AS $$
   BEGIN
     IF current_database() LIKE 'test\_%' AND coalesce(current_setting('cpaudit.log_reset', true), '') = 'on' THEN
       IF TG_OP = 'DELETE' THEN RETURN OLD; ELSIF TG_OP = 'UPDATE' THEN RETURN NEW; ELSE RETURN NULL; END IF;
     END IF;
     RAISE EXCEPTION 'core_actionlog is append-only (%)', TG_OP;
   END $$ LANGUAGE plpgsql"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_log_guard")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
