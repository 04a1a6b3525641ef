from django.db import migrations


def forwards(apps, schema_editor):
    from cpaudit.oversight.calendar import seed_rows

    CalendarDay = apps.get_model("oversight", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create([CalendarDay(**row) for row in seed_rows() if row["date"] not in existing])


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
