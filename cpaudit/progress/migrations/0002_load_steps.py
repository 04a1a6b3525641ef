from django.db import migrations


def forwards(apps, schema_editor):
    from cpaudit.progress.steps import all_steps

    AuditStep = apps.get_model("progress", "AuditStep")
    existing = set(AuditStep.objects.values_list("number", flat=True))
    AuditStep.objects.bulk_create([
        AuditStep(number=s.number, stage=s.stage, stage_name=s.stage_name, name=s.name, deliverable=s.deliverable)
        for s in all_steps() if s.number not in existing
    ])


class Migration(migrations.Migration):
    dependencies = [("progress", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
