"""Django's flush, able to empty the append-only action log only where settings allow it (tests)."""

from django.conf import settings
from django.core.management.commands.flush import Command as DjangoFlush

from cpaudit.core.logreset import allow_log_reset


class Command(DjangoFlush):
    def handle(self, **options):
        if not settings.CPAUDIT_LOG_RESET_ALLOWED:
            return super().handle(**options)
        with allow_log_reset(options.get("database", "default")):
            return super().handle(**options)
