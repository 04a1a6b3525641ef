from django.db import migrations


def forwards(apps, schema_editor):
    from cpaudit.org.divisions import load_divisions

    load_divisions(apps.get_model("org", "Division"))


class Migration(migrations.Migration):
    dependencies = [("org", "0002_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
