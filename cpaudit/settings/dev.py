"""The demo / development environment: `make run`."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

# Django's debug page shows settings and code to whoever triggers an error: only a developer who asks
# for it (DJANGO_DEBUG=1) gets it. `make run` serves like production: gunicorn, DEBUG off.
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-not-a-secret-cpaudit-demo")
CPAUDIT_DEMO_MODE = True
# Not a secret: the demo's seal keys are demo keys. Production takes its own from the environment.
CPAUDIT_KEY_ENCRYPTION_KEY = env_str("CPAUDIT_KEY_ENCRYPTION_KEY", "00112233445566778899aabbccddeeff")
