"""Login and logout entries (failed logins: cpaudit.security.login); the SQLite function the log's
triggers consult."""

from django.contrib.auth import signals as auth_signals
from django.db import transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from .logreset import reset_allowed_now


@receiver(connection_created)
def _register_sqlite_guard(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("cpaudit_log_reset_allowed", 0, reset_allowed_now)


def _client_ip(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "")[:64] if request is not None else ""


@receiver(auth_signals.user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    from .log import log_action

    with transaction.atomic():
        log_action(actor=user, action="auth.login", obj=user, data={"ip": _client_ip(request)})


@receiver(auth_signals.user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    from .log import log_action

    if user is not None:
        with transaction.atomic():
            log_action(actor=user, action="auth.logout", obj=user, data={"ip": _client_ip(request)})
