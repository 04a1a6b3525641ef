from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "cpaudit.experts"
    label = "experts"
    verbose_name = "专家评审"

    def ready(self) -> None:
        # Registers the Chinese labels of the experts.* log codes (see core/logdisplay.py).
        from . import services  # noqa: F401
