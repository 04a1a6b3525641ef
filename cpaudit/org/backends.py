from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class PlatformBackend(ModelBackend):
    """Username/password; demo accounts are refused outside demo mode; an account needs a role."""

    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_demo", False) and not settings.CPAUDIT_DEMO_MODE:
            return False
        if not getattr(user, "role", ""):
            return False
        return super().user_can_authenticate(user)
