"""Settings for e-Kinerja, read from environment variables (see .env.example).

SQLite (db.sqlite3) when DATABASE_URL is unset: the zero-setup first run.
PostgreSQL when DATABASE_URL=postgres://user:pass@host:port/name is set: production and CI.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DATABASE_URL scheme not supported: {parsed.scheme}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        # Persistent connections: a new PostgreSQL connection costs ~9 ms (TOOLING.md).
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
    }


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
# pytest (>= 8.2) sets PYTEST_VERSION while it runs: a test run needs no secret. Without a key
# and outside DEBUG the key stays empty: commands that need none (migrate, makemigrations,
# check) still run, Django refuses anything that signs, and ekinerja/wsgi.py refuses to serve.
if not SECRET_KEY and (DEBUG or env_bool("ALLOW_INSECURE_SECRET_KEY", False) or "PYTEST_VERSION" in os.environ):
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "opd",
    "skp",
    "penilaian",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: a password set by someone else must be replaced first.
    "opd.middleware.WajibGantiSandiMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ekinerja.urls"
WSGI_APPLICATION = "ekinerja.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opd.context_processors.navigation",
                "penilaian.context_processors.menu",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"))}
# A PostgreSQL streaming replica for the read-only report pages (ekinerja/replika.py). Unset: one
# database, nothing routed anywhere else.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
# A replica lagging more than this (seconds) is not read; a write pins its user's report pages to
# the primary until the replica has it (at most twice this long).
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 30)
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError("DATABASE_REPLICA_URL needs DATABASE_URL (PostgreSQL) for the primary")
    DATABASES["replika"] = {
        **database_from_url(DATABASE_REPLICA_URL),
        # A dead replica must not hold a page: libpq's smallest connect timeout is 2 s, and the
        # replica's state is remembered per process (ekinerja.replika.INGAT_DETIK).
        "OPTIONS": {"connect_timeout": env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2)},
        # Tests: the test database is created on the primary and streamed to the replica; the
        # replica is read-only, so nothing is ever created, migrated or flushed there.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["ekinerja.replika.ReplikaRouter"]
    # Outside the session and authentication middleware: it sees each request's final response.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      "ekinerja.replika.ReplikaMiddleware")  # fmt: skip
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "opd.Pegawai"
AUTHENTICATION_BACKENDS = ["opd.auth.NipBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "opd:dashboard"
LOGOUT_REDIRECT_URL = "login"
# Django's validators with one Indonesian wording (opd.auth); similarity is checked against
# the Pegawai's own fields (Django's default attributes are username/first_name/last_name).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "opd.auth.KemiripanDataPribadiValidator", "OPTIONS": {"user_attributes": ("nip", "nama", "email")}},
    {"NAME": "opd.auth.PanjangMinimalValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "opd.auth.SandiUmumValidator"},
    {"NAME": "opd.auth.BukanAngkaSajaValidator"},
]

# Failed-login throttling in the authentication backend (every login path): after
# LOGIN_MAX_FAILURES failures for one NIP, or LOGIN_MAX_FAILURES_PER_ADDRESS from one client
# address, within LOGIN_LOCK_MINUTES, that NIP or address is locked for LOGIN_LOCK_MINUTES.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 30)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)
# Stale LoginAttempt rows are pruned on a failure at most once per this many minutes.
LOGIN_ATTEMPT_PRUNE_MINUTES = env_int("LOGIN_ATTEMPT_PRUNE_MINUTES", 60)
# Behind a reverse proxy that appends the client address to X-Forwarded-For: take the client
# address from there (right-most entry). Off: REMOTE_ADDR, which a client cannot forge.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

# Indonesian only, whatever the browser asks for (no LocaleMiddleware): dates, month names and
# Django's own messages are always in Bahasa Indonesia.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia")]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Background work (django-tasks, the backport of Django 6's tasks): queued in the database and run by
# `python manage.py db_worker` (one or more processes). Pages show the progress of their own jobs
# (opd.models.Pekerjaan); the same work from a management command runs in the foreground.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Uploads: the pegawai import refuses files above IMPORT_MAX_BYTES (default 10 MB);
# Django's own request cap sits just above it so the import view can answer with a clear message.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# Data rows and columns read from an uploaded table (ekinerja/tabel.py); reading stops there, so a
# crafted file cannot take the server's memory. 100,000 rows hold a province.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200)
# The browser's upload and preview (reading and validating the file) must finish inside one request
# under gunicorn's timeout (the apply is a background job); larger files go through
# `manage.py impor_pegawai`. Measured figures: README.
IMPORT_MAX_ROWS_WEB = env_int("IMPORT_MAX_ROWS_WEB", 10_000)
# Bukti dukung (SPEC §5): files kept outside any served folder (never under STATIC_ROOT or
# MEDIA_ROOT), downloaded only through a view that checks access.
BUKTI_ROOT = Path(env_str("BUKTI_ROOT", str(BASE_DIR / "data" / "bukti")))
BUKTI_MAX_BYTES = env_int("BUKTI_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

if DEBUG or "PYTEST_VERSION" in os.environ:
    # Without collectstatic there is no STATIC_ROOT; runserver and the tests serve from the finders.
    WHITENOISE_USE_FINDERS = True
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

# Hashed, compressed static files served by WhiteNoise (run `manage.py collectstatic` on deploy).
# Tests and DEBUG use the plain storage so that no collectstatic step is needed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or "PYTEST_VERSION" in os.environ
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS: off by default for an intranet without TLS; set all of them where the site has TLS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto (and strips the
# client's own): lets Django see the request as HTTPS. Never on without such a proxy.
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Seconds the regency's counts on the Beranda of admin BKD / auditor / Bupati (the monitoring card,
# penilaian.widgets_monitoring, and the OPD summary, opd.views.home) are kept per process; the
# Pemantauan and Pegawai pages always count afresh. 0: never kept.
BERANDA_RINGKASAN_DETIK = env_int("BERANDA_RINGKASAN_DETIK", 60)

# Cards on the Beranda contributed by apps above `opd` (which must not import them): each entry
# is a function (user, *, bawahan) -> rendered HTML or "", given the team the Beranda already
# resolved (see opd.views.home.dashboard).
DASHBOARD_WIDGETS = [
    "skp.widgets.ringkasan_skp",
    "penilaian.widgets.kartu_pegawai",
    "penilaian.widgets_penilai.kartu_penilai",
    "penilaian.widgets_monitoring.kartu_pemantauan",
]

# Reactions of apps above `skp` to SKP events (skp.services._common.run_hooks), so that `skp`
# needs no import of `penilaian`: a revision carries the month's rencana aksi to its RHK, and
# closing an SKP at a jabatan change splits the month's evaluation.
SKP_HOOKS: dict[str, list[str]] = {
    "revisi_disetujui": ["penilaian.services.skp_hooks.revisi_disetujui"],
    "skp_ditutup": ["penilaian.services.skp_hooks.skp_ditutup"],
}

REGENCY_NAME = env_str("REGENCY_NAME", "Pemerintah Kabupaten Trenggalek")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
