"""Settings for klyngeadmin, read from the environment (django-environ).

Every variable has a development default, so `make run` and `make test` need nothing set.
Production sets DEBUG=False, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and EMAIL_URL.
"""

import hashlib
import warnings
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-dev-only-klyngeadmin-change-me-in-production-0123456789",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "djangosaml2",
    "klyngeadmin",
    "clusters",
    "grants",
    "evaluations",
]

MIDDLEWARE = [
    # First: a request body over the cap is refused before anything reads it (413).
    "klyngeadmin.accounts.security.body_cap.RequestBodyCapMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The SAML sign-in's own session (outstanding requests), in a cookie the IdP's POST carries.
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store for signed-in people and the API (after auth: it reads request.user).
    "klyngeadmin.accounts.security.cache_control.NoStoreMiddleware",
    # The UI is Danish unless the person chose English; the API follows Accept-Language.
    "klyngeadmin.kernel.language.UILanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Drafts: stashes a save that arrived after the session expired (klyngeadmin/drafts.py).
    "klyngeadmin.accounts.security.middleware.DraftMiddleware",
    "klyngeadmin.accounts.security.middleware.SessionLifetimeMiddleware",
    "klyngeadmin.accounts.security.middleware.OTPRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A service's refusal (klyngeadmin.kernel.errors) that no view handled: a 400/403/409 page.
    "klyngeadmin.kernel.error_middleware.DomainErrorMiddleware",
    "klyngeadmin.accounts.security.middleware.SecurityLogMiddleware",
    # django-axes last: it turns the lockout signal into the Danish lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "klyngeadmin.urls"
WSGI_APPLICATION = "klyngeadmin.wsgi.application"

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
                "django.template.context_processors.i18n",
                "grants.notifications.context_processors.notifications",
                "klyngeadmin.context_processors.session",
            ],
            # The one date filter, {{ value|dato }} (klyngeadmin/dates.py), in every template.
            "builtins": ["klyngeadmin.templatetags.dates"],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/klyngeadmin"
    )
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The test database is named per checkout (and per xdist worker, which pytest-django suffixes):
# two checkouts on one host running their suites at once must not drop each other's
# test_klyngeadmin. TEST_DATABASE_NAME overrides it.
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
    "TEST_DATABASE_NAME",
    default="test_{}_{}".format(
        DATABASES["default"].get("NAME") or "klyngeadmin",
        hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:8],
    ),
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "klyngeadmin.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username+IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Then failed sign-ins per IP across usernames and per username across IPs (shared cache).
    "klyngeadmin.accounts.security.login_throttle.LoginThrottleBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend; the session's user is read with their cluster (one query less a page).
    "klyngeadmin.accounts.backends.PasswordBackend",
    # Sessions signed in with MitID Erhverv (klyngeadmin/saml): checks no credentials itself.
    "klyngeadmin.saml.backends.MitIDErhvervBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
# Only the built front-end files the templates use are served from node_modules (issue 18,
# finding 10: all of node_modules was public under /static/): DKFDS's dist folder, as
# /static/dkfds/dist/.
STATICFILES_DIRS = [d for d in [BASE_DIR / "static"] if d.exists()] + [
    (f"dkfds/{sub}", BASE_DIR / "node_modules" / "dkfds" / sub)
    for sub in ("dist",) if (BASE_DIR / "node_modules" / "dkfds" / sub).exists()
]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"
# Report attachments (auditor's statement etc.): largest accepted file, in bytes.
REPORT_ATTACHMENT_MAX_BYTES = env.int("REPORT_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Budget and accounts (grants.budgets): configuration, not code.
# Ceiling on cumulative public operating aid as a share of eligible costs (GBER art. 27: 50 %).
AID_INTENSITY_CEILING_PCT = env.int("AID_INTENSITY_CEILING_PCT", default=50)
# A report line whose actual differs from its budget by more than this share of the budget (and
# by more than the amount below) needs a written explanation.
BUDGET_DEVIATION_THRESHOLD_PCT = env.int("BUDGET_DEVIATION_THRESHOLD_PCT", default=10)
BUDGET_DEVIATION_MIN_DKK = env.int("BUDGET_DEVIATION_MIN_DKK", default=50_000)
# The auditor's statement is required when the year's grant spending exceeds this (a call may
# set its own: Call.auditor_statement_threshold_dkk).
AUDITOR_STATEMENT_THRESHOLD_DKK = env.int("AUDITOR_STATEMENT_THRESHOLD_DKK", default=2_000_000)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Mail: console in development, locmem in tests, SMTP (EMAIL_URL) in production.
_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
# The worker tests point a worker subprocess at a file backend (EMAIL_URL=filemail:///dir) or
# a backend of their own; an explicit EMAIL_BACKEND wins over EMAIL_URL.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=_email["EMAIL_BACKEND"])
if env.str("EMAIL_FILE_PATH", default=""):  # an absolute directory for the file backend
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="klyngeadmin <noreply@klyngeadmin.example>")

