"""Production: PostgreSQL, a real secret, no demo accounts. Every value comes from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CPAUDIT_HTTPS
from .env import env_required, env_str

SECRET_KEY = env_required("DJANGO_SECRET_KEY")
env_required("DATABASE_URL")
ALLOWED_HOSTS = [h for h in (env_str("ALLOWED_HOSTS", "") or "").split(",") if h]
DEBUG = False
CPAUDIT_DEMO_MODE = False
CPAUDIT_LOG_RESET_ALLOWED = False
CPAUDIT_TODAY = None  # "today" is the real date in production, whatever the environment says
# Secure cookies need HTTPS; an intranet served over plain HTTP sets CPAUDIT_HTTPS=0 (docs/OPERATIONS.md).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = CPAUDIT_HTTPS
# The seal keys' key-encryption key: no default, and a malformed one stops the start, not the first seal.
CPAUDIT_KEY_ENCRYPTION_KEY = env_required("CPAUDIT_KEY_ENCRYPTION_KEY").strip()
if len(CPAUDIT_KEY_ENCRYPTION_KEY) != 32 or not all(c in "0123456789abcdefABCDEF" for c in CPAUDIT_KEY_ENCRYPTION_KEY):
    raise ImproperlyConfigured("环境变量 CPAUDIT_KEY_ENCRYPTION_KEY 应为32位十六进制数（128位 SM4 密钥）")
