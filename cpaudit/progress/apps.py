from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "cpaudit.progress"
    label = "progress"
    verbose_name = "审核进展"