# The CVR register (clusters/cvr/): CVR_URL is the search endpoint's full URL, ending in
# /cvr-permanent/virksomhed/_search, with HTTP basic auth. Without it, CVR_LOCAL_REGISTER names
# a JSON file of records in the register's shape; with DEBUG on it defaults to the synthetic
# register shipped with the demo data. With neither, company data stays "unknown".
CVR_URL = env.str("CVR_URL", default="")
CVR_USERNAME = env.str("CVR_USERNAME", default="")
CVR_PASSWORD = env.str("CVR_PASSWORD", default="")
CVR_TIMEOUT = env.float("CVR_TIMEOUT", default=5.0)
CVR_RETRIES = env.int("CVR_RETRIES", default=2)
CVR_CIRCUIT_RESET_SECONDS = env.float("CVR_CIRCUIT_RESET_SECONDS", default=60.0)
CVR_LOCAL_REGISTER = env.str(
    "CVR_LOCAL_REGISTER",
    default=str(BASE_DIR / "klyngeadmin" / "demo" / "cvr_register.json.gz") if DEBUG else "",
)
CVR_REFRESH_AFTER_DAYS = 30
CVR_RETRY_SECONDS = env.float("CVR_RETRY_SECONDS", default=30.0)  # first pause; doubles, max 1 h
CVR_BATCH_SIZE = 500

# Digital Post (klyngeadmin/kernel/digitalpost/, grants/cases/delivery.py): decision, hearing
# and award letters go to the cluster's CVR as MeMo messages. With DIGITAL_POST_ENDPOINT set
# they are POSTed there with the client certificate; without it (make run, the tests) the
# offline sender keeps each message under DIGITAL_POST_OFFLINE_DIR.
DIGITAL_POST_ENDPOINT = env.str("DIGITAL_POST_ENDPOINT", default="")
DIGITAL_POST_CLIENT_CERT = env.str("DIGITAL_POST_CLIENT_CERT", default="")
DIGITAL_POST_CLIENT_KEY = env.str("DIGITAL_POST_CLIENT_KEY", default="")
DIGITAL_POST_CA_BUNDLE = env.str("DIGITAL_POST_CA_BUNDLE", default="")
DIGITAL_POST_SENDER_SYSTEM_ID = env.str("DIGITAL_POST_SENDER_SYSTEM_ID", default="klyngeadmin")
DIGITAL_POST_SENDER_CVR = env.str("DIGITAL_POST_SENDER_CVR", default="10150817")  # Erhvervsstyrelsen
DIGITAL_POST_SENDER_LABEL = env.str("DIGITAL_POST_SENDER_LABEL", default="Erhvervsstyrelsen")
DIGITAL_POST_TIMEOUT = env.float("DIGITAL_POST_TIMEOUT", default=10.0)
DIGITAL_POST_OFFLINE_DIR = env.str("DIGITAL_POST_OFFLINE_DIR", default=str(VAR_DIR / "digitalpost"))
DIGITAL_POST_MAX_ATTEMPTS = env.int("DIGITAL_POST_MAX_ATTEMPTS", default=8)
DIGITAL_POST_RETRY_BACKOFF_SECONDS = env.int("DIGITAL_POST_RETRY_BACKOFF_SECONDS", default=60)

# Records filing (klyngeadmin/kernel/records/, grants/cases/records.py): every case, its
# documents and its closing are filed to the ESDH records system; RECORDS_ENDPOINT receives
# the JSON payload (bearer RECORDS_TOKEN); without it the offline adapter writes documents and
# a manifest under RECORDS_OFFLINE_DIR. A filing is retried until acknowledged (no last try).
RECORDS_ENDPOINT = env.str("RECORDS_ENDPOINT", default="")
RECORDS_TOKEN = env.str("RECORDS_TOKEN", default="")
RECORDS_TIMEOUT = env.float("RECORDS_TIMEOUT", default=10.0)
RECORDS_OFFLINE_DIR = env.str("RECORDS_OFFLINE_DIR", default=str(VAR_DIR / "records"))
RECORDS_RETRY_BACKOFF_SECONDS = env.int("RECORDS_RETRY_BACKOFF_SECONDS", default=60)

