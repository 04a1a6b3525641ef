from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cpaudit.reports"
    label = "reports"
    verbose_name = "月度进度报告"

    def ready(self) -> None:
        # Registers the Chinese labels of the reports.report.* log codes (see core/logdisplay.py).
        from . import scans, services  # noqa: F401
