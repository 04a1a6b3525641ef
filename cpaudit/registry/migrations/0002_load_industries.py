from django.db import migrations


def forwards(apps, schema_editor):
    from cpaudit.registry.industries import load_industries

    load_industries(apps.get_model("registry", "Industry"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
