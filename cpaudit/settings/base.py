"""Settings shared by every environment; dev, test and production override a few."""

import dj_database_url

from .env import BASE_DIR, env_bool, env_int, env_path, env_str

# Uploads, job results and log checkpoints live here (each directory below can be moved on its own).
CPAUDIT_DATA_DIR = env_path("CPAUDIT_DATA_DIR", BASE_DIR / "data")
DATA_DIR = CPAUDIT_DATA_DIR
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "cpaudit.core",
    "cpaudit.org",
    "cpaudit.registry",
    "cpaudit.campaigns",
    "cpaudit.progress",
    "cpaudit.reports",
    "cpaudit.integrity",
    "cpaudit.oversight",
    "cpaudit.experts",
    "cpaudit.applications",
    "cpaudit.documents",
    "cpaudit.coverage",
    "cpaudit.spotchecks",
    "cpaudit.assessment",
    "cpaudit.disclosure",
    "cpaudit.workbench",
    "cpaudit.jobs",
    "cpaudit.api",
    "cpaudit.security",
    "cpaudit.demo",
]

MIDDLEWARE = [
    # Refuses to serve when a start-up check fails (demo accounts in production); then steps aside.
    "cpaudit.security.middleware.StartupCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files in the demo and in production alike (DEBUG stays off): never the debug server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cpaudit.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # NUL in the address or query: 400 before any view (after the user is known: the 400 page shows it).
    "cpaudit.core.middleware.RejectNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits, before anything else looks at the user.
    "cpaudit.security.middleware.SessionTimeoutMiddleware",
    # A one-time (initial or reset) or expired password: nothing but the change page until changed.
    "cpaudit.org.middleware.PasswordChangeRequiredMiddleware",
    # 403/404 and downloads of a signed-in user → the security log.
    "cpaudit.security.middleware.SecurityLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cpaudit.urls"
WSGI_APPLICATION = "cpaudit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cpaudit" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cpaudit.core.context_processors.platform",
                "cpaudit.core.nav.nav_items",
                "cpaudit.reports.context_processors.notifications",
                "cpaudit.integrity.context_processors.declaration_banner",
            ],
        },
    },
]


