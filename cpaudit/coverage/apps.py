from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "cpaudit.coverage"
    label = "coverage"
    verbose_name = "应开展未开展"

    def ready(self):
        from . import log_labels  # noqa: F401