# Celery: Redis from REDIS_URL; without it an embedded filesystem broker under var/, so the
# worker and beat run the same code with nothing else installed.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
    }
    # Rate limits (klyngeadmin.kernel.ratelimit: API keys, sign-in, registration) are counted here,
    # shared by every process; REDIS_CACHE_URL may name another Redis database for them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "klyngeadmin",
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }
else:
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# The worker never gives up on the broker: it retries forever, with kombu's backoff (2 s,
# 4 s, ... at most 30 s apart), and resumes by itself when Redis is back (issue 18, finding 3).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Activity files with at most this many rows are imported in the request; larger ones by a
# Celery worker while the page shows progress (tests set it to take either path).
CLUSTERS_IMPORT_INLINE_MAX_ROWS = env.int("CLUSTERS_IMPORT_INLINE_MAX_ROWS", default=300)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_TASK_TIME_LIMIT = 600  # well below the broker's visibility_timeout
# Imports whose worker died (clusters/import_sweep.py): a running import writes its heartbeat
# every IMPORT_HEARTBEAT_SECONDS; the beat's sweep (every minute) queues a job again once its
# heartbeat is IMPORT_STALE_SECONDS old and nobody holds its lock, and fails it after
# IMPORT_MAX_ATTEMPTS runs.
IMPORT_HEARTBEAT_SECONDS = env.float("IMPORT_HEARTBEAT_SECONDS", default=10.0)
IMPORT_STALE_SECONDS = env.int("IMPORT_STALE_SECONDS", default=60)
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=3)

# Deadline reminders: the policy is defined once, in grants.reminders.DEFAULT_REMINDER_POLICY
# (who is reminded of which deadlines, how many Danish calendar days before, overdue steps).
# Put only the keys that differ from it here, e.g. {"cluster_days_before": [14, 7, 1, 0]}.
REMINDER_POLICY: dict = {}
# Mail of a notification that keeps failing: retried with backoff, then marked failed.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_BACKOFF_SECONDS = env.int("NOTIFICATION_RETRY_BACKOFF_SECONDS", default=60)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "klyngeadmin API",
    "DESCRIPTION": (
        "Indberetning og statistik for klyngeprogrammet. Fejltekster er på dansk; send "
        "`Accept-Language: en` for engelske. (Error texts are Danish; send "
        "`Accept-Language: en` for English.)"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "grants.constants.ReportStatus",
        "CaseStatusEnum": "grants.constants.CaseStatus",
        "ClusterStatusEnum": "clusters.constants.ClusterStatus",
        "FacilitatedProjectStatusEnum": "clusters.constants.FacilitatedProjectStatus",
    },
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "klyngeadmin.kernel.api.schema.add_problem_responses",
    ],
}
# Per-API-key rate limits (klyngeadmin.kernel.api.throttling); "api_bulk" is the bulk ingest's own.
API_THROTTLE_RATES = {
    "api": env.str("API_THROTTLE_RATE", default="1200/min"),
    "api_bulk": env.str("API_BULK_THROTTLE_RATE", default="60/min"),
}

# Demo accounts use a known password; seed_demo refuses it unless DEBUG or an explicit flag.
DEMO_PASSWORD = "klyngedemo"

