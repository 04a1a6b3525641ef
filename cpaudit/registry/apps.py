from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cpaudit.registry"
    label = "registry"
    verbose_name = "企业名录"

    def ready(self) -> None:
        # Registers the Chinese labels of the registry's own log codes (see core/logdisplay.py).
        from . import services  # noqa: F401
