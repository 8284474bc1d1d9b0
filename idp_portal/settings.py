"""Settings for IDP Portal.

Every value comes from the environment. The defaults are the embedded
single-machine setup (SQLite and a file-system Celery broker under `var/`, the
sandbox cloud); `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Redis.
"""

import ipaddress
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from idp_portal.env import env_bool, env_durations, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("IDP_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
EMBEDDED_SETUP = not DATABASE_URL.startswith(("postgres://", "postgresql://", "pgsql://"))
# seed_demo only runs where demo accounts with known passwords are acceptable.
DEMO_MODE = env_bool("DEMO_MODE", EMBEDDED_SETUP)
# Production (PostgreSQL, not the demo) refuses to start without its secrets and hosts, and is HTTPS-only.
PRODUCTION = env_bool("IDP_PRODUCTION", not DEMO_MODE)


def _required(name: str, why: str) -> str:
    value = env_str(name).strip()
    if PRODUCTION and not value:
        raise ImproperlyConfigured(
            f"{name} is not set: {why} In production (IDP_PRODUCTION, on with PostgreSQL unless DEMO_MODE=1) the "
            f"portal does not start without it; see docs/production.md."
        )
    return value


def _owner_only_file(path: Path, content: str = "") -> None:
    """Create `path` readable by its owner only, from the first byte (never chmod after writing)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(content)


def _secret_key() -> str:
    """Production sets SECRET_KEY; a demo keeps a generated key in var/, readable by its owner only."""
    configured = _required("SECRET_KEY", "it signs sessions and password-reset links.")
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    _owner_only_file(key_file, secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    _required("ALLOWED_HOSTS", "name the hosts the portal answers to.") or "127.0.0.1,localhost,testserver",
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "guardian",
    "axes",
    "django_prometheus",
    "governance",
    "catalogue",
    "provisioning",
    "costs",
]

MIDDLEWARE = [
    "idp_portal.probes.Probes",  # /healthz and /metrics: before host checks, redirects and sessions
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "idp_portal.log_context.RequestLogContext",
    "idp_portal.middleware.RefuseNulInQuery",
    "idp_portal.middleware.RevealBidiControls",  # before ConditionalGet: the ETag is of what is sent
    # ETag on every GET, and 304 for an unchanged If-None-Match: cheap polling for the API and the CLI.
    "django.middleware.http.ConditionalGetMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by its backend into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "idp_portal.urls"
WSGI_APPLICATION = "idp_portal.wsgi.application"

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
                "idp_portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# Health checks: a connection the database dropped (restart, failover, terminated backend) is replaced before use.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if not DATABASE_IS_POSTGRES:
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        # SQLite creates the file (and its journals, which copy its mode) world-readable under a usual umask.
        _owner_only_file(Path(DATABASES["default"]["NAME"]))
    # Workers and the web process share the SQLite file; wait for locks instead of failing.
    # IMMEDIATE: a transaction takes the write lock when it begins, so two writers queue (up to the timeout)
    # instead of the second failing at once with "database is locked" when it upgrades its read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out username and address is refused before any password is checked.
    "idp_portal.auth_backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous object permissions
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout on the sign-in page and the admin's (django-axes): AXES_FAILURE_LIMIT failures for one username from
# one address lock that pair for AXES_COOLOFF_MINUTES; a success resets the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Content security policy (django-csp): scripts and styles only from our own static files, no inline code
# (templates keep none: idp_portal/tests/test_content_security_policy.py), no framing, no foreign forms.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Load balancers probe these over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
# Preloading is a promise about the whole domain that only its owner can make: off unless asked for.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env_str("SECURE_PROXY_SSL_HEADER_NAME"):
    # Behind a proxy that terminates TLS, e.g. HTTP_X_FORWARDED_PROTO; only set it when the proxy always sets it.
    SECURE_PROXY_SSL_HEADER = (env_str("SECURE_PROXY_SSL_HEADER_NAME"), "https")

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from the finders until collectstatic fills it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Cache and Celery -------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "celery-broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_FOLDER.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # One folder for in and out: every process on this machine sees every message.
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    # Redis re-delivers an unacknowledged task after this long: longer than any run.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A guard: a worker's child process is replaced after this many tasks, so memory that a native library keeps
# cannot pile up for the worker's lifetime (the Rego engine did so when loaded late: idp_portal/rego_engine.py).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 25, minimum=1)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "idp")
# The reaper has its own queue and worker (Procfile `reaper`, compose `reaper`): a backlog of plans and applies
# on the run queue must not delay the recovery of runs whose worker died.
CELERY_REAPER_QUEUE = env_str("CELERY_REAPER_QUEUE", f"{CELERY_TASK_DEFAULT_QUEUE}-reaper")
CELERY_TASK_ROUTES = {"provisioning.tasks.reap_orphaned_runs_task": {"queue": CELERY_REAPER_QUEUE}}
# Terraform runs by cloud account or region, e.g. "tier=prod:idp-prod-account" (provisioning/routing.py).
RUN_QUEUES = env_str("IDP_RUN_QUEUES")
# Beat's own bookkeeping lives with every other file of this installation (IDP_VAR_DIR), not in the checkout.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "reap-orphaned-runs": {"task": "provisioning.tasks.reap_orphaned_runs_task", "schedule": 30.0},
    # Actual spend (Cost Explorer, or the sandbox's bill), then budget alerts and anomalies.
    "sync-spend": {
        "task": "provisioning.tasks.sync_spend_task",
        "schedule": float(env_int("SPEND_SYNC_SECONDS", 6 * 3600, minimum=60)),
    },
    # Expiry notices, then decommissioning of what has expired.
    "sweep-expiry": {
        "task": "provisioning.tasks.sweep_expiry_task",
        "schedule": float(env_int("EXPIRY_SWEEP_SECONDS", 300, minimum=10)),
    },
    # Untagged resources for the organisation page, asked by a worker (the web process holds no cloud credentials).
    "audit-tags": {"task": "provisioning.tasks.audit_tags_task", "schedule": 300.0},
    # A few drift checks at a time, oldest check first, so the cloud API sees a trickle.
    "check-drift": {
        "task": "provisioning.tasks.schedule_drift_checks_task",
        "schedule": float(env_int("DRIFT_SCHEDULE_SECONDS", 600, minimum=10)),
    },
    # GitOps: every repository is fetched this often too, so a missed webhook (or none) is caught up.
    "poll-gitops": {
        "task": "provisioning.tasks.poll_repositories_task",
        "schedule": float(env_int("GITOPS_POLL_SECONDS", 300, minimum=10)),
    },
}

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Provisioning -----------------------------------------------------------
PATTERNS_DIR = Path(env_str("PATTERNS_DIR", str(BASE_DIR / "patterns")))
TERRAFORM_BIN = env_str("TERRAFORM_BIN", str(Path(sys.prefix) / "bin" / "terraform"))
TERRAFORM_MIN_VERSION = (1, 0, 0)
TERRAFORM_DIR = VAR_DIR / "terraform"
TERRAFORM_STATE_BACKEND = env_str("TERRAFORM_STATE_BACKEND", "pg" if DATABASE_IS_POSTGRES else "local")
# Terraform and its provider plugins get this role's password, never the portal's: a role that owns only the
# state database (`manage.py setup_database_roles`, docs/production.md). Empty: the portal's own connection
# (development and tests only; `check --deploy` refuses it).
TERRAFORM_STATE_DATABASE_URL = env_str("TERRAFORM_STATE_DATABASE_URL", "")
TERRAFORM_LOCK_TIMEOUT = env_str("TERRAFORM_LOCK_TIMEOUT", "60s")
# The hashicorp/aws version line the patterns are written for (the sandbox provider emulates 5.80).
TERRAFORM_AWS_PROVIDER_VERSION = env_str("TERRAFORM_AWS_PROVIDER_VERSION", "~> 5.80")

# --- Catalogue security scan -------------------------------------------------
# `sync_catalogue` scans each new or changed pattern version with Checkov (catalogue/scan.py) and stores
# the result for its page. Checkov lives in a virtualenv of its own (`make install`: .venv-checkov), as
# its pins clash with the portal's; where it is missing the page says the version was not scanned.
CHECKOV_BIN = env_str("CHECKOV_BIN", str(BASE_DIR / ".venv-checkov" / "bin" / "checkov"))
CATALOGUE_SECURITY_SCAN = env_bool("CATALOGUE_SECURITY_SCAN", True)
RUN_TIME_LIMIT_SECONDS = env_int("RUN_TIME_LIMIT_SECONDS", 1800, minimum=1)
# Workers beat the heartbeat with every log flush (twice a second); the reaper fails runs silent this long.
RUN_ORPHAN_AFTER_SECONDS = env_int("RUN_ORPHAN_AFTER_SECONDS", 60, minimum=10)
# A queued run that no worker has touched for this long is sent to the workers again: its message may have been
# lost (a broker restarted without persistence, a killed worker holding it). A second delivery is harmless:
# a worker claims a run with a conditional update, so terraform never runs twice for one run.
RUN_REDELIVER_AFTER_SECONDS = env_int("RUN_REDELIVER_AFTER_SECONDS", 300, minimum=10)
# Notices before an environment expires ("7d,1d,2h"): each sent once per expiry date.
EXPIRY_NOTICES = env_durations("EXPIRY_NOTICES", "7d,1d,2h")
# Each running environment is checked for drift this often; at most DRIFT_CHECKS_PER_ROUND start per round.
DRIFT_CHECK_HOURS = env_int("DRIFT_CHECK_HOURS", 24, minimum=1)
DRIFT_CHECKS_PER_ROUND = env_int("DRIFT_CHECKS_PER_ROUND", 5, minimum=1)
# Crash tests only (provisioning/faults.py): the worker kills itself at this point.
CRASH_POINT = env_str("IDP_CRASH_POINT", "")

# The sandbox cloud: moto server as the AWS API and the sandbox Terraform provider.
SANDBOX_CLOUD = env_bool("SANDBOX_CLOUD", True)
SANDBOX_AWS_PORT = env_int("SANDBOX_AWS_PORT", 4566, minimum=1)
AWS_ENDPOINT_URL = env_str("AWS_ENDPOINT_URL", f"http://127.0.0.1:{SANDBOX_AWS_PORT}" if SANDBOX_CLOUD else "")
AWS_DEFAULT_REGION = env_str("AWS_DEFAULT_REGION", "eu-west-1")
# Whether the web process may call the cloud itself (the sandbox demo); in production only the workers hold
# cloud credentials (docker-compose.yml gives AWS_* to the worker service alone).
CLOUD_CALLS_IN_WEB = env_bool("CLOUD_CALLS_IN_WEB", SANDBOX_CLOUD)
# Each team's budget mirrored as an AWS Budget (real accounts; moto cannot update budgets).
AWS_BUDGETS_ENABLED = env_bool("AWS_BUDGETS_ENABLED", not SANDBOX_CLOUD)
AWS_ACCOUNT_ID = env_str("AWS_ACCOUNT_ID", "")

# --- Notifications ----------------------------------------------------------
# The console backend prints password-reset links to the log: only the demo may use it.
CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = _required("EMAIL_BACKEND", "password-reset links and notices need a real mail server.") or (
    CONSOLE_EMAIL_BACKEND if DEMO_MODE else "django.core.mail.backends.dummy.EmailBackend"
)
if PRODUCTION and EMAIL_BACKEND in (CONSOLE_EMAIL_BACKEND, "django.core.mail.backends.locmem.EmailBackend"):
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND={EMAIL_BACKEND} would print or drop password-reset links; in production use "
        "django.core.mail.backends.smtp.EmailBackend (EMAIL_HOST, EMAIL_PORT…)."
    )
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "idp-portal@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the file-based backend
SLACK_TIMEOUT_SECONDS = env_int("SLACK_TIMEOUT_SECONDS", 5, minimum=1)
# The Slack app's signing secret (Basic Information page): `/platform` and its buttons are refused without it.
SLACK_SIGNING_SECRET = env_str("SLACK_SIGNING_SECRET", "")
# Where the portal may post a command's or a button's answer (a payload's `response_url`): Slack only.
SLACK_RESPONSE_URL_PREFIXES = env_list("SLACK_RESPONSE_URL_PREFIXES", "https://hooks.slack.com/")

# --- Monitoring ---------------------------------------------------------------
# /metrics answers these networks, or a request with `Authorization: Bearer $METRICS_TOKEN`.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network)
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_NETWORKS: {_network!r} is not a network; write e.g. 10.0.0.0/8,127.0.0.1/32."
        ) from None
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.api.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "idp_portal.api.permissions.TokenScopeAllows",
    ],
    "DEFAULT_PAGINATION_CLASS": "idp_portal.api.pagination.Pages",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["idp_portal.api.throttles.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env_str("API_RATE", "600/minute")},
    "EXCEPTION_HANDLER": "idp_portal.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": ["idp_portal.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IDP Portal API",
    "DESCRIPTION": "Request, change and follow environments; every call goes through the same actions as the "
    "portal's pages. Authenticate with `Authorization: Bearer idp_…` (a personal access token).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ChangeActionEnum": "governance.choices.ChangeAction",
        "AuditActionEnum": "governance.choices.AuditAction",
        "ChangeStatusEnum": "provisioning.choices.ChangeStatus",
        "EnvironmentStatusEnum": "provisioning.choices.EnvironmentStatus",
        "RunStatusEnum": "provisioning.choices.RunStatus",
        "RunKindEnum": "provisioning.choices.RunKind",
    },
}

# Structured logs: the request, change, run and environment ids on every line (idp_portal/log_context.py);
# one JSON object a line in production (LOG_FORMAT=json), readable text in the demo.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"ids": {"()": "idp_portal.log_context.ContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s change=%(change_id)s "
            "run=%(run_id)s env=%(environment_id)s] %(message)s"
        },
        "json": {"()": "idp_portal.log_context.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["ids"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
# Workers keep this configuration (Celery would otherwise replace the root handlers with its own).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
