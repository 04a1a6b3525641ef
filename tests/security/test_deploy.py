"""Production settings: `cpaudit check --deploy` finds nothing to warn about, migrate works on an empty
database, and the same check refuses a database holding demo accounts. Run as real processes with the
production settings module, on a database of their own (SQLite; PostgreSQL when DATABASE_URL is set)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path, *args, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CPAUDIT_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="cpaudit.settings.production",
        DJANGO_SECRET_KEY="k3y-" + "x7Qp9Lm2Zr" * 6,
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        ALLOWED_HOSTS="cpaudit.example.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://cpaudit.example.gov.cn",
        CPAUDIT_KEY_ENCRYPTION_KEY="00112233445566778899aabbccddeeff",
        CPAUDIT_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return subprocess.run([sys.executable, "-m", "cpaudit.manage", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_deploy_check_has_no_warning_and_migrate_works_on_an_empty_database(tmp_path):
    done = _run(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNINGS" not in done.stderr + done.stdout and "System check identified no issues" in done.stdout
    migrated = _run(tmp_path, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    again = _run(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert again.returncode == 0, again.stdout + again.stderr
    # A demo account in the production database: the check refuses, naming it.
    db = sqlite3.connect(tmp_path / "prod.sqlite3")
    columns = [row[1] for row in db.execute("PRAGMA table_info(org_user)")]
    values = {c: 0 for c in columns if c != "id"}
    values.update(username="jx_staff", password="!", role="branch_staff", is_demo=1, is_active=1,
                  date_joined="2020-01-01 00:00:00", first_name="", last_name="", email="", full_name="",
                  phone="")
    values = {k: v for k, v in values.items() if k in columns}
    with db:
        db.execute(f"INSERT INTO org_user ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                   list(values.values()))
    refused = _run(tmp_path, "check", "--deploy")
    assert refused.returncode == 1 and "cpaudit.E001" in refused.stderr and "jx_staff" in refused.stderr


def test_the_settings_say_what_the_check_checks(tmp_path):
    code = ("import json, cpaudit.settings.production as s; print(json.dumps([s.SECURE_SSL_REDIRECT, "
            "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.CSRF_TRUSTED_ORIGINS, "
            "s.DEBUG, s.CPAUDIT_OTP_REQUIRED]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CPAUDIT_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update(DJANGO_SECRET_KEY="s" * 50, DATABASE_URL="postgres://u@127.0.0.1/x", PYTHONPATH=str(ROOT),
               CPAUDIT_KEY_ENCRYPTION_KEY="0" * 32, CPAUDIT_DATA_DIR=str(tmp_path),
               CSRF_TRUSTED_ORIGINS="https://a.example, https://b.example:8443")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    import json

    assert json.loads(done.stdout) == [True, 31_536_000, True, True, ["https://a.example", "https://b.example:8443"],
                                       False, True]


@pytest.mark.parametrize("value", ["1", "0"])
def test_debug_in_the_demo_only_when_the_developer_asks(tmp_path, value):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CPAUDIT_", "DJANGO_"))}
    env.update(CPAUDIT_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    if value == "1":
        env["DJANGO_DEBUG"] = "1"
    done = subprocess.run([sys.executable, "-c", "import cpaudit.settings.dev as s; print(s.DEBUG)"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == ("True" if value == "1" else "False")
