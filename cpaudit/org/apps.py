from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "cpaudit.org"
    label = "org"
    verbose_name = "机构与用户"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers the log labels of the account actions)
