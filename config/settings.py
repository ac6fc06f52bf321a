"""Colloque settings: one module, every deployment choice read from the environment.

The README's configuration table lists each variable; keep the two in step.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


DEBUG = env_bool("DEBUG", False)

# Development gets a fixed, obviously unsafe key so `make run` needs no configuration;
# production must set its own (`check --deploy` refuses the development one).
# production must set its own: `check --deploy` flags this one (security.W009).
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-development-only-key"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    "config.apps.ColloqueAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    # Before rest_framework.authtoken: its `drf_create_token` command is replaced by one that
    # refuses (its tokens are not accepted) and points to `create_api_token`.
    "accounts",
    # Only for the migration that turned its tokens into API tokens (accounts.ApiToken, stored
    # as digests): its admin page is unregistered, its TokenAuthentication replaced.
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "audit",
    "organisations",
    "notices",
    "events",
    "speakers",
    "registrations",
    "payments",
    "badges",
    "checkin",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.content_security_policy.DocumentCSPMiddleware",
    "config.permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "common.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who acts and through what, for the audit trail (issue 13): after the user is known.
    "audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "events.context_processors.language_links",
                "notices.context_processors.accessibility",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Stock SQLite settings give "database is locked" under concurrent writers. WAL lets
    # readers run beside the writer; IMMEDIATE takes the write lock when a transaction
    # starts, so two writers queue on the busy timeout instead of deadlocking on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# django-axes checks every login before Django's own backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins: after LOGIN_FAILURE_LIMIT failures for one account, or from one address, that
# account or address is refused for LOGIN_COOLOFF_MINUTES (each further attempt restarts the
# wait). A successful login forgets the failures; so does a password reset by email
# (accounts/views.py). The client's address is read as the rate limiter reads it
# (TRUSTED_PROXIES).
LOGIN_FAILURE_LIMIT = max(env_int("LOGIN_FAILURE_LIMIT", 5), 1)
LOGIN_COOLOFF_MINUTES = max(env_int("LOGIN_COOLOFF_MINUTES", 15), 1)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "registrations.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# The attempts log is registered in the admin by accounts/admin.py, for superusers only.
AXES_ENABLE_ADMIN = False
# No "AXES: BEGIN" banner at every start of a command.
AXES_VERBOSE = False

# --- Languages and time -----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr", "en")
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The scanner page's QR decoder where the browser has no BarcodeDetector: served from
    # here like everything else, never from a CDN (`npm ci` installs it from the lock file).
    ("vendor/jsqr", BASE_DIR / "node_modules" / "jsqr" / "dist"),
]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
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
# Uploads above this stay on disk instead of memory; speaker photos are capped at 10 MB.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# A worker sending an email holds it this many seconds; should the worker die meanwhile, another
# takes the email over once they have passed. Longer than a send can take (several round trips
# of up to EMAIL_TIMEOUT each), or a slow send is made twice.
EMAIL_DELIVERY_LEASE = max(env_int("EMAIL_DELIVERY_LEASE", 300), 1)
EMAIL_SUBJECT_PREFIX = os.environ.get("EMAIL_SUBJECT_PREFIX", "[Colloque] ")
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Colloque <noreply@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Background tasks -------------------------------------------------------------------------
# The database backend everywhere, development included (`make run` starts its worker): delayed
# and retried work behaves as in production, and no request waits on a mail server. The tests
# choose the immediate backend where they need it.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Programme changes (a session moved, cancelled…) are emailed once they have settled: one email
# per person gathers the changes of an event made until PROGRAMME_UPDATE_DELAY seconds passed
# without another (see registrations/programme_updates.py).
PROGRAMME_UPDATE_DELAY = max(env_int("PROGRAMME_UPDATE_DELAY", 600), 0)

# --- Security ---------------------------------------------------------------------------------
# Secure defaults whenever DEBUG is off; each one can be relaxed behind a proxy that does it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts, styles, images and fonts
# from the site itself only; an inline script or style runs only with the response's nonce
# (`{{ request.csp_nonce }}`); no inline style attributes. Card payments leave for Stripe
# Checkout through a form, hence its address in form-action.
_media_origin = MEDIA_URL.split("/", 3)[:3] if "://" in MEDIA_URL else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *(["/".join(_media_origin)] if _media_origin else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, "https://checkout.stripe.com"],
    }
}
# Browser features no page uses are switched off; the scanner page alone turns the camera
# on for the site itself (config/permissions_policy.py).
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "hid": [],
    "midi": [],
    "magnetometer": [],
    "gyroscope": [],
    "accelerometer": [],
    "display-capture": [],
    "browsing-topics": [],
}

# --- Cache and rate limits --------------------------------------------------------------------
# The cache holds the rate limits' counters and the door's scanner devices (revoked at once on
# every worker: checkin/services.py). Local memory (the default) is per process: fine for
# one process (development, tests); with several gunicorn workers, give them a shared cache,
# CACHE_URL=redis://127.0.0.1:6379/1 (the `redis` package is installed with Colloque).
# `check --deploy` requires it (registrations.checks).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": CACHE_URL or "colloque",
        }
    }
# Attempts per client address on the public registration form and on invitation answers:
# "<count>/<period>", the period in s, m, h or d, optionally with a number ("20/10m").
REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT") or "20/10m"
# Reverse proxies in front of the application that append the client's address to
# X-Forwarded-For. 0 (the default): the client's address is REMOTE_ADDR, and X-Forwarded-For,
# which any client can write, is ignored.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

# --- Payments (Stripe Checkout) ---------------------------------------------------------------
# Without STRIPE_SECRET_KEY card payment is shown as unavailable (the demo); paid registrations
# then wait in "pending payment" for the organisers. The webhook, at /payments/stripe/webhook/,
# refuses every event while STRIPE_WEBHOOK_SECRET is empty.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# How long a seat is held while its buyer pays; Stripe requires at least 30 minutes and at
# most 24 hours for a Checkout Session's expiry.
# Speaker photos of more pixels are refused from their header, before decoding: decoding costs
# memory in proportion to the pixels (a few bytes each, several copies while processing).
PHOTO_MAX_PIXELS = max(env_int("PHOTO_MAX_PIXELS", 25_000_000), 1)

PAYMENT_HOLD_MINUTES = min(max(env_int("PAYMENT_HOLD_MINUTES", 30), 30), 24 * 60)
# Invoices (bank transfer), by `process_unpaid_invoices`: a reminder INVOICE_REMINDER_DAYS
# before the invoice is due. Each organisation sets its own payment terms (due date) and when
# an unpaid seat is released after it; INVOICE_RELEASE_DAYS is now only the payment terms given
# to new organisations (organisations.models.default_payment_terms).
INVOICE_REMINDER_DAYS = max(env_int("INVOICE_REMINDER_DAYS", 7), 1)
INVOICE_RELEASE_DAYS = max(env_int("INVOICE_RELEASE_DAYS", 30), 1)

# --- Retention of personal data (registrations/retention.py, `apply_retention`) ---------------
# Each organisation sets its own periods, its audit trail's included; these are the periods of
# what belongs to no organisation: the site-wide entries of the audit trail and Django's admin
# history (`django_admin_log`), in months, and the outbox's emails tied to no event (password
# resets, bank details changed, retention reports), in days from when each was written.
AUDIT_RETENTION_MONTHS = max(env_int("AUDIT_RETENTION_MONTHS", 36), 1)
OUTBOX_RETENTION_DAYS = max(env_int("OUTBOX_RETENTION_DAYS", 90), 1)

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # A person's API tokens, stored as digests (accounts.ApiToken), `Token <key>` as before.
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ReadOnlyOrOrganiser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "PAGE_SIZE": 50,
    # Writes of the API (see api/throttling.py); same format as REGISTRATION_RATE_LIMIT.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON") or "30/m",
        "user": os.environ.get("API_THROTTLE_USER") or "120/m",
    },
    "NUM_PROXIES": TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Colloque API",
    "DESCRIPTION": "Programmes, sessions and speakers of the events run with Colloque.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise fetch a validation badge from another site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "events.models.Event.Status",
        "SessionStatusEnum": "events.models.Session.Status",
        "CheckInResultEnum": "checkin.models.CheckIn.Result",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # The factur-x library tells of each step of each invoice it embeds at INFO.
        "factur-x": {"level": "WARNING"},
        # The Stripe library writes each request's and answer's body at DEBUG, the payer's
        # email among them (customer_email), and Stripe's error messages, which may quote it,
        # at INFO: never, whatever LOG_LEVEL says (issue 13). Our own lines say what failed.
        "stripe": {"level": "WARNING"},
    },
}
