from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "cpaudit.progress"
    label = "progress"
    verbose_name = "审核进展"

    def ready(self) -> None:
        # Modules that register their action labels (see core/logdisplay.py).
        from . import exports, log_labels  # noqa: F401
        from .services import figures, options  # noqa: F401
