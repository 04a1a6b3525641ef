from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cpaudit.api"
    label = "api"
    verbose_name = "接口"

    def ready(self) -> None:
        # Registers the Chinese labels of the api.* log codes (see core/logdisplay.py).
        from . import tokens  # noqa: F401
