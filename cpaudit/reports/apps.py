from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cpaudit.reports"
    label = "reports"
    verbose_name = "月度进度报告"
