"""Production: PostgreSQL, a real secret, no demo accounts. Every value comes from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CPAUDIT_HSTS_SECONDS, CPAUDIT_HTTPS, CPAUDIT_PROXY_HOPS
from .env import env_bool, env_required, env_str

SECRET_KEY = env_required("DJANGO_SECRET_KEY")
env_required("DATABASE_URL")
ALLOWED_HOSTS = [h for h in (env_str("ALLOWED_HOSTS", "") or "").split(",") if h]
DEBUG = False
CPAUDIT_DEMO_MODE = False
CPAUDIT_LOG_RESET_ALLOWED = False
CPAUDIT_TODAY = None  # "today" is the real date in production, whatever the environment says
# Secure cookies, the redirect to HTTPS and HSTS need HTTPS; an intranet served over plain HTTP sets
# CPAUDIT_HTTPS=0 (docs/OPERATIONS.md; `cpaudit check --deploy` then warns, as it should).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = CPAUDIT_HTTPS
SECURE_SSL_REDIRECT = CPAUDIT_HTTPS
SECURE_HSTS_SECONDS = CPAUDIT_HSTS_SECONDS if CPAUDIT_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = CPAUDIT_HTTPS
# Behind our reverse proxy (CPAUDIT_PROXY_HOPS > 0) the proxy says whether the client used HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if CPAUDIT_PROXY_HOPS > 0 else None
# Origins allowed to POST forms (scheme://host[:port], comma-separated), e.g. https://cpaudit.example.gov.cn
CSRF_TRUSTED_ORIGINS = [o.strip() for o in (env_str("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()]
# Static files: what `cpaudit collectstatic` gathered in STATIC_ROOT (WhiteNoise serves them).
WHITENOISE_USE_FINDERS = False
# The second factor for government staff and administrators: on unless the operator turns it off.
CPAUDIT_OTP_REQUIRED = env_bool("CPAUDIT_OTP_REQUIRED", True)
# The seal keys' key-encryption key: no default, and a malformed one stops the start, not the first seal.
CPAUDIT_KEY_ENCRYPTION_KEY = env_required("CPAUDIT_KEY_ENCRYPTION_KEY").strip()
if len(CPAUDIT_KEY_ENCRYPTION_KEY) != 32 or not all(c in "0123456789abcdefABCDEF" for c in CPAUDIT_KEY_ENCRYPTION_KEY):
    raise ImproperlyConfigured("环境变量 CPAUDIT_KEY_ENCRYPTION_KEY 应为32位十六进制数（128位 SM4 密钥）")
