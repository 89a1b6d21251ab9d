"""TrustLab settings: every environment difference is an environment variable, read once here."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
else:
    # Production refuses to start without a secret: environ raises ImproperlyConfigured.
    SECRET_KEY = env("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form (no cookie, an expired token) gets a page in the reader's language.
CSRF_FAILURE_VIEW = "study.http.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "knox",
    "axes",
    "study",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A GET whose database connection died mid-request runs once more on a new one.
    "study.resilience.RetryLostConnectionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "study.ratelimit.ParticipantRateLimitMiddleware",
    # django-axes last: it answers a locked-out login before the view runs.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite file database by default (the one-command demo); PostgreSQL when DATABASE_URL is set.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A persistent connection whose server side went away (a restarted or terminated backend) is
# tested before the request uses it and replaced, instead of failing the request.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must survive a small pilot: WAL lets readers and one writer work at
    # once, IMMEDIATE takes the write lock at BEGIN (no deadlocking lock upgrade) and a writer
    # waits up to 20 s for the lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )

# The cache holds rate-limit counters and django-axes' nothing (axes keeps its records in the
# database). Local memory by default (one process: the demo); set CACHE_URL=redis://... in
# production so that every worker counts against the same limits.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://trustlab")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages participant pages are shipped in (locale/): a study chooses one of them
# (Study.language) and may give its own texts in the others (Study.translations).
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

STORAGES = {
    "default": {
        "BACKEND": env("FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

# Secret from which de-identified DICOM UIDs are derived; separate from SECRET_KEY so that
# rotating the session secret does not change image identities.
IMAGING_UID_SECRET = env("IMAGING_UID_SECRET", default=SECRET_KEY)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Scripts: "Authorization: Token <key>" (django-rest-knox); the console: its session.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "study.api.pagination.Pages",
}
# API tokens live until revoked (console or manage.py api_token --revoke-all).
REST_KNOX = {"TOKEN_TTL": None, "AUTO_REFRESH": False}

SPECTACULAR_SETTINGS = {
    "TITLE": "TrustLab API",
    "DESCRIPTION": "Researcher API for TrustLab studies.",
    "VERSION": "0.1.0",
    # /api/docs/ from drf-spectacular-sidecar's local copy of Swagger UI: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery (config/celery.py). No broker: every task runs eagerly in the requesting process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# The queue this site's tasks go to and its workers take (several sites can share a broker).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="trustlab")
# Tasks record their outcome in study.models.Job; Celery keeps no results of its own.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged once done, and given to another worker if its worker dies mid-way
# (the job runner makes a second run of a finished job a no-op).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Celery beat: the reminders that are due, every quarter of an hour.
CELERY_BEAT_SCHEDULE = {
    "reminders-due": {"task": "study.tasks.reminders_send_due", "schedule": 15 * 60},
}
# E-mail (invitations and reminders): printed to the console unless SMTP is configured
# (EMAIL_URL=smtp+tls://user:password@host:587, django-environ's email_url).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# The address participants reach the site at: the links in e-mails and printed by commands.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="TrustLab <no-reply@localhost>")
# How many e-mails one worker sends per minute (Celery's rate limit on the send task).
EMAIL_RATE_LIMIT = env("EMAIL_RATE_LIMIT", default="60/m")

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
# TLS: behind a proxy that terminates TLS, SECURE_PROXY_SSL_HEADER=1 trusts its
# X-Forwarded-Proto, so request.is_secure() holds and links come out as https://. Set it only
# when the proxy always sets (or strips) that header: a client could otherwise claim https.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy (django-csp): our own origin only, no inline script anywhere, no
# plugins, no framing. The report page relaxes style-src for its inline SVG figures only
# (study.console.views.exports.report); scripts stay strict there too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# django-axes: five wrong passwords for one username from one address lock that pair out for
# 15 minutes (console and admin alike); a correct password does not unlock it early. Every
# lockout is an audit event (study.signals).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "console/locked_out.html"
# Behind PROXY_COUNT trusted reverse proxies the client is that many entries from the right of
# X-Forwarded-For; 0 = the client connects directly. One rule (study.ratelimit.client_address)
# for the rate limits, django-axes' lockout and the sign-in audit events.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "study.ratelimit.client_address"
AXES_VERBOSE = False

# Per-client limits on the participant and enrolment URLs (study.ratelimit): generous enough
# for the fastest real reader, low enough to stop token guessing and floods.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)

# Every handler redacts participant tokens (config/logging.py); Django's own loggers
# (django.request's "Not Found", django.server's request lines) propagate to these handlers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "config.logging.RedactTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "filters": ["redact_tokens"],
            "formatter": "django.server",
        },
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Uploads (study.uploads)
# Every upload is held in memory, never spooled to a temporary file: a worker killed mid-upload
# leaves no byte of a case archive (with its patients' names) on disk. An upload over
# UPLOAD_MAX_MB is refused (413) as soon as it passes the limit; the rest is read and dropped.
FILE_UPLOAD_HANDLERS = ["study.uploads.BoundedMemoryUploadHandler"]
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=512) * 1024 * 1024
# Django's ASGI handler buffers a request body in a SpooledTemporaryFile of this size before the
# app runs: keep every body the handler could accept in memory there too.
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
# A study has tens to hundreds of cases; a manifest beyond these is refused before it is checked.
CASE_MANIFEST_MAX_BYTES = env.int("CASE_MANIFEST_MAX_KB", default=2048) * 1024
CASE_MANIFEST_MAX_ROWS = env.int("CASE_MANIFEST_MAX_ROWS", default=2000)
CASE_IMPORT_MAX_FILES = env.int("CASE_IMPORT_MAX_FILES", default=5000)
