# Results summaries of 评估/验收 per campaign and phase (branch → city → province), with frozen versions.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0007_campaign_notice'),
        ('org', '0003_load_divisions'),
        ('reports', '0002_document_number_and_scan'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ResultsSummary',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('branch', '分局汇总'), ('city', '市局汇总')], max_length=10, verbose_name='层级')),
                ('kind', models.CharField(choices=[('evaluation', '评估'), ('acceptance', '验收')], max_length=12, verbose_name='阶段')),
                ('status', models.CharField(choices=[('draft', '编辑中'), ('submitted', '已报送'), ('accepted', '已接收'), ('returned', '已退回')], default='draft', max_length=10, verbose_name='状态')),
                ('remarks', models.TextField(blank=True, verbose_name='情况说明')),
                ('document_number', models.CharField(blank=True, max_length=100, verbose_name='文号')),
                ('return_reason', models.TextField(blank=True, verbose_name='退回原因')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='results_summaries', to='org.agency', verbose_name='报送单位')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='results_summaries', to='campaigns.campaign')),
                ('prepared_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='经办人')),
                ('returned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '评估/验收结果汇总',
                'ordering': ['campaign_id', 'kind', 'level', 'agency_id'],
            },
        ),
        migrations.CreateModel(
            name='ResultsVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='版本')),
                ('content', models.JSONField(verbose_name='汇总内容')),
                ('digest', models.CharField(max_length=64, verbose_name='SM3')),
                ('reason', models.TextField(blank=True, verbose_name='更正原因')),
                ('submitted_at', models.DateTimeField(verbose_name='报送时间')),
                ('submitted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('summary', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='reports.resultssummary')),
            ],
            options={
                'verbose_name': '结果汇总版本',
                'ordering': ['summary_id', 'number'],
            },
        ),
        migrations.AddConstraint(
            model_name='resultssummary',
            constraint=models.UniqueConstraint(fields=('level', 'campaign', 'kind', 'agency'), name='resultssummary_unique'),
        ),
        migrations.AddConstraint(
            model_name='resultsversion',
            constraint=models.UniqueConstraint(fields=('summary', 'number'), name='resultsversion_unique'),
        ),
    ]
