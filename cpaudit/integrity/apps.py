from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "cpaudit.integrity"
    label = "integrity"
    verbose_name = "廉政风险防控"
