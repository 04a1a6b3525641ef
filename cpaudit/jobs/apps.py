from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "cpaudit.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self):
        from . import log_labels  # noqa: F401