def _database() -> dict:
    url = env_str("DATABASE_URL")
    if url:
        # Kept connections are checked before each request reuses them: after a database restart or a
        # killed backend the first request reconnects instead of failing with a 500.
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "cpaudit.sqlite3"),
        # IMMEDIATE: a writer takes the lock at BEGIN, so the action log's head row never
        # deadlocks two writers that both started by reading.
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20,
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["cpaudit.org.backends.PlatformBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Every path that sets a password runs all of these (cpaudit.org.services.passwords); the platform's
# own rules read their numbers (the password settings below) when they check.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "cpaudit.org.password_validators.LengthValidator"},
    {"NAME": "cpaudit.org.password_validators.CharacterClassesValidator"},
    {"NAME": "cpaudit.org.password_validators.UsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "full_name", "phone")}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "cpaudit.org.password_validators.HistoryValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise looks there first (empty until `collectstatic`)
# WhiteNoise serves the apps' static folders directly (no collectstatic needed for the demo); production
# turns this off and serves what `cpaudit collectstatic` gathered in STATIC_ROOT.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "cpaudit.core.uploads.SizeLimitedUploadHandler",  # stops an oversized upload before it hits the disk
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- the platform's own settings -------------------------------------------------------------
# Every CPAUDIT_* setting is declared here (tests/test_settings.py checks each name the code and the
# docs mention). Those an operator sets come from the environment through settings/env.py; the two
# safety switches (demo mode, log reset) never do: only the choice of settings module sets them.
# Demo accounts and demo data exist only where this is True; production forces it False.
CPAUDIT_DEMO_MODE = False
# The demo clock: "YYYY-MM-DD" pins "today" (see cpaudit.core.clock); production forces None.
CPAUDIT_TODAY = env_str("CPAUDIT_TODAY")
# Only the test settings may lift the database's refusal to UPDATE/DELETE the action log.
CPAUDIT_LOG_RESET_ALLOWED = False
# Checkpoints of the log head: keep them off the database host (docs/OPERATIONS.md).
CPAUDIT_CHECKPOINT_DIR = env_path("CPAUDIT_CHECKPOINT_DIR", DATA_DIR / "checkpoints")
CPAUDIT_JOB_DIR = env_path("CPAUDIT_JOB_DIR", DATA_DIR / "jobs")
# Evidence files live outside the web root, named by their SM3 digest (never served as static files).
CPAUDIT_EVIDENCE_DIR = env_path("CPAUDIT_EVIDENCE_DIR", DATA_DIR / "evidence")
CPAUDIT_UPLOAD_MAX_BYTES = env_int("CPAUDIT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
CPAUDIT_IMPORT_MAX_ROWS = env_int("CPAUDIT_IMPORT_MAX_ROWS", 50_000)
# An .xlsx is a zip: refused before it is opened when its members would unzip to more than this many MB
# in all, or one member of more than 1 MB to more than RATIO times its compressed size (a zip bomb;
# cpaudit.registry.excel.limits). An import keeps the first MAX_ERRORS errors and counts the rest.
CPAUDIT_IMPORT_MAX_UNZIPPED_MB = env_int("CPAUDIT_IMPORT_MAX_UNZIPPED_MB", 256)
CPAUDIT_IMPORT_MAX_RATIO = env_int("CPAUDIT_IMPORT_MAX_RATIO", 100)
CPAUDIT_IMPORT_MAX_ERRORS = env_int("CPAUDIT_IMPORT_MAX_ERRORS", 200)
# Background jobs (cpaudit.jobs): a running job's heartbeat is refreshed every HEARTBEAT seconds; one
# whose heartbeat is older than STALE seconds has lost its worker and is run again (a kind that may run
# twice, at most MAX_ATTEMPTS times in all) or failed. A worker that keeps failing for REPORT_AFTER
# seconds is reported (status page, action log); between attempts it waits, doubling up to BACKOFF_MAX.
CPAUDIT_JOB_HEARTBEAT_SECONDS = env_int("CPAUDIT_JOB_HEARTBEAT_SECONDS", 10)
CPAUDIT_JOB_STALE_SECONDS = env_int("CPAUDIT_JOB_STALE_SECONDS", 300)
CPAUDIT_JOB_MAX_ATTEMPTS = env_int("CPAUDIT_JOB_MAX_ATTEMPTS", 3)
CPAUDIT_WORKER_REPORT_AFTER_SECONDS = env_int("CPAUDIT_WORKER_REPORT_AFTER_SECONDS", 30)
CPAUDIT_WORKER_BACKOFF_MAX_SECONDS = env_int("CPAUDIT_WORKER_BACKOFF_MAX_SECONDS", 60)
CPAUDIT_PAGE_SIZE = 50
# Heavy read-only pages kept until the next logged change (core.pagecache, docs/PERFORMANCE.md): the
# cache alias they use, "" to turn it off. In-process memory per app-server process by default; the key
# moves with the database, so several processes or servers never serve each other's stale pages.
CPAUDIT_PAGE_CACHE = "pages" if env_bool("CPAUDIT_PAGE_CACHE", True) else ""
CPAUDIT_PAGE_CACHE_SECONDS = env_int("CPAUDIT_PAGE_CACHE_SECONDS", 600)
CPAUDIT_PAGE_CACHE_ENTRIES = env_int("CPAUDIT_PAGE_CACHE_ENTRIES", 300)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Pages run from a few KB to ~1 MB (the city's monthly overview at 50,000 enterprises).
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages",
              "TIMEOUT": CPAUDIT_PAGE_CACHE_SECONDS, "OPTIONS": {"MAX_ENTRIES": CPAUDIT_PAGE_CACHE_ENTRIES}},
}
# Consistency checks (progress.services.consistency): how far, in percent of the baseline figure,
# after-implementation + the options' claimed savings may stray from the baseline before it is flagged.
CPAUDIT_CONSISTENCY_TOLERANCE_PERCENT = env_int("CPAUDIT_CONSISTENCY_TOLERANCE_PERCENT", 10)
# Branch scorecards (cpaudit.assessment.scorecards): points per figure. Rates (0–1) earn their weight
# in full at 100 %; the per-item deductions are taken per spot-check finding and per coverage gap. The
# score is what a circular ranks by; change it here (a deployment's settings may override the dict).
CPAUDIT_SCORECARD_WEIGHTS = {
    "on_schedule": 35,  # share of enterprises with every passed time node met (extensions followed)
    "active": 15,  # share of enterprises not stalled
    "report_on_time": 10,  # the month's report: on time full, late half, missing none, not yet due full
    "evaluation": 20,  # share of enterprises due for 评估 by the date that passed it in time
    "acceptance": 20,  # share due for 验收 likewise
    "spotcheck_finding": 2,  # deducted per spot-check finding on the branch's enterprises
    "coverage_gap": 2,  # deducted per in-scope enterprise not enrolled (应开展未开展)
}
# Consulting agencies' credit grade (cpaudit.assessment.agencies): start from 100 and deduct these
# points per item on the agency's clients; the grade is the first whose floor the score reaches.
CPAUDIT_AGENCY_CREDIT = {
    # per failed 评估/验收, per stage that took over 1.5× the campaign's median, per stalled client,
    # per consistency flag, per spot-check finding on its clients
    "deductions": {"failed": 10, "slow_stage": 3, "stalled": 5, "consistency_flag": 4, "spotcheck_finding": 8},
    "grades": [("A", 90), ("B", 75), ("C", 60), ("D", 0)],
}
# The key-encryption key of the seal keys' private halves (cpaudit.documents.crypto): 32 hex digits,
# a 128-bit SM4 key. From the environment only, never in the database or the data directory (so never
# in a backup; a restore needs it). dev and test fix a non-secret value; production refuses to start
# without a well-formed one.
CPAUDIT_KEY_ENCRYPTION_KEY = env_str("CPAUDIT_KEY_ENCRYPTION_KEY") or None
# Integrity (cpaudit.integrity, cpaudit.oversight). A declaration of interest is valid this many days
# (renewed each year); the banner warns this many days before it runs out.
CPAUDIT_DECLARATION_VALID_DAYS = env_int("CPAUDIT_DECLARATION_VALID_DAYS", 365)
CPAUDIT_DECLARATION_WARN_DAYS = env_int("CPAUDIT_DECLARATION_WARN_DAYS", 30)
# Anomaly review (cpaudit.oversight.rules): a decision taken less than this many minutes after the
# item reached the desk; working hours "HH:MM-HH:MM" on the working days of the calendar (北京时间).
CPAUDIT_ANOMALY_QUICK_MINUTES = env_int("CPAUDIT_ANOMALY_QUICK_MINUTES", 15)
CPAUDIT_WORKING_HOURS = env_str("CPAUDIT_WORKING_HOURS", "08:00-18:00")
# One reviewer deciding on one consulting agency's clients at least FACTOR times the mean of the
# colleagues at the same desk, and at least MIN items.
CPAUDIT_ANOMALY_CONCENTRATION_FACTOR = env_int("CPAUDIT_ANOMALY_CONCENTRATION_FACTOR", 3)
CPAUDIT_ANOMALY_CONCENTRATION_MIN = env_int("CPAUDIT_ANOMALY_CONCENTRATION_MIN", 5)
# The same expert on the panels of one consulting agency's clients at least MIN times, when the random
# draws give that less than this chance (per mille, corrected for the number of pairs compared).
CPAUDIT_ANOMALY_PAIR_MIN = env_int("CPAUDIT_ANOMALY_PAIR_MIN", 3)
CPAUDIT_ANOMALY_PAIR_CHANCE_PERMILLE = env_int("CPAUDIT_ANOMALY_PAIR_CHANCE_PERMILLE", 10)
# A consulting agency all of whose clients (at least this many, results confirmed) passed.
CPAUDIT_ANOMALY_ALL_PASS_MIN = env_int("CPAUDIT_ANOMALY_ALL_PASS_MIN", 5)
# Options or figures of an enterprise changed within this many days after a decision on its application.
CPAUDIT_ANOMALY_FIGURES_DAYS = env_int("CPAUDIT_ANOMALY_FIGURES_DAYS", 7)
# Accounts (cpaudit.org, 等保 2.0 level 3): passwords of at least MIN_LENGTH characters with MIN_CLASSES
# of upper case / lower case / digits / symbols, changed every MAX_AGE_DAYS, none of the last HISTORY
# reused. Government and administrator accounts not used for DORMANT_DAYS are disabled by the worker.
# An invitation's activation code is valid ACTIVATION_DAYS.
CPAUDIT_PASSWORD_MIN_LENGTH = env_int("CPAUDIT_PASSWORD_MIN_LENGTH", 10)
CPAUDIT_PASSWORD_MIN_CLASSES = env_int("CPAUDIT_PASSWORD_MIN_CLASSES", 3)
CPAUDIT_PASSWORD_MAX_AGE_DAYS = env_int("CPAUDIT_PASSWORD_MAX_AGE_DAYS", 90)
CPAUDIT_PASSWORD_HISTORY = env_int("CPAUDIT_PASSWORD_HISTORY", 5)
CPAUDIT_DORMANT_DAYS = env_int("CPAUDIT_DORMANT_DAYS", 90)
CPAUDIT_ACTIVATION_DAYS = env_int("CPAUDIT_ACTIVATION_DAYS", 7)
# The CJK TrueType font (.ttf, or the first face of a .ttc) embedded in PDFs; None = the Debian
# paths tried by cpaudit.reports.render.fonts.
CPAUDIT_PDF_FONT = env_str("CPAUDIT_PDF_FONT") or None
# Personal API tokens (cpaudit.api) stop working this many days after they are created.
CPAUDIT_API_TOKEN_DAYS = env_int("CPAUDIT_API_TOKEN_DAYS", 90)
# How the worker's daily digest of pending work reaches people besides the in-app inbox: "none" (the
# default: an intranet may have neither mail nor SMS), "email" (Django's mail settings, to accounts with an
# address), or the dotted path of a function (user, subject, text) → bool, e.g. an SMS gateway adapter.
CPAUDIT_NOTIFY_BACKEND = env_str("CPAUDIT_NOTIFY_BACKEND", "none")
# Cookies over HTTPS only; production applies it (an intranet on plain HTTP sets CPAUDIT_HTTPS=0).
CPAUDIT_HTTPS = env_bool("CPAUDIT_HTTPS", True)
# --- Login and sessions (cpaudit.security) ---
# Lockout: this many failed logins (password or second factor) within the window, counted per account
# name and per client address, lock that name or address for LOCKOUT minutes (docs/OPERATIONS.md).
CPAUDIT_LOGIN_MAX_FAILURES = env_int("CPAUDIT_LOGIN_MAX_FAILURES", 5)
CPAUDIT_LOGIN_FAILURE_WINDOW_MINUTES = env_int("CPAUDIT_LOGIN_FAILURE_WINDOW_MINUTES", 15)
CPAUDIT_LOGIN_LOCKOUT_MINUTES = env_int("CPAUDIT_LOGIN_LOCKOUT_MINUTES", 30)
# A session ends after this long without a request, and in any case this long after the login.
CPAUDIT_SESSION_IDLE_MINUTES = env_int("CPAUDIT_SESSION_IDLE_MINUTES", 30)
CPAUDIT_SESSION_MAX_HOURS = env_int("CPAUDIT_SESSION_MAX_HOURS", 12)
# The second factor (TOTP) for government staff and administrators: production turns it on by default,
# the demo leaves it to the environment (demo accounts are exempt either way).
CPAUDIT_OTP_REQUIRED = env_bool("CPAUDIT_OTP_REQUIRED", False)
# Wrong codes count towards the lockouts above; django-otp's own growing delay would refuse a right code
# typed again within seconds of a wrong one, with the same message.
OTP_TOTP_THROTTLE_FACTOR = 0
# The security log keeps at most this many rows; each new row pushes the oldest out.
CPAUDIT_SECURITY_LOG_MAX_ROWS = env_int("CPAUDIT_SECURITY_LOG_MAX_ROWS", 200_000)
# HTTP Strict Transport Security max-age in production (seconds; with CPAUDIT_HTTPS).
CPAUDIT_HSTS_SECONDS = env_int("CPAUDIT_HSTS_SECONDS", 31_536_000)
# How many reverse proxies of ours stand in front of the application: the client address is then taken
# from X-Forwarded-For (that many entries from its right end). 0: REMOTE_ADDR, nothing else is trusted.
CPAUDIT_PROXY_HOPS = env_int("CPAUDIT_PROXY_HOPS", 0)
# Django's own expiry is the absolute limit; the idle limit is kept by security.middleware.SessionTimeoutMiddleware.
SESSION_COOKIE_AGE = CPAUDIT_SESSION_MAX_HOURS * 3600
# The demo web server's port (`serve`, and the address `load-demo` prints): PORT, as `make run` uses it.
CPAUDIT_PORT = env_int("PORT", 8000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# ScoreSheet's (kind, campaign) uniqueness with NULLS NOT DISTINCT exists on PostgreSQL only; on SQLite
# (demo, tests) experts.sheets.scoresheet_save looks the sheet up under a lock before creating one.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
