"""The key-encryption key: production refuses to start without a well-formed one; dev and test fix a
non-secret value; it is read from the environment and kept out of the database."""

import os
import subprocess
import sys

import pytest

from cpaudit.documents.models import SealKey

from ..test_settings import ROOT


def start(module: str, tmp_path, **environ) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPAUDIT_") and k != "DJANGO_SECRET_KEY"}
    env.update(CPAUDIT_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT), DJANGO_SECRET_KEY="x" * 50,
               DATABASE_URL="postgres://u@127.0.0.1:5432/x", **environ)
    return subprocess.run([sys.executable, "-c", f"import {module} as s; print(s.CPAUDIT_KEY_ENCRYPTION_KEY)"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_without_it(tmp_path):
    done = start("cpaudit.settings.production", tmp_path)
    assert done.returncode == 1 and "环境变量 CPAUDIT_KEY_ENCRYPTION_KEY 未设置" in done.stderr


def test_production_refuses_a_malformed_one(tmp_path):
    done = start("cpaudit.settings.production", tmp_path, CPAUDIT_KEY_ENCRYPTION_KEY="secret")
    assert done.returncode == 1 and "应为32位十六进制数" in done.stderr


def test_production_takes_it_from_the_environment_and_dev_has_a_default(tmp_path):
    done = start("cpaudit.settings.production", tmp_path, CPAUDIT_KEY_ENCRYPTION_KEY="ab" * 16)
    assert (done.returncode, done.stdout.strip()) == (0, "ab" * 16)
    done = start("cpaudit.settings.dev", tmp_path)
    assert done.returncode == 0 and len(done.stdout.strip()) == 32


@pytest.mark.django_db
def test_no_column_of_a_key_holds_the_kek_or_the_plain_private_key(world, seals, settings):
    kek = settings.CPAUDIT_KEY_ENCRYPTION_KEY
    for key in SealKey.objects.all():
        values = " ".join(str(getattr(key, f.attname)) for f in SealKey._meta.fields)
        assert kek not in values and "PRIVATE KEY" not in values
