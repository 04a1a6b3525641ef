from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cpaudit.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self) -> None:
        from . import progress_data  # noqa: F401  (registers the label of demo.progress.loaded)
