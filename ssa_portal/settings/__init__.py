"""Settings for SSA Portal, read from environment variables only.

With no variable set, the portal runs on the embedded default: SQLite, Celery tasks eager, email to the console,
uploads under ``var/``. ``DATABASE_URL`` switches to Postgres, ``REDIS_URL`` to the Redis broker and cache.
Production (``ssa_portal.settings.production``) differs only by environment variables and refuses to start without
a real ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.FileAwareEnv()  # every NAME may also come from NAME_FILE (docker secrets)

# Off unless asked for: a debug page shows the settings (the database password among them). `make run` asks.
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="embedded-default-insecure-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

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
    "django_celery_beat",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "core",
    "accounts",
    "eligibility",
    "certification",
    "repairs",
    "parts",
    "support",
    "review",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.ControlCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "core.middleware.AuditContextMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "core.tenancy.TenantMiddleware",
]

ROOT_URLCONF = "ssa_portal.urls"
WSGI_APPLICATION = "ssa_portal.wsgi.application"
ASGI_APPLICATION = "ssa_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    if env.bool("DATABASE_POOL", default=True):
        # psycopg 3's pool, one per process; gunicorn's sync workers each hold their own.
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=1),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": 10,
        }
    DATABASES["default"]["TEST"] = {"NAME": env.str("DATABASE_TEST_NAME", default="test_ssa_portal")}
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
# A connection that died with the database (a restart, a failover) is replaced on checkout instead of failing
# one request each; with the pool, Django hands psycopg's ``ConnectionPool.check_connection`` to the pool for this.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ssa",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# How long one inventory import may run before it stops with a message. Without a worker (eager) it runs inside
# the upload request, so it must end before the web server's timeout (gunicorn --timeout 120 in the Dockerfile).
IMPORT_MAX_SECONDS = env.int("IMPORT_MAX_SECONDS", default=100 if CELERY_TASK_ALWAYS_EAGER else 30 * 60)
# Longer than the longest job (a 100 000-row import), so Redis does not redeliver a task still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=4 * 3600)}
# How soon a worker looks for tasks a dead worker left unacknowledged (kombu's defaults unless set).
for _option in ("unacked_restore_interval", "unacked_restore_throttle"):
    if env.str(f"CELERY_{_option.upper()}", default=""):
        CELERY_BROKER_TRANSPORT_OPTIONS[_option] = env.int(f"CELERY_{_option.upper()}")
CELERY_TASK_DEFAULT_QUEUE = "ssa"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Europe/Berlin"
CELERY_IMPORTS = ["core.tasks"]
# Periodic jobs; beat (one instance) copies these into django-celery-beat's tables, where operators may adjust them.
CELERY_BEAT_SCHEDULE = {
    "notification-emails": {
        "task": "core.tasks.run_periodic_job",
        "schedule": 600.0,
        "args": ["notification_emails"],
    },
    "certification-deadlines": {
        "task": "core.tasks.run_periodic_job",
        "schedule": crontab(hour=6, minute=0),
        "args": ["certification_deadlines"],
    },
    "device-imports-stuck": {
        "task": "core.tasks.run_periodic_job",
        "schedule": 600.0,
        "args": ["device_imports_stuck"],
    },
    "credit-lines": {
        "task": "core.tasks.run_periodic_job",
        "schedule": crontab(hour=5, minute=30),
        "args": ["credit_lines"],
    },
    "core-returns": {
        "task": "core.tasks.run_periodic_job",
        "schedule": crontab(hour=5, minute=0),
        "args": ["core_returns"],
    },
}

# --- Billing --------------------------------------------------------------------------------------------------
# The seller on invoices and statements: Apple's entity for the programme, as operators configure it.
INVOICE_SELLER = {
    # The programme's German seller, who charges German VAT; the VAT id default is a placeholder to configure.
    "name": env.str("INVOICE_SELLER_NAME", default="Apple GmbH"),
    "address": env.str("INVOICE_SELLER_ADDRESS", default="Arnulfstraße 19\n80335 München\nDeutschland"),
    "country": env.str("INVOICE_SELLER_COUNTRY", default="DE"),
    "vat_id": env.str("INVOICE_SELLER_VAT_ID", default="DE123456789"),
    "bank": env.str("INVOICE_SELLER_BANK", default="Example Bank AG"),
    "iban": env.str("INVOICE_SELLER_IBAN", default="DE02 1203 0000 0000 2020 51"),
    "bic": env.str("INVOICE_SELLER_BIC", default="BYLADEM1001"),
}

# --- Auth -----------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# The tenant, and the two lookups the kernel's tenancy middleware asks the accounts layer for.
TENANT_MODEL = "accounts.Organisation"
TENANCY = {
    "MEMBERSHIP": "accounts.selectors.membership_get",
    "TOKEN_USER": "accounts.services.api_token_authenticate",
}
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[SSA Portal] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "SSA Portal"

# --- Email ----------------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SSA Portal <noreply@ssa-portal.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language and time ----------------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
# Second: formal-German overrides of third-party (allauth) strings; Django's `makemessages` writes only to the first.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
LANGUAGE_COOKIE_NAME = "ssa_language"
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "uploads")))
# Uploads are private: no MEDIA_URL is served; files go out through views that check tenant and role.
MEDIA_URL = "/uploads-are-not-served/"  # a prefix nothing routes; Django's live server wants a string
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_STORAGE", default="django.contrib.staticfiles.storage.StaticFilesStorage"),
    },
}
# With DEBUG off (the default) runserver serves no static files; WhiteNoise serves them from the apps' folders.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST API -------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/minute"),
        "user": env.str("THROTTLE_USER", default="1200/minute"),
        "reviewer_action": env.str("THROTTLE_REVIEWER_ACTION", default="120/minute"),
        "upload": env.str("THROTTLE_UPLOAD", default="60/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SSA Portal API",
    "DESCRIPTION": "REST API of the portal for Apple's Self-Servicing Account programme.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its documentation are for signed-in users (session or token), not for anyone who asks.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "APPEND_COMPONENTS": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    },
    "SECURITY": [{"bearerAuth": []}, {"cookieAuth": []}],
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Membership.Role",
        # Several models have a ``kind``: each enumeration gets its own name.
        "KindEnum": "certification.models.CertificationKind",
        "PartKindEnum": "parts.models.Part.Kind",
        "InvoiceKindEnum": "parts.models.Invoice.Kind",
        "InvoiceLineKindEnum": "parts.models.InvoiceLine.Kind",
    },
    # the contract's error answers (400, 401, 403, 404, 409, 413, 415, 429) on every operation that can give them
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.openapi.add_error_responses"],
}

# --- Security -------------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"  # the inline document viewer opts in per view
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "celery.app.trace": {"level": env.str("CELERY_TRACE_LOG_LEVEL", default="WARNING")},
    },
}
USE_X_FORWARDED_FOR = env.bool("USE_X_FORWARDED_FOR", default=False)
# How many proxies in front of the portal append to X-Forwarded-For; the client is the entry that many from the right.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