# ---------------------------------------------------------------------------------------------
# Security (issue 9). Headers and limits apply in every environment, so the tests and the
# browser tests see the same Content-Security-Policy as production; the transport settings
# (HTTPS redirect, HSTS, secure cookies) only when DEBUG=False.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Request size caps: form posts and JSON bodies, files kept in memory, form field count.
# Above the bulk API's own 32 MiB cap (clusters/api/views.py), which like every API view's
# 1 MiB default answers 413 itself; the reverse proxy caps bodies too (docs/operations.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=33 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=5000)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=20)
# Whole request bodies, refused by Content-Length before they are read (413;
# klyngeadmin/security/body_cap.py): pages' uploads are at most 10 MB, the bulk API 32 MiB.
# The reverse proxy's cap (deploy/Caddyfile, request_body max_size) is the API's.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=12 * 1024 * 1024)
API_MAX_REQUEST_BODY_BYTES = env.int("API_MAX_REQUEST_BODY_BYTES", default=33 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640

# Sessions: a new key on every login (Django's login() cycles it), 30 minutes idle timeout
# (the server-side expiry, renewed by activity at most once a minute so most requests write
# nothing), and an absolute lifetime counted from login
# (klyngeadmin.security.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_RENEW_AFTER_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIFETIME_SECONDS = env.int("SESSION_ABSOLUTE_LIFETIME_SECONDS", default=10 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): 5 failures for one username from one IP lock that
# combination for 15 minutes; the lock lifts by itself, so nobody can lock a user out forever.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False
# The number of reverse proxies in front of gunicorn (docker-compose: 1, Caddy): the client's
# IP is then the one that proxy saw. 0 trusts no X-Forwarded-For at all.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "klyngeadmin.accounts.security.client_ip.client_ip"
# ... and across usernames and IPs (klyngeadmin/security/login_throttle.py; counted in the
# shared cache, Redis when REDIS_URL is set): failures per IP, and per username, in a window.
LOGIN_FAILURE_RATE_PER_IP = env.str("LOGIN_FAILURE_RATE_PER_IP", default="20/15m")
LOGIN_FAILURE_RATE_PER_USERNAME = env.str("LOGIN_FAILURE_RATE_PER_USERNAME", default="20/15m")
# Open registration for calls (evaluations/views_call.py): new organisations per IP.
REGISTRATION_RATE_PER_IP = env.str("REGISTRATION_RATE_PER_IP", default="5/h")

# Second factor (django-otp TOTP) for the authority roles. Tests turn it off in
# tests/conftest.py (see `otp_verify` there) so force_login keeps working.
REQUIRE_2FA = env.bool("REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "klyngeadmin"

# Personal data (docs/personal-data.md): contact persons of clusters that have not signed in
# for this many days, and are no longer involved, are anonymised by the retention job.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=3 * 365)
# A follow-up survey's participant contact (name, e-mail) is cleared this long after the survey
# was answered or expired (grants.outcomes.services.survey_contacts_forget, docs/personal-data.md).
SURVEY_CONTACT_RETENTION_DAYS = env.int("SURVEY_CONTACT_RETENTION_DAYS", default=90)

# Sign-in with MitID Erhverv through NemLog-in (SAML, OIOSAML 3; klyngeadmin/saml). Switched on
# by SAML_IDP_METADATA (production) or SAML_DEV_IDP (the local IdP `make run` uses; refused in
# production by `check --deploy`). docs/operations.md lists what production sets.
# pysaml2 7.5 names a cipher mode that cryptography has moved (it works until cryptography 49).
warnings.filterwarnings("ignore", message="CFB has been moved")
SAML_IDP_METADATA = env.str("SAML_IDP_METADATA", default="")
SAML_SP_ENTITY_ID = env.str("SAML_SP_ENTITY_ID", default="")
SAML_SP_KEY_FILE = env.str("SAML_SP_KEY_FILE", default="")
SAML_SP_CERT_FILE = env.str("SAML_SP_CERT_FILE", default="")
SAML_MIN_LOA = env.str("SAML_MIN_LOA", default="Substantial")
SAML_ACCEPTED_TIME_DIFF = env.int("SAML_ACCEPTED_TIME_DIFF", default=60)
SAML_DEV_IDP = env.bool("SAML_DEV_IDP", default=False)
SAML_DEV_KEYS_DIR = env.path("SAML_DEV_KEYS_DIR", default=VAR_DIR / "saml")
# Password sign-in for cluster people: in production, once NemLog-in is configured, they use
# MitID Erhverv only (local accounts remain for development and the authority's staff).
CLUSTER_PASSWORD_LOGIN = env.bool("CLUSTER_PASSWORD_LOGIN", default=DEBUG or not SAML_IDP_METADATA)
SAML_CONFIG_LOADER = "klyngeadmin.saml.config.config_loader"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CSP_HANDLER = ""  # no inline forms: requests go by redirect, the CSP stays strict
SAML_IGNORE_LOGOUT_ERRORS = True
# The IdP posts its answer from another site: that cookie must be SameSite=None (and Secure).
# Development's local IdP is the same site, so Lax works over plain HTTP.
SAML_SESSION_COOKIE_NAME = "saml_session"
SAML_SESSION_COOKIE_SAMESITE = "Lax" if DEBUG else "None"

HEALTHZ_TIMEOUT_SECONDS = env.float("HEALTHZ_TIMEOUT_SECONDS", default=2.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "klyngeadmin.accounts.security.logging.RedactSecretsFilter"}},
    "formatters": {"json": {"()": "klyngeadmin.accounts.security.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "security": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "klyngeadmin.accounts.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        # pysaml2 logs whole assertions (names, e-mails) at INFO: never below WARNING.
        "saml2": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},  # pysaml2's schemas: "Resource ... already loaded"
        # WeasyPrint (PDF letters) logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "djangosaml2": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # /healthz answers the load balancer over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
