"""The unread count in the top bar: one query per page for a signed-in user, none otherwise."""

from cpaudit.org.access import allowed

from .models import Notification


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not allowed(user, "reports.notification.view"):
        return {}
    return {"unread_notifications": Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()}
