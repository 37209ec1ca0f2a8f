"""Settings for every environment, driven by environment variables (see docs/operations.md)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from emplus.config.caches import cache_settings
from emplus.core import environment

PACKAGE_DIR = environment.PACKAGE_DIR
# var/ holds the SQLite database and local development secrets (see environment.var_dir).
VAR_DIR = environment.var_dir()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


# "production" turns on every secure default and refuses to start without real secrets.
ENVIRONMENT = os.environ.get("EMPLUS_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"


def _local_secret(filename: str, make: Callable[[], str]) -> str:
    """A development secret kept in var/ so that restarts keep sessions and encrypted data."""
    path = VAR_DIR / filename
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _required_or_local(name: str, filename: str, make: Callable[[], str]) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if PRODUCTION:
        raise RuntimeError(f"{name} must be set in production (EMPLUS_ENV=production).")
    return _local_secret(filename, make)


SECRET_KEY = _required_or_local("SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50))
DEBUG = env_bool("EMPLUS_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # Before django_tasks_db: core's `db_worker` (the library's worker with a lease, decision
    # 0041) takes the command's name.
    "emplus.core",
    "django_tasks",
    "django_tasks_db",
    "emplus.accounts",
    "emplus.organisations",
    "emplus.geo",
    "emplus.methods",
    "emplus.testbeds",
    "emplus.mapping",
    "emplus.pathways",
    "emplus.evidence",
    "emplus.worklife",
    "emplus.plans",
    "emplus.calls",
    "emplus.esf",
    "emplus.collaborations",
    "emplus.skills",
    "emplus.innovation",
    "emplus.demo",
    "emplus.home",
    "emplus.help",
    "emplus.selfservice",
    "emplus.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # First after the static files: it sees every response last, so no view can loosen it.
    "emplus.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "emplus.core.middleware.ChosenLanguageMiddleware",
    "emplus.core.uploads.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "emplus.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "emplus.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, the header built once (decision 0072).
    "emplus.core.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "emplus.config.urls"
WSGI_APPLICATION = "emplus.config.wsgi.application"

TEMPLATES = [
    {
        # Django's, its check aware of the `i18n` label below (decision 0076).
        "BACKEND": "emplus.core.template_backend.DjangoTemplates",
        "NAME": "django",  # the alias Django's own backend has
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "emplus.core.context_processors.shell",
            ],
            # Django's `{% url %}` and `{% load i18n %}`, with the addresses and the constant
            # texts kept per process and language (decision 0076).
            "builtins": ["emplus.core.templatetags.kept_urls"],
            "libraries": {"i18n": "emplus.core.templatetags.kept_i18n"},
        },
    },
]

# SQLite (WAL) in var/ unless DATABASE_URL names another database.
DATABASES = {
    "default": dj_database_url.parse(
        environment.database_url(), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: a page's queries are short, and PostgreSQL's cost estimate of a scoped
    # list crosses jit_above_cost at a few thousand rows, so it spent 200-500 ms compiling a
    # query that then ran in 30 ms (issue 14). And random reads priced as on solid-state storage
    # (the default 4 assumes spinning disks): otherwise a search that matches 4 000 of 100 000
    # participants reads the whole table instead of their rows by key. docs/operations.md.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "EMPLUS_PG_OPTIONS", "-c jit=off -c random_page_cost=1.1"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a session's user with its memberships (decision 0061).
    "emplus.accounts.backends.AccountBackend",
]
# Argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane; docs/decisions/0054): older
# hashes, Django's default parameters included, are re-hashed at the next log-in.
PASSWORD_HASHERS = [
    "emplus.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Second factor: required for roles that see personal data unless explicitly relaxed (demo).
EMPLUS_REQUIRE_2FA = env_bool("EMPLUS_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "EMPLOYMENT+"

# The client's address: REMOTE_ADDR, or behind N trusted reverse proxies the address the
# outermost of them saw (the N-th entry of X-Forwarded-For from the right). Production runs
# behind one TLS-terminating proxy (docs/operations.md); never count a proxy that is not there,
# or clients can choose their address.
EMPLUS_TRUSTED_PROXIES = int(os.environ.get("EMPLUS_TRUSTED_PROXIES", "1" if PRODUCTION else "0"))

# Login throttling: five failures for one user name (from any address), or from one address
# (for any user name), lock for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("EMPLUS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "emplus.core.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("EMPLUS_LOGIN_THROTTLING", True)

# Files shared by the gunicorn workers of one machine (API rate limits count across them), or
# one Redis for every application server (EMPLUS_REDIS_URL; docs/operations.md, decision 68).
CACHES = cache_settings(
    cache_dir=Path(os.environ.get("EMPLUS_CACHE_DIR", str(VAR_DIR / "cache"))),
    redis_url=os.environ.get("EMPLUS_REDIS_URL", ""),
)

# Password-reset links (sent by an administrator) go out by e-mail.
EMAIL_BACKEND = os.environ.get(
    "EMPLUS_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "EMPLOYMENT+ <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60

# Background tasks (effect estimates): stored in the database, run by `emplus db-worker`, which
# `emplus serve` and `emplus demo` start beside the web server (docs/decisions/0011).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Several workers, on several hosts, share the queue (decision 0041): a worker renews its lease
# every quarter of EMPLUS_TASK_LEASE_SECONDS; a task left running by a worker whose lease
# expired (killed, host down) is queued again, at most EMPLUS_TASK_MAX_ATTEMPTS runs in all.
EMPLUS_TASK_LEASE_SECONDS = float(os.environ.get("EMPLUS_TASK_LEASE_SECONDS", "60"))
EMPLUS_TASK_MAX_ATTEMPTS = int(os.environ.get("EMPLUS_TASK_MAX_ATTEMPTS", "3"))

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = environment.TIME_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production the app serves static files straight from the packages (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION

# API rate limits per user: one overall, and scopes that views name in `throttle_scope`
# (emplus.api.throttling). EMPLUS_API_RATES (JSON) overrides single rates, e.g. for a fuzzing run.
EMPLUS_API_THROTTLING = env_bool("EMPLUS_API_THROTTLING", True)
API_THROTTLE_RATES = {
    "user": "5000/hour",
    "list": "600/minute",
    "search": "120/minute",
    "export": "30/hour",
    "estimate": "120/hour",
} | json.loads(os.environ.get("EMPLUS_API_RATES", "{}"))


def _static_headers(headers, path: str, url: str) -> None:
    # The offline service worker lives in static/selfservice/ but controls the whole site
    # (docs/decisions/0020); it must also be fetched fresh, or an update waits a day.
    name = url.rsplit("/", 1)[-1]
    if name.startswith("sw.") and name.endswith(".js") and "/selfservice/" in url:
        headers["Service-Worker-Allowed"] = "/"
        headers["Cache-Control"] = "no-cache"


WHITENOISE_ADD_HEADERS_FUNCTION = _static_headers
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Hashed, expiring, revocable tokens that remember whether the second factor was used.
        "emplus.accounts.tokens.SecondFactorTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The overall and the scoped rate in one cache entry a client (decision 0072).
    "DEFAULT_THROTTLE_CLASSES": (
        ["emplus.api.throttling.RateThrottle"] if EMPLUS_API_THROTTLING else []
    ),
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    "NUM_PROXIES": EMPLUS_TRUSTED_PROXIES,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# API tokens (django-rest-knox): stored as a hash, shown once, expiring.
EMPLUS_API_TOKEN_HOURS = int(os.environ.get("EMPLUS_API_TOKEN_HOURS", str(30 * 24)))
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 - a model name
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=EMPLUS_API_TOKEN_HOURS),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 10,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "EMPLOYMENT+ API",
    "DESCRIPTION": "Organisations, units and Swedish geography; every endpoint is scoped to "
    "the caller's organisation and role.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation also declares 400/403/404/429 (emplus.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "emplus.api.schema.error_responses",
    ],
    # disability and minority share one set of answers: one schema component for both.
    "ENUM_NAME_OVERRIDES": {
        "SpecialCategoryAnswerEnum": "emplus.pathways.choices.SpecialCategoryAnswer",
        # Two fields named "state" with different answers: each gets a name that says whose.
        "SelfServiceLinkStateEnum": "emplus.selfservice.choices.LinkState",
        "EsfMonthStateEnum": "emplus.esf.serializers.MONTH_STATES",
        # Collaborations: "kind", "status" and "role" are names other components use too.
        "CollaborationKindEnum": "emplus.collaborations.choices.CollaborationKind",
        "CollaborationStatusEnum": "emplus.collaborations.choices.CollaborationStatus",
        "CollaborationDocumentKindEnum": "emplus.collaborations.choices.DocumentKind",
        "CollaborationPartyRoleEnum": "emplus.collaborations.choices.PartyRole",
        # Placements and opportunities share their kinds; proposals have their own states.
        "PlacementKindEnum": "emplus.worklife.choices.PlacementKind",
        "ProposalStatusEnum": "emplus.worklife.choices.ProposalStatus",
        "InnovationStageEnum": "emplus.innovation.choices.Stage",
    },
}

# Content Security Policy: everything from our own origin; no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Django's database sessions, read with SQL compiled once (decision 0061).
SESSION_ENGINE = "emplus.core.sessions"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("EMPLUS_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("EMPLUS_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("EMPLUS_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Some indexes (participants, follow-ups, name tokens) carry INCLUDE columns for PostgreSQL's
# index-only scans; SQLite builds them without, as intended, so its warning on every migrate
# is noise to a user of the default database.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if PRODUCTION and not env_bool("EMPLUS_HSTS_PRELOAD", False):
    # Preload is a one-way decision for the domain owner; not a default.
    SILENCED_SYSTEM_CHECKS.append("security.W021")


# Keys for personal data (used by the pathway module): Fernet keys, newest first, so that old
# ciphertexts still decrypt after a rotation; and the HMAC key behind participant pseudonyms.
def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


EMPLUS_FIELD_KEYS = env_list("EMPLUS_FIELD_KEYS", []) or [
    _required_or_local("EMPLUS_FIELD_KEYS", "field_key", _fernet_key)
]
EMPLUS_PSEUDONYM_KEY = _required_or_local(
    "EMPLUS_PSEUDONYM_KEY", "pseudonym_key", lambda: secrets.token_urlsafe(32)
)
# HMAC keys of the blind index that finds encrypted names (emplus.core.blind_index), newest
# first; a key of its own, so that the pseudonym key never doubles as a name index key.
EMPLUS_SEARCH_KEYS = env_list("EMPLUS_SEARCH_KEY", []) or [
    _required_or_local("EMPLUS_SEARCH_KEY", "search_key", lambda: secrets.token_urlsafe(32))
]

# HMAC keys of the audit chain, newest first (older ones only verify events written with them).
# Kept outside the database, so that someone who can write to it cannot forge a valid chain.
EMPLUS_AUDIT_KEYS = env_list("EMPLUS_AUDIT_KEY", []) or [
    _required_or_local("EMPLUS_AUDIT_KEY", "audit_key", lambda: secrets.token_urlsafe(32))
]

EMPLUS_SPARSE_DENSITY_MAX = float(os.environ.get("EMPLUS_SPARSE_DENSITY_MAX", "8"))
EMPLUS_ESF_RULES = environment.esf_rules()
# Years after the last exit before `emplus apply-retention` anonymises a participant.
EMPLUS_RETENTION_YEARS = int(os.environ.get("EMPLUS_RETENTION_YEARS", "5"))

# When the start page and the caseload count work as due (docs/operations.md).
EMPLUS_FOLLOWUP_OVERDUE_DAYS = int(os.environ.get("EMPLUS_FOLLOWUP_OVERDUE_DAYS", "30"))
EMPLUS_ASSESSMENT_DUE_WEEKS = int(os.environ.get("EMPLUS_ASSESSMENT_DUE_WEEKS", "8"))
EMPLUS_STALLED_WEEKS = int(os.environ.get("EMPLUS_STALLED_WEEKS", "12"))

# Special-category aggregates (docs/decisions/0015-special-category-aggregates.md): counts of
# these ESF+ indicators and the progression on these self-assessment dimensions are shown only
# for whole organisations and whole calendar blocks of this many months, as sums of safe blocks.
EMPLUS_SPECIAL_CATEGORY_BLOCK_MONTHS = int(
    os.environ.get("EMPLUS_SPECIAL_CATEGORY_BLOCK_MONTHS", "12")
)
EMPLUS_SPECIAL_CATEGORY_INDICATORS = env_list(
    "EMPLUS_SPECIAL_CATEGORY_INDICATORS", ["EECO12", "EECO13", "EECO14", "EECO15"]
)
EMPLUS_SPECIAL_CATEGORY_DIMENSIONS = env_list("EMPLUS_SPECIAL_CATEGORY_DIMENSIONS", ["health"])

# Uploads and uploaded tables (docs/operations.md, "Limits of uploaded files"): a file over the
# size is never stored (the first upload handler skips it), and every CSV/XLSX reader stops at
# the row, column, time and unpacked-size limits (emplus.core.tabular).
EMPLUS_UPLOAD_MAX_BYTES = int(float(os.environ.get("EMPLUS_UPLOAD_MAX_MB", "25")) * 1024 * 1024)
EMPLUS_TABLE_MAX_ROWS = int(os.environ.get("EMPLUS_TABLE_MAX_ROWS", "200000"))
EMPLUS_TABLE_MAX_COLUMNS = int(os.environ.get("EMPLUS_TABLE_MAX_COLUMNS", "200"))
EMPLUS_TABLE_MAX_SECONDS = float(os.environ.get("EMPLUS_TABLE_MAX_SECONDS", "60"))
EMPLUS_XLSX_MAX_UNCOMPRESSED_BYTES = int(
    float(os.environ.get("EMPLUS_XLSX_MAX_UNCOMPRESSED_MB", "200")) * 1024 * 1024
)
EMPLUS_XLSX_MAX_COMPRESSION_RATIO = float(
    os.environ.get("EMPLUS_XLSX_MAX_COMPRESSION_RATIO", "200")
)
FILE_UPLOAD_HANDLERS = [
    "emplus.core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Documents attached to collaborations (PDF and office files): the largest one kept, and where the
# default storage keeps files (a directory outside the code; docs/operations.md).
EMPLUS_DOCUMENT_MAX_BYTES = int(float(os.environ.get("EMPLUS_DOCUMENT_MAX_MB", "10")) * 1024 * 1024)
MEDIA_ROOT = os.environ.get("EMPLUS_MEDIA_DIR", str(VAR_DIR / "media"))
# Form fields and request bodies other than files (the API's JSON included).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    float(os.environ.get("EMPLUS_REQUEST_MAX_MB", "2.5")) * 1024 * 1024
)
# Files above this go to a temporary file instead of memory while they are received.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("EMPLUS_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
