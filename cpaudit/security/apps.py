from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class SecurityConfig(AppConfig):
    name = "cpaudit.security"
    label = "security"
    verbose_name = "安全"

    def ready(self) -> None:
        from cpaudit.core.chain import SM3SelfTestFailed, sm3_self_test

        from . import checks, log_labels, login  # noqa: F401  (system checks, log labels, failure counter)

        # The known-answer test runs before anything can be logged: a process whose SM3 is wrong
        # refuses to start, naming the expected and the actual digest.
        try:
            sm3_self_test()
        except SM3SelfTestFailed as exc:
            raise ImproperlyConfigured(str(exc)) from exc
