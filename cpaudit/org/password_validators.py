"""The platform's own password rules (等保 2.0 level 3), added to Django's in AUTH_PASSWORD_VALIDATORS.

Every path that sets a password (the change page, a reset, an activation, `create-user`, the demo
loader) runs `django.contrib.auth.password_validation.validate_password`, hence all of these. Each
number is read from the settings when the password is checked, so a changed setting applies at once.
"""

import string
import unicodedata

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CLASSES = (
    ("大写字母", lambda c: c in string.ascii_uppercase),
    ("小写字母", lambda c: c in string.ascii_lowercase),
    ("数字", lambda c: c in string.digits),
    ("符号", lambda c: c not in string.ascii_letters and c not in string.digits),
)


class LengthValidator:
    def validate(self, password, user=None):
        minimum = settings.CPAUDIT_PASSWORD_MIN_LENGTH
        if len(password) < minimum:
            raise ValidationError(f"密码至少{minimum}个字符（现为{len(password)}个）", code="password_too_short")

    def get_help_text(self):
        return f"至少{settings.CPAUDIT_PASSWORD_MIN_LENGTH}个字符"


class CharacterClassesValidator:
    """Upper case, lower case, digits, symbols (anything else): at least CPAUDIT_PASSWORD_MIN_CLASSES."""

    def validate(self, password, user=None):
        if any(unicodedata.category(c).startswith("C") for c in password):
            raise ValidationError("密码不能包含控制字符", code="password_control_character")
        needed = settings.CPAUDIT_PASSWORD_MIN_CLASSES
        present = [name for name, test in CLASSES if any(test(c) for c in password)]
        if len(present) < needed:
            missing = "、".join(name for name, _ in CLASSES if name not in present)
            raise ValidationError(f"密码须包含大写字母、小写字母、数字、符号中的至少{needed}类"
                                  f"（缺少：{missing}）", code="password_too_simple")

    def get_help_text(self):
        return f"包含大写字母、小写字母、数字、符号中的至少{settings.CPAUDIT_PASSWORD_MIN_CLASSES}类"


class UsernameValidator:
    """Django's similarity check misses a long password that merely wraps the username
    ("Jx_staff#2024" for jx_staff): the username, forwards or backwards, may not appear in it at all."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if len(username) < 3:
            return
        lowered = password.lower()
        if username in lowered or username[::-1] in lowered:
            raise ValidationError("密码不能包含用户名（含倒序）", code="password_contains_username")

    def get_help_text(self):
        return "不能包含用户名"


class HistoryValidator:
    """Not one of the last CPAUDIT_PASSWORD_HISTORY passwords: the current one and the earlier ones
    kept in PasswordHistory (as hashes)."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        from .models import PasswordHistory, User

        count = settings.CPAUDIT_PASSWORD_HISTORY
        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        earlier = PasswordHistory.objects.filter(user_id=user.pk).order_by("-set_at", "-pk").values_list(
            "password", flat=True)[:max(count - 1, 0)]
        for encoded in [current, *earlier][:count]:
            if encoded and check_password(password, encoded):
                raise ValidationError(f"不能使用最近{count}次用过的密码", code="password_reused")

    def get_help_text(self):
        return f"不能与最近{settings.CPAUDIT_PASSWORD_HISTORY}次用过的密码相同"
