from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PlatformBackend(ModelBackend):
    """Username/password; demo accounts are refused outside demo mode; an account needs a role."""

    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_demo", False) and not settings.CPAUDIT_DEMO_MODE:
            return False
        if not getattr(user, "role", ""):
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id):
        """The signed-in user of every request, with the agency the top bar names (one query, not two, for
        government staff; enterprise and agency accounts are few per page and keep their lazy read)."""
        model = get_user_model()
        try:
            user = model._default_manager.select_related("agency").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
