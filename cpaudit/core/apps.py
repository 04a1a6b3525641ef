from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cpaudit.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login/logout entries, SQLite log guard function)
