from django.apps import AppConfig


class SpotchecksConfig(AppConfig):
    name = "cpaudit.spotchecks"
    label = "spotchecks"
    verbose_name = "双随机抽查"

    def ready(self) -> None:
        from cpaudit.disclosure.sections import Section, register

        from . import log_labels  # noqa: F401  (the log's Chinese labels)
        from .selectors import public_context

        # Only approved results reach the public page (selectors.public_context).
        register(Section("spotchecks", "双随机抽查结果", 30, "spotchecks/public.html", public_context))
