"""Django settings: the only module that reads the environment.

Values come from real environment variables first, then from `.env` at the
project root. Every read is typed. With DEBUG off, a missing secret stops
start-up with Django's ImproperlyConfigured naming the variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from config import __version__

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# read_env never overrides variables that are already set in the process.
# DJANGO_ENV_FILE points elsewhere (or at /dev/null, to read no file at all).
environ.Env.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _secret(name: str, development_default: str) -> str:
    """A secret must come from the environment unless DEBUG is on."""
    return env.str(name, default=development_default) if DEBUG else env.str(name)


SECRET_KEY = _secret("DJANGO_SECRET_KEY", "dev-only-insecure-secret-key")
# Comma-separated Fernet keys: the first encrypts, all decrypt (key rotation).
FIELD_ENCRYPTION_KEYS = _secret(
    "FIELD_ENCRYPTION_KEY", "RZD1oVkcqdqRmKvSOZlFfM4WMG3DWdGVcqNNqZe6JHM="
).split(",")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
HUB_VERSION = __version__
SUPERUSER_PASSWORD = env.str("DJANGO_SUPERUSER_PASSWORD", default="")

# --- Registry lines: where a provider is named (docs/adding-a-provider.md) ---------
# The apps that show providers' records: each is installed, its `urls.py` is included
# at the root (config/urls.py), and its AppConfig.ready() registers its resources.
HUB_APPS = ["ats", "crm", "projects", "apis"]
# The providers the hub connects to (integrations.providers.PROVIDERS, in this order):
# the dotted path of each provider module's PROVIDER.
INTEGRATIONS_PROVIDERS = [
    "integrations.providers.recruitee.PROVIDER",
    "integrations.providers.affinity.PROVIDER",
    "integrations.providers.projecttool.PROVIDER",
    "integrations.providers.asana.PROVIDER",
    "integrations.providers.openapi.PROVIDER",
]
# The sandbox's fake APIs (integrations.sandbox.app.SandboxApp): a FakeApi subclass each.
SANDBOX_FAKES = [
    "integrations.sandbox.recruitee.RecruiteeApi",
    "integrations.sandbox.affinity.AffinityApi",
    "integrations.sandbox.projecttool.ProjectToolApi",
    "integrations.sandbox.asana.AsanaApi",
    "integrations.sandbox.jsonplaceholder.JsonPlaceholderApi",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "core",
    "integrations",
    *HUB_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestLogMiddleware",
    "core.middleware.HealthzMiddleware",  # before anything checks the Host header
    "core.middleware.WebhookReceiverMiddleware",  # before what only pages need
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.request_limits.RequestBodyLimitMiddleware",  # before anything reads a body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.AuditPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "core.middleware.NoStoreForSignedInMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.hub",
                "apis.context_processors.connected_apis",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Keep connections between requests (checked before reuse): no reconnect per
# page, and SQLite's page cache stays warm.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the worker share the file.
    # A 32 MB page cache (2 MB by default): list searches walk wide indexes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32000;"
        ),
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

TASKS = {
    "default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes, counted in the database): LOGIN_FAILURE_LIMIT failed
# logins for one username or from one address refuse further attempts for
# LOGIN_LOCKOUT_MINUTES, on the app's and the admin's login; a successful login resets it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.login_throttle.client_ip_address"
AXES_LOCKOUT_CALLABLE = "core.login_throttle.locked_out_response"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}  # Bootstrap calls the error level "danger".

# Security hardening for production (DEBUG off). TLS is expected in front of
# the app; DJANGO_SECURE_SSL_REDIRECT=false suits a proxy that already redirects.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer asks /healthz over plain http, straight from the backend.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
# includeSubDomains binds every subdomain of the hub's domain to https, and preload asks
# browsers to ship that built in (slow to undo): the operator's choice, off by default.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# A choice switched off must not fail `check --deploy --fail-level WARNING`
# (docs/deploy.md) on Django's warning about it; SSL redirect off says the proxy redirects.
SILENCED_SYSTEM_CHECKS = [
    check
    for check, chosen in (
        ("security.W008", SECURE_SSL_REDIRECT),
        ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
        ("security.W021", SECURE_HSTS_PRELOAD),
    )
    if not chosen
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind the proxy, X-Forwarded-Proto says https and X-Forwarded-For's last entry is
# the client's address (core.login_throttle); without it both headers are ignored.
BEHIND_TLS_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# Request bodies (core.request_limits): a larger one gets a 413 page before it is read.
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=1024 * 1024)
REQUEST_MAX_BODY_ANONYMOUS_BYTES = env.int("REQUEST_MAX_BODY_ANONYMOUS_BYTES", default=16 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
DATA_UPLOAD_MAX_NUMBER_FILES = 1  # the projects import's CSV file
X_FRAME_OPTIONS = "DENY"
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.error_reports.SensitiveAlwaysHiddenFilter"
# Scripts, styles, fonts and requests only from the app's own static files and
# URLs: no inline script or style, no eval (htmx is configured for it in
# base.html). Images may also come over https: candidates' photos live on the
# provider's media host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}
# Browser features the app never uses are switched off (core.middleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# --- Integrations -----------------------------------------------------------
# Timeouts in seconds for every provider call: (connect, read).
INTEGRATIONS_CONNECT_TIMEOUT = env.float("INTEGRATIONS_CONNECT_TIMEOUT", default=5.0)
INTEGRATIONS_READ_TIMEOUT = env.float("INTEGRATIONS_READ_TIMEOUT", default=20.0)
# How long one call may take, retries included: inside a web request, and in the background.
INTEGRATIONS_REQUEST_DEADLINE = env.float("INTEGRATIONS_REQUEST_DEADLINE", default=8.0)
INTEGRATIONS_BACKGROUND_DEADLINE = env.float("INTEGRATIONS_BACKGROUND_DEADLINE", default=300.0)
INTEGRATIONS_MAX_RESPONSE_BYTES = env.int(
    "INTEGRATIONS_MAX_RESPONSE_BYTES", default=50 * 1024 * 1024
)
# Plain-http loopback base URLs (the sandbox, tests), and https ones to loopback or private
# addresses, are refused unless this is on.
INTEGRATIONS_ALLOW_LOOPBACK = env.bool("INTEGRATIONS_ALLOW_LOOPBACK", default=False)
CALL_LOG_RETENTION_DAYS = env.int("CALL_LOG_RETENTION_DAYS", default=14)
# Per-minute call rollups (what the dashboard and the health state read) are kept longer.
CALL_ROLLUP_RETENTION_DAYS = env.int("CALL_ROLLUP_RETENTION_DAYS", default=90)
# Hourly rollups (the 7- and 30-day charts) are kept longer still.
CALL_ROLLUP_HOUR_RETENTION_DAYS = env.int("CALL_ROLLUP_HOUR_RETENTION_DAYS", default=400)
# Finished background task results (the database task backend keeps one row a task).
TASK_RESULT_RETENTION_DAYS = env.int("TASK_RESULT_RETENTION_DAYS", default=7)
# Connection health (integrations/services/health.py): over the last WINDOW minutes, once
# there are MIN_CALLS calls, this share of failed calls (5xx, 429, timeouts, transport
# errors) makes a connection failing or degraded; a rate-limit budget with less than
# BUDGET_FRACTION left makes it failing.
CONNECTION_HEALTH_WINDOW_MINUTES = env.int("CONNECTION_HEALTH_WINDOW_MINUTES", default=5)
CONNECTION_HEALTH_MIN_CALLS = env.int("CONNECTION_HEALTH_MIN_CALLS", default=5)
CONNECTION_HEALTH_FAILING_ERROR_RATE = env.float(
    "CONNECTION_HEALTH_FAILING_ERROR_RATE", default=0.5
)
CONNECTION_HEALTH_DEGRADED_ERROR_RATE = env.float(
    "CONNECTION_HEALTH_DEGRADED_ERROR_RATE", default=0.1
)
CONNECTION_HEALTH_BUDGET_FRACTION = env.float("CONNECTION_HEALTH_BUDGET_FRACTION", default=0.1)
# Prometheus scrapes /metrics with "Authorization: Bearer <METRICS_TOKEN>"; empty: no
# /metrics at all (404). A long random value, e.g. `python -c 'import secrets;
# print(secrets.token_urlsafe(32))'`.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Alert channels (integrations/services/health_alerts.py): when a connection becomes
# failing (or is switched off by the hub), and again when it recovers, a JSON POST to
# this URL and/or one email to these comma-separated addresses. Empty: no alerts.
HEALTH_ALERT_WEBHOOK_URL = env.str("HEALTH_ALERT_WEBHOOK_URL", default="")
HEALTH_ALERT_EMAILS = env.list("HEALTH_ALERT_EMAILS", default=[])
# How email leaves (smtp+tls://user:password@host:587, consolemail:// prints it) and from whom.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Seconds an SMTP connection may block: without one a stalled mail server holds the
# alert's worker past its claim (services/health_alerts.py SEND_LEASE), and a second
# worker would send the email again.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=20.0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="integration-hub@localhost")
# OpenTelemetry tracing of page requests and provider calls (core/tracing.py), off by
# default. The exporter reads the standard OTEL_* environment: OTEL_EXPORTER_OTLP_ENDPOINT
# (OTLP over HTTP, e.g. http://collector:4318), OTEL_EXPORTER_OTLP_HEADERS,
# OTEL_SERVICE_NAME (default integration-hub), OTEL_TRACES_SAMPLER…
OTEL_ENABLED = env.bool("OTEL_ENABLED", default=False)
# Live provider reads (Affinity's search, a record read on its page) each person may make a
# minute; they spend the quota every user and the syncs share. 0 turns live reads off.
LIVE_CALLS_PER_USER_PER_MINUTE = env.int("LIVE_CALLS_PER_USER_PER_MINUTE", default=30)

# Default connections, created or updated by `manage.py connections_from_env`; each
# provider names these in its `settings_names` (a registry line per credential).
RECRUITEE_API_URL = env.str("RECRUITEE_API_URL", default="https://api.recruitee.com")
RECRUITEE_COMPANY_ID = env.str("RECRUITEE_COMPANY_ID", default="")
RECRUITEE_API_TOKEN = env.str("RECRUITEE_API_TOKEN", default="")
AFFINITY_API_URL = env.str("AFFINITY_API_URL", default="https://api.affinity.co")
AFFINITY_API_KEY = env.str("AFFINITY_API_KEY", default="")
PROJECTS_API_URL = env.str("PROJECTS_API_URL", default="")
PROJECTS_API_TOKEN = env.str("PROJECTS_API_TOKEN", default="")
PROJECTS_OAUTH_CLIENT_ID = env.str("PROJECTS_OAUTH_CLIENT_ID", default="")
PROJECTS_OAUTH_CLIENT_SECRET = env.str("PROJECTS_OAUTH_CLIENT_SECRET", default="")
ASANA_API_URL = env.str("ASANA_API_URL", default="https://app.asana.com/api/1.0")
ASANA_TOKEN = env.str("ASANA_TOKEN", default="")
ASANA_WORKSPACE_GID = env.str("ASANA_WORKSPACE_GID", default="")

# --- Lists -----------------------------------------------------------------------
# The most rows one export (CSV or XLSX) of a list holds; a larger one is refused with a
# message asking to narrow the search or filters (core/export.py).
EXPORT_MAX_ROWS = env.int("EXPORT_MAX_ROWS", default=100_000)
# An export of more rows than this is written by a background worker, with a page that
# shows its progress and then the download, not inside the request: 100,000 candidates
# took 17 CPU seconds as XLSX (gunicorn kills a request after --timeout 30 s).
EXPORT_IN_REQUEST_MAX_ROWS = env.int("EXPORT_IN_REQUEST_MAX_ROWS", default=10_000)
# Hours a background export's file is kept for its download, then deleted.
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)

# --- Syncs and the outbox -------------------------------------------------------
# Default minutes between scheduled syncs (a connection can set its own).
SYNC_INTERVAL_MINUTES = env.int("SYNC_INTERVAL_MINUTES", default=15)
# Incremental syncs fall back to a full pass (updates, deletions) this often.
SYNC_FULL_INTERVAL_MINUTES = env.int("SYNC_FULL_INTERVAL_MINUTES", default=360)
# Attempts before an outbox row that keeps failing needs a person's attention.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
# Seconds a worker holds an outbox row per attempt: its calls end within it, a longer
# wait puts the row back, and a worker that died is recovered once it has passed.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=30)
# After an answer that never came, how long the provider may still be processing the
# first request: the record is looked up across this window before any re-send.
OUTBOX_SETTLE_SECONDS = env.float(
    "OUTBOX_SETTLE_SECONDS", default=max(60.0, 4 * INTEGRATIONS_READ_TIMEOUT)
)
# Per provider, e.g. "recruitee=180,asana=90"; the others use OUTBOX_SETTLE_SECONDS.
OUTBOX_SETTLE_SECONDS_BY_PROVIDER = {
    provider: float(seconds)
    for provider, seconds in env.dict("OUTBOX_SETTLE_SECONDS_BY_PROVIDER", default={}).items()
}
# Seconds a sync's lease lasts without a heartbeat: a stopped worker's sync resumes after it.
SYNC_LEASE_SECONDS = env.int("SYNC_LEASE_SECONDS", default=30)

# --- Webhooks ----------------------------------------------------------------
# The hub's address as the providers reach it: each connection's receiver URL is
# HUB_PUBLIC_URL + /webhooks/<provider>/<token>/ (integrations/webhooks/).
HUB_PUBLIC_URL = env.str("HUB_PUBLIC_URL", default="http://127.0.0.1:8000")
# The largest webhook body the receiver reads (413 past it, before a byte is read).
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=256 * 1024)
# Attempts at applying a delivery (fetching its records) before it is marked failed:
# 21 retry for 6 to 12 hours, past SYNC_FULL_INTERVAL_MINUTES' full pass.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=21)
# Seconds a worker holds a delivery it applies; a stopped worker's are taken up after it.
WEBHOOK_LEASE_SECONDS = env.int("WEBHOOK_LEASE_SECONDS", default=60)
# Days an applied or failed delivery is kept (the events page; a late copy is still known
# as a duplicate): longer than any provider retries one.
WEBHOOK_RETENTION_DAYS = env.int("WEBHOOK_RETENTION_DAYS", default=14)
# Seconds between an open list's checks of its "changed since" stamp; it reloads its
# table when a webhook (or a sync) changed its records (partials/live_list.html).
LIST_POLL_SECONDS = env.int("LIST_POLL_SECONDS", default=2)

# --- Sandbox -----------------------------------------------------------------
# Where the fake provider APIs listen. When set, providers without real
# credentials get a default connection that points at the sandbox.
SANDBOX_URL = env.str("SANDBOX_URL", default="")
SANDBOX_DATABASE_PATH = BASE_DIR / env.str("SANDBOX_DATABASE_PATH", default="var/sandbox.sqlite3")

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"masked_request_path": {"()": "core.log_masking.MaskedRequestPath"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # core.middleware writes the one line per request instead.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR", "filters": ["masked_request_path"]},
        "axes": {"level": "WARNING"},  # failures and lockouts, not every step
    },
}
