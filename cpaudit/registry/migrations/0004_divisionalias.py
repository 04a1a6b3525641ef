"""Zone → county aliases (DivisionAlias), editable by province/city staff and the system administrator.

Nothing is seeded: the zones met in the real registers span several districts (上海化学工业区 lies in
金山区 and 奉贤区; the 中国（上海）自由贸易试验区 and its 临港新片区 in 浦东新区, 奉贤区 and 闵行区), so
which county a zone's enterprises belong to is a decision for the staff who know them, not a fact we
could cite."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0003_load_divisions'),
        ('registry', '0003_industry_374'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DivisionAlias',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('alias', models.CharField(max_length=100, verbose_name='别名')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='添加时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('county', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='aliases', to='org.division', verbose_name='对应县（市、区）')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='添加人')),
            ],
            options={
                'verbose_name': '区划别名',
                'verbose_name_plural': '区划别名',
                'ordering': ['county_id', 'alias'],
                'constraints': [models.UniqueConstraint(fields=('alias', 'county'), name='divisionalias_unique')],
            },
        ),
    ]
