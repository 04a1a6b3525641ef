"""The Django admin is the benchmark's peer, never part of the platform: only cpaudit.settings.bench
installs and mounts it (issue 15)."""

import json
import os
import subprocess
import sys

import pytest
from django.urls import Resolver404, resolve

PROBE = """
import importlib, json, sys
m = importlib.import_module(sys.argv[1])
print(json.dumps({"apps": m.INSTALLED_APPS, "urlconf": m.ROOT_URLCONF}))
"""


def _settings_of(module: str) -> dict:
    env = dict(os.environ, DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="postgres://u@127.0.0.1:5432/none",
               CPAUDIT_KEY_ENCRYPTION_KEY="0123456789abcdef0123456789abcdef")
    out = subprocess.run([sys.executable, "-c", PROBE, module], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["cpaudit.settings.production", "cpaudit.settings.dev", "cpaudit.settings.test"])
def test_production_demo_and_tests_never_install_the_admin(module):
    found = _settings_of(module)
    assert "django.contrib.admin" not in found["apps"]
    assert found["urlconf"] == "cpaudit.urls"


def test_only_the_bench_settings_mount_the_admin_and_the_floor():
    found = _settings_of("cpaudit.settings.bench")
    assert "django.contrib.admin" in found["apps"]
    assert found["urlconf"] == "cpaudit.bench.urls"


def test_the_platform_urls_have_no_admin_nor_floor():
    for path in ("/bench/admin/", "/bench/floor/", "/admin/"):
        with pytest.raises(Resolver404):
            resolve(path)
