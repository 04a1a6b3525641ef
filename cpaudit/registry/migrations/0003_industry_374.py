"""GB/T 4754-2017: 中类 374 is 航空、航天器及设备制造 and 3741 飞机制造 exists. Migration 0002 loaded a
list that had merged the two (a row "374 飞机制造", no 3741); see registry/data/SOURCE.md."""

from django.db import migrations


def forwards(apps, schema_editor):
    Industry = apps.get_model("registry", "Industry")
    Industry.objects.filter(code="374").update(name="航空、航天器及设备制造")
    if Industry.objects.filter(code="374").exists():
        Industry.objects.get_or_create(code="3741", defaults={
            "level": 4, "level_name": "小类", "name": "飞机制造", "parent_id": "374", "section": "C"})


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_load_industries")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
