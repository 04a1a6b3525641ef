from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "cpaudit.applications"
    label = "applications"
    verbose_name = "评估与验收申请"

    def ready(self) -> None:
        # Registers the Chinese labels of the applications.* log codes (see core/logdisplay.py).
        from . import services  # noqa: F401
