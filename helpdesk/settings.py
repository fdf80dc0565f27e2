"""Settings for the helpdesk, read from the environment (12-factor).

Every value has a default that runs on a fresh clone with no servers: SQLite and a
filesystem Celery broker under ``var/``. Typed helpers fail loudly on values they
cannot parse, so a typo in production is an error at start, not a silent default.
"""

import contextlib
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from helpdesk.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)
VAR_DIR = Path(envstr("HELPDESK_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not envbool("HELPDESK_INSECURE_DEFAULTS", False):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
# Links in email point here; `make run` sets it from HOST and PORT.
SITE_URL = envstr("SITE_URL", f"http://127.0.0.1:{envstr('PORT', '8000')}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials.apps.SimpleAppConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_ratelimit",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "helpdesk.accounts",
    "helpdesk.api",
    "helpdesk.knowledge",
    "cases",
    "notifications",
    # Not the product: bench, load test, simulation (their extras: `make tools`).
    "helpdesk.tools",
]

MIDDLEWARE = [
    "helpdesk.proxy.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "helpdesk.accounts.second_factor.EnrolmentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.accounts.identity.context",
            ],
            # Compiled templates are kept in memory (the cached loader, inside the partials
            # loader): a page no longer parses its templates on every request. After
            # editing a template, restart the web process.
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'helpdesk.sqlite3'}"),
        # Persistent connections: a new PostgreSQL connection costs 5-11 ms per request.
        # Each web thread and worker process keeps one (size PostgreSQL's max_connections,
        # or a pooler, by that); the health check replaces one the server dropped.
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for a lock rather than fail at once.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Staff sign in with a second factor (default in production; the admin's policy decides).
MFA_REQUIRED_FOR_STAFF = envbool("MFA_REQUIRED_FOR_STAFF", not DEBUG)
from helpdesk.accounts.conf import *  # noqa: E402, F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the npm registry (package.json), never from a CDN.
    ("bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
# The default finders, less the files no page links (helpdesk/static_files.py).
STATICFILES_FINDERS = [f"helpdesk.static_files.{f}Finder" for f in ("FileSystem", "AppDirectories")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Uploaded files live outside any public root; they are served by authorized views only.
MEDIA_ROOT = VAR_DIR / "private"
MEDIA_URL = "/media-is-not-served/"
MAX_ATTACHMENT_BYTES = envint("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
MAX_ATTACHMENTS_PER_MESSAGE = envint("MAX_ATTACHMENTS_PER_MESSAGE", 5)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery -----------------------------------------------------------------------
_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", envstr("REDIS_URL", "filesystem://"))
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "processed", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        # Kombu's default is ./control, relative to wherever a process was started.
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = envint("CELERY_BROKER_CONNECTION_TIMEOUT", 4)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 60)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 90)
CELERY_TIMEZONE = "UTC"
# Beat keeps its last run times in a file; its folder exists whatever the database (with
# PostgreSQL nothing else creates var/). A read-only host points this elsewhere.
CELERY_BEAT_SCHEDULE_FILENAME = envstr(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule")
)
with contextlib.suppress(OSError):
    Path(CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
HEARTBEAT_INTERVAL = envint("HEARTBEAT_INTERVAL", 15)
SLA_SWEEP_INTERVAL = envint("SLA_SWEEP_INTERVAL", 60)
NOTICE_REDRIVE_INTERVAL = envint("NOTICE_REDRIVE_INTERVAL", 60)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "notifications.tasks.record_heartbeat",
        "schedule": float(HEARTBEAT_INTERVAL),
        "options": {"expires": HEARTBEAT_INTERVAL * 2},
    },
    "sla-sweep": {
        "task": "notifications.tasks.sla_sweep",
        "schedule": float(SLA_SWEEP_INTERVAL),
        "options": {"expires": SLA_SWEEP_INTERVAL},
    },
    "incident-redrive": {
        "task": "cases.tasks.redrive_incident_updates",
        "schedule": float(NOTICE_REDRIVE_INTERVAL),
        "options": {"expires": NOTICE_REDRIVE_INTERVAL},
    },
    "notice-redrive": {
        "task": "notifications.tasks.redrive_notices",
        "schedule": float(NOTICE_REDRIVE_INTERVAL),
        "options": {"expires": NOTICE_REDRIVE_INTERVAL},
    },
    "webhook-redrive": {
        "task": "helpdesk.api.tasks.redrive_webhooks",
        "schedule": float(NOTICE_REDRIVE_INTERVAL),
        "options": {"expires": NOTICE_REDRIVE_INTERVAL},
    },
}
# Fail fast when the broker is down: the outbox row stays and the re-drive sends it.
CELERY_TASK_PUBLISH_RETRY = False
# /healthz calls the worker stale when its last heartbeat is older than this.
WORKER_STALE_AFTER = envint("WORKER_STALE_AFTER", 120)

# --- Cache (rate limits need one shared by every process) -----------------------------
_CACHE_URL = envstr("CACHE_URL", envstr("REDIS_URL", ""))
if not _CACHE_URL and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    _CACHE_URL = CELERY_BROKER_URL
if _CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "helpdesk.cache.ResilientRedisCache",  # a miss while Redis is down
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": "helpdesk",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # The embedded default has no shared cache: each web process counts rate limits on
    # its own, which is enough for a demo and never for production (set REDIS_URL).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Django's own RedisCache increments atomically; django-ratelimit only lists django-redis.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not _CACHE_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
RATELIMIT_VIEW = "helpdesk.accounts.views.rate_limited"
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", True)
# The manager summary gathers every report's headline; it may be this many seconds old.
REPORT_SUMMARY_CACHE_SECONDS = envint("REPORT_SUMMARY_CACHE_SECONDS", 60)

# --- API --------------------------------------------------------------------------------
# Requests per personal token (DRF's rate syntax: "120/minute", "5000/hour").
API_RATE = envstr("API_RATE", "120/minute")
# Webhooks: the first retry after this many seconds, doubling; given up after so many
# attempts; a subscription failing so many times in a row is paused (its owner told).
WEBHOOK_RETRY_SECONDS = envint("WEBHOOK_RETRY_SECONDS", 30)
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 15)
WEBHOOK_PAUSE_AFTER = envint("WEBHOOK_PAUSE_AFTER", 10)
# How DRF and the OpenAPI schema are set up (static: nothing to configure per deployment).
from helpdesk.api.conf import REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: E402, F401

# --- Portal -----------------------------------------------------------------------------
SIGN_IN_LINK_MINUTES = envint("SIGN_IN_LINK_MINUTES", 15)
# A case pending confirmation: one reminder after this many days, closed after as many more.
CONFIRMATION_REMINDER_DAYS = envint("CONFIRMATION_REMINDER_DAYS", 3)
CONFIRMATION_CLOSE_DAYS = envint("CONFIRMATION_CLOSE_DAYS", 4)
# Hour (UTC) at which daily digests to customers go out.
DIGEST_HOUR = envint("DIGEST_HOUR", 8)
ALLOWED_ATTACHMENT_TYPES = envlist(
    "ALLOWED_ATTACHMENT_TYPES",
    "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/csv,"
    "application/zip,application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,message/rfc822",
)

# --- Notices ----------------------------------------------------------------------
# One voice: at most one email per case to a customer in this window (seconds); updates
# that arrive inside it are merged into the next message.
CUSTOMER_EMAIL_THROTTLE = envint("CUSTOMER_EMAIL_THROTTLE", 15 * 60)
# The communication budget: automatic status updates a case may send a customer in 7 days.
AUTOMATIC_UPDATES_PER_WEEK = envint("AUTOMATIC_UPDATES_PER_WEEK", 2)
# A late first answer's notice also tells of the fix's delay when the fix is due within
# this time: one notice rather than two a few hours apart.
DELAY_NOTICE_COVERS_AHEAD = timedelta(hours=envint("DELAY_NOTICE_COVERS_AHEAD_HOURS", 12))
# A worker holds a notice it is sending this long; after that the re-drive retries it.
NOTICE_LEASE_SECONDS = envint("NOTICE_LEASE_SECONDS", 120)
NOTICE_MAX_ATTEMPTS = envint("NOTICE_MAX_ATTEMPTS", 8)
# Sender domain for Message-IDs and the case thread's References.
MESSAGE_ID_DOMAIN = envstr("MESSAGE_ID_DOMAIN", "helpdesk.localhost")

# --- Inbound email -------------------------------------------------------------------------
# Replies come back to INBOUND_ADDRESS with a signed +token; the mailbox must accept
# plus-addressing. IMAP polling runs when IMAP_HOST is set.
INBOUND_ADDRESS = envstr("INBOUND_ADDRESS", "support@helpdesk.localhost")
INBOUND_MAX_BYTES = envint("INBOUND_MAX_BYTES", 25 * 1024 * 1024)
INBOUND_MAX_PARTS = envint("INBOUND_MAX_PARTS", 200)
INBOUND_MAX_DEPTH = envint("INBOUND_MAX_DEPTH", 20)
INBOUND_HMAC_SECRET = envstr("INBOUND_HMAC_SECRET", "")
IMAP_HOST = envstr("IMAP_HOST", "")
IMAP_PORT = envint("IMAP_PORT", 993)
IMAP_USER = envstr("IMAP_USER", "")
IMAP_PASSWORD = envstr("IMAP_PASSWORD", "")
IMAP_FOLDER = envstr("IMAP_FOLDER", "INBOX")
IMAP_POLL_INTERVAL = envint("IMAP_POLL_INTERVAL", 60)
if IMAP_HOST:
    CELERY_BEAT_SCHEDULE["imap-poll"] = {
        "task": "notifications.tasks.poll_imap",
        "schedule": float(IMAP_POLL_INTERVAL),
        "options": {"expires": IMAP_POLL_INTERVAL},
    }

# --- Email ------------------------------------------------------------------------
EMAIL_HOST = envstr("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Helpdesk <support@helpdesk.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    # Embedded default: demo mail is written to files so it can be read.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Security (production values come from the environment) ------------------------
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# How many reverse proxies stand in front of the app (0: none, REMOTE_ADDR is the client).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# No inline script, no eval: htmx is configured for it (see the htmx-config meta tag).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}
