"""Settings shared by every environment, read through one django-environ ``env``.

The embedded default needs no services: without ``DATABASE_URL`` finhub uses
SQLite, and without ``CELERY_BROKER_URL`` Celery runs tasks eagerly in the
calling process. Set either to use PostgreSQL / Redis.
"""

from decimal import Decimal
from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# --- core -----------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# SECRET_KEY is set by each environment module: production has no default.
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: let concurrent readers wait for a writer instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DJANGO_APPS = [
    # finhub's home page, header and list totals: before the admin, whose templates it overrides.
    "apps.dashboard",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "apps.dashboard.admin_config.FinhubAdminConfig",  # django.contrib.admin with the finhub site
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
]
LOCAL_APPS = [
    "apps.core",
    "apps.invoices",
    "apps.ap_balance",
    "apps.reconciliation",
    "apps.purchases",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "apps.core.middleware.WireLanguageMiddleware",
    "apps.core.middleware.QueryStringMiddleware",
    "apps.core.middleware.DeprecationHeaderMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- i18n / time ------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS: list[Path] = []  # each app keeps its own locale/ directory
# One date format in the admin, localised: config/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- static / media -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Raw import bodies go through the default storage: local files under MEDIA_ROOT,
# or an S3-compatible bucket (django-storages) when DJANGO_S3_BUCKET is set, so
# that web and worker processes on different hosts share nothing but PostgreSQL
# and the broker. Credentials come from the usual AWS_* variables or the host's role.
if env("DJANGO_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("DJANGO_S3_BUCKET"),
            "endpoint_url": env("DJANGO_S3_ENDPOINT_URL", default=None),
            "region_name": env("DJANGO_S3_REGION", default=None),
            "location": env("DJANGO_S3_PREFIX", default=""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Bodies of SAP imports are streamed to disk, not held in memory: Django's own
# in-memory limit applies only to ordinary forms and small JSON bodies.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- logging ---------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=55 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60)
# A late-acked import may run long; Redis re-delivers an unacknowledged task (its
# worker died) after this many seconds, so it must exceed the task time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 600),
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "purge-expired-idempotency-keys": {
        "task": "apps.core.tasks.purge_expired_idempotency_records",
        "schedule": 3600.0,
    },
    "sweep-import-jobs": {
        "task": "apps.core.tasks.sweep_import_jobs",
        "schedule": 60.0,
    },
    "purge-import-bodies": {
        "task": "apps.core.tasks.purge_import_bodies",
        "schedule": 3600.0,
    },
    "purge-export-files": {
        "task": "apps.core.tasks.purge_export_files",
        "schedule": 3600.0,
    },
}

# --- cache (throttles) ----------------------------------------------------------
# Throttle counters must be shared by every web process: Django's Redis cache when
# Redis is configured (REDIS_URL, else a Redis broker's URL), local memory on the
# embedded default (one process).
REDIS_URL = env("REDIS_URL", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "finhub",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
THROTTLE_CACHE = "default"
# How many reverse proxies in front of finhub append to X-Forwarded-For; the
# client's address is the one the outermost of them saw. 0: REMOTE_ADDR only, and
# X-Forwarded-For is ignored (a client can write anything there).
DJANGO_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

# --- DRF / OpenAPI ------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "apps.core.authentication.ApiClientTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.permissions.FinanceReadPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "apps.core.api.listing.StrictFilterBackend",
        "apps.core.api.listing.StableOrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.json_guard.GuardedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.errors.api_exception_handler",
    # Per client identity and per client address (apps.core.throttling): the KDP
    # endpoints (the token one per appKey), the KashFlow sign-in (per user name) and
    # the Xunlian endpoint.
    "DEFAULT_THROTTLE_RATES": {
        "kdp": env("KDP_THROTTLE_RATE", default="600/min"),
        "kashflow_signin": env("KASHFLOW_SIGNIN_THROTTLE_RATE", default="30/min"),
        "xunlian": env("RECONCILIATION_THROTTLE_RATE", default="600/min"),
    },
    "NUM_PROXIES": DJANGO_TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "finhub API",
    "DESCRIPTION": "Finance back office: SAP (KDP) imports, Xunlian reconciliation, "
    "KashFlow-compatible purchases and internal read APIs.\n\n"
    "A request line (method, path and query string) longer than 8190 bytes answers "
    "414 URI Too Long from the web server, before any operation: put long filters "
    "in fewer parameters. /api/v1 lists answer 400 for an unknown query parameter or "
    "ordering field.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per KashFlow choice set (ApplicableOn and a line's Type share one),
    # so that `check --deploy` stays clean.
    "ENUM_NAME_OVERRIDES": {
        "ProductOrNominalEnum": ["Product", "Nominal"],
        "PurchaseTypeEnum": ["Purchase", "Expense"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.schema.document_api_v1_errors",
        "apps.purchases.schema.describe_v2_xml",
    ],
    "PREPROCESSING_HOOKS": ["apps.purchases.schema.drop_v2_aliases"],
}

# --- admin --------------------------------------------------------------------
# The history of changes is kept and shown, never reverted (see apps.core.admin_mixins.HistoryAdmin).
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- finhub -------------------------------------------------------------------
# The system codes of the clients that call KDP (the ``sys`` header), as the
# OpenAPI schema declares them; the server checks sys against the calling client.
KDP_SYSTEM_CODES = env.list("KDP_SYSTEM_CODES", default=["pp"])
# Lifetime of a KDP access token.
KDP_TOKEN_TTL_SECONDS = env.int("KDP_TOKEN_TTL_SECONDS", default=2 * 60 * 60)
# Largest body a KDP import accepts (a year of invoices is up to ~700 MB).
KDP_MAX_BODY_BYTES = env.int("KDP_MAX_BODY_BYTES", default=1024 * 1024 * 1024)
# How long a traceId is remembered for replay.
IDEMPOTENCY_RETENTION_HOURS = env.int("IDEMPOTENCY_RETENTION_HOURS", default=72)
# Month in which the fiscal year starts (1 = calendar year).
FISCAL_YEAR_START_MONTH = env.int("FISCAL_YEAR_START_MONTH", default=1)
# Where raw import bodies are kept (a prefix in the default storage).
IMPORT_BODY_DIR = "imports"
# An admin list export to XLSX of at most this many rows is built in the request;
# a larger one by a Celery task into a file downloaded from "Export files".
EXPORT_SYNC_XLSX_ROWS = env.int("EXPORT_SYNC_XLSX_ROWS", default=5000)
# Built export files (and their rows) are deleted this many days after they were asked for.
EXPORT_FILE_RETENTION_DAYS = env.int("EXPORT_FILE_RETENTION_DAYS", default=7)
# A running import writes a heartbeat this often; the sweep (beat, every minute)
# re-queues (or, after IMPORT_MAX_ATTEMPTS attempts, fails) one whose heartbeat is
# older than IMPORT_STALE_AFTER_SECONDS: its worker died whole.
IMPORT_HEARTBEAT_SECONDS = env.float("IMPORT_HEARTBEAT_SECONDS", default=10.0)
IMPORT_STALE_AFTER_SECONDS = env.int("IMPORT_STALE_AFTER_SECONDS", default=180)
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=3)
# Days raw bodies are kept: of applied imports, and of rejected or failed ones
# (0: for ever). The job row (digest, size, counts, errors) always stays.
IMPORT_RETENTION_SUCCEEDED_DAYS = env.int("IMPORT_RETENTION_SUCCEEDED_DAYS", default=400)
IMPORT_RETENTION_FAILED_DAYS = env.int("IMPORT_RETENTION_FAILED_DAYS", default=30)
# The partition swap waits at most this long for its lock, then retries (readers
# are never queued behind it for longer).
IMPORT_SWAP_LOCK_TIMEOUT_MS = env.int("IMPORT_SWAP_LOCK_TIMEOUT_MS", default=2000)
IMPORT_SWAP_ATTEMPTS = env.int("IMPORT_SWAP_ATTEMPTS", default=10)
# Memory for building the indexes of a staged year (per index build).
IMPORT_MAINTENANCE_WORK_MEM = env("IMPORT_MAINTENANCE_WORK_MEM", default="256MB")
# Plausible dates in SAP reports (invoice, due and created dates): anything
# outside is a typo or a placeholder (0001-01-01, 9999-12-31) and refused.
KDP_EARLIEST_DATE = env("KDP_EARLIEST_DATE", default="1970-01-01")
KDP_LATEST_DATE = env("KDP_LATEST_DATE", default="2099-12-31")
# Language of error messages per wire format: (path prefix, header that selects it,
# default). KDP reads its own `lang` header; Xunlian answers in Chinese unless
# Accept-Language asks for English.
WIRE_LANGUAGES = [
    ("/inventory-server/", "lang", "en"),
    ("/reconciliation/", "accept-language", "zh-hans"),
]
# Every JSON body (apps.core.json_guard): deepest nesting of arrays/objects (400
# above) and longest single string or key in characters (413 above).
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=64)
JSON_MAX_STRING_LENGTH = env.int("JSON_MAX_STRING_LENGTH", default=1024 * 1024)
# Xunlian reconciliation: largest statement body, and how far a line's amounts
# may differ from each other (tax = amount x rate, total = amount + tax = qty x price).
RECONCILIATION_MAX_BODY_BYTES = env.int("RECONCILIATION_MAX_BODY_BYTES", default=5 * 1024 * 1024)
RECONCILIATION_AMOUNT_TOLERANCE = Decimal(env.str("RECONCILIATION_AMOUNT_TOLERANCE", default="0.01"))
# Our company's tax id: a statement addressed to another buyer is flagged, not
# matched. Empty: the buyer is not checked (and the match says so).
COMPANY_TAX_ID = env.str("COMPANY_TAX_ID", default="")
# Seconds a re-match waits after purchases of a statement's supplier and period
# changed, so that a burst of changes costs one run per statement.
RECONCILIATION_REMATCH_DELAY_SECONDS = env.int("RECONCILIATION_REMATCH_DELAY_SECONDS", default=30)

# --- KashFlow-compatible purchases API (/v2) ----------------------------------------
# Currency of the books: a purchase without Currency is in it, at rate 1.
KASHFLOW_HOME_CURRENCY = env("KASHFLOW_HOME_CURRENCY", default="GBP")
# Shown as CompanyName when a session starts.
KASHFLOW_COMPANY_NAME = env("KASHFLOW_COMPANY_NAME", default="finhub")
# A session token expires after this many idle minutes (KashFlow: 60).
KASHFLOW_SESSION_IDLE_MINUTES = env.int("KASHFLOW_SESSION_IDLE_MINUTES", default=60)
# Time allowed between sign-in step 1 (POST) and step 2 (PUT).
KASHFLOW_TEMPORARY_TOKEN_MINUTES = env.int("KASHFLOW_TEMPORARY_TOKEN_MINUTES", default=10)
# Lifetime of a long-lived token issued in the admin or by manage.py issue_kashflow_token.
KASHFLOW_LONG_LIVED_TOKEN_DAYS = env.int("KASHFLOW_LONG_LIVED_TOKEN_DAYS", default=365)
# Largest /v2 request body.
KASHFLOW_MAX_BODY_BYTES = env.int("KASHFLOW_MAX_BODY_BYTES", default=5 * 1024 * 1024)
# Server secret mixed into the memorable-word digests (see apps/purchases/sessions.py);
# empty: derived from SECRET_KEY. Set it in production and keep it out of the database.
KASHFLOW_MEMORABLE_WORD_PEPPER = env("KASHFLOW_MEMORABLE_WORD_PEPPER", default="")
# A line VATAmount sent on /v2 is kept as the supplier's invoice has it; one
# further than this from Quantity x Rate x VATLevel is refused (400).
KASHFLOW_VAT_TOLERANCE = Decimal(env("KASHFLOW_VAT_TOLERANCE", default="0.05"))
# The payment method (by name) of a /v2 payment line sent without Method when
# its supplier has none: bank transfer.
KASHFLOW_DEFAULT_PAYMENT_METHOD = env("KASHFLOW_DEFAULT_PAYMENT_METHOD", default="BACS")
# A TrueType font file for the /v2 permalink PDFs (e.g. a Noto CJK font): the
# built-in PDF fonts write Latin-1 only (other characters as "?"); empty: built-in.
KASHFLOW_PDF_FONT = env("KASHFLOW_PDF_FONT", default="")
