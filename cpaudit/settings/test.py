"""The test environment (SQLite by default, PostgreSQL when DATABASE_URL is set)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "test-only-not-a-secret"
DEBUG = False
CPAUDIT_DEMO_MODE = True
# Whatever the environment says: tests that need the second factor turn it on themselves.
CPAUDIT_OTP_REQUIRED = False
CPAUDIT_KEY_ENCRYPTION_KEY = "0123456789abcdef0123456789abcdef"  # not a secret: test seal keys only
# The test database is flushed between transactional tests; the log's triggers allow it only
# through cpaudit.core.logreset, which checks this flag.
CPAUDIT_LOG_RESET_ALLOWED = True
# Off: factories write through the ORM without logging, and a worker's in-process cache outlives a test
# (ids come back after a rollback). tests/core/test_pagecache.py turns it on for itself.
CPAUDIT_PAGE_CACHE = ""
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_tmp = Path(tempfile.mkdtemp(prefix="cpaudit-test-"))
CPAUDIT_CHECKPOINT_DIR = _tmp / "checkpoints"
CPAUDIT_JOB_DIR = _tmp / "jobs"
CPAUDIT_EVIDENCE_DIR = _tmp / "evidence"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(_tmp / "test.sqlite3")}
