"""The benchmark's settings (issue 15: `make bench`): the demo settings plus the two peers the platform
is measured against — the floor page and the Django admin's changelist — under /bench/. Only this module
mounts them; production, the demo and the tests never do (tests/bench/test_bench_settings.py)."""

from .dev import *  # noqa: F403
from .dev import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]
ROOT_URLCONF = "cpaudit.bench.urls"
# The runner checks every page in-process (Django's test client) before loading it over HTTP.
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
