"""Solidarity settings: everything comes from the environment (see .env.example).

With no environment at all the project runs locally on SQLite, prints email to the console and
caches in memory. Production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, EMAIL_URL and CACHE_URL.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# check --deploy flags this key: production must set its own.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only")
# Keys being retired, which still open links sent before the change (see README).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "solidarity.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_countries",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "solidarity",
    "petitions",
    "signatories",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "solidarity.middleware.LocaleMiddleware",
    # Before anything reads the body, after the language is known for its error pages.
    "solidarity.middleware.RequestLimitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "solidarity.lockout.LoginUnavailableMiddleware",
]

ROOT_URLCONF = "solidarity.urls"
WSGI_APPLICATION = "solidarity.wsgi.application"

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
                "django.template.context_processors.csp",
                "solidarity.context_processors.languages",
            ],
        },
    },
]

# Form widgets and field templates come from the same places as every other template.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite file by default, PostgreSQL in production.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        connect_timeout=env.int("DATABASE_CONNECT_TIMEOUT", default=5),
        # A stuck query or lock must fail fast rather than hold a worker forever.
        options="-c statement_timeout={} -c lock_timeout={}".format(
            env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=30_000),
            env.int("DATABASE_LOCK_TIMEOUT_MS", default=5_000),
        ),
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock up front instead of failing half-way through a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://"),
    # Each process's own memory, for what is read on every request and may be seconds stale.
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"},
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "solidarity.rediscache.RedisCache"
    # A Redis that hangs must fail fast, like one that is down: signing carries on uncounted,
    # and logging in answers 503.
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=2, socket_timeout=2)
# django-axes warns about a cache local to one process on every command; check --deploy warns
# about it for axes and the signing rate limit alike (solidarity.W001), where it matters.
SILENCED_SYSTEM_CHECKS = ["axes.W001"]


def mailer(url: str, *, debug: bool = False) -> dict:
    """Turn an EMAIL_URL into a Django MAILERS entry with a finite SMTP timeout.

    While debugging, email on the console keeps its links whole (Django's own backend, which
    `check --deploy` knows for a development one, stays in use everywhere else).
    """
    config = env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    if debug and backend == "django.core.mail.backends.console.EmailBackend":
        return {"BACKEND": "solidarity.mail.EmailBackend"}
    if not backend.endswith("smtp.EmailBackend"):
        return {"BACKEND": backend}
    return {
        "BACKEND": backend,
        "OPTIONS": {
            "host": config["EMAIL_HOST"],
            "port": config["EMAIL_PORT"] or 25,
            "username": config["EMAIL_HOST_USER"],
            "password": config["EMAIL_HOST_PASSWORD"],
            "use_tls": config.get("EMAIL_USE_TLS", False),
            "use_ssl": config.get("EMAIL_USE_SSL", False),
            "timeout": env.int("EMAIL_TIMEOUT", default=10),
        },
    }


MAILERS = {"default": mailer(env("EMAIL_URL", default="consolemail://"), debug=DEBUG)}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Solidarity <noreply@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where links in emails point: the public address of the site.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Email leaves through a durable queue in the database, worked by `manage.py db_worker`; with
# TASKS_BACKEND=immediate it is sent straight after the signature is committed instead.
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }[env("TASKS_BACKEND", default="database")]
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers the files WhiteNoise serves.
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security: secure unless DEBUG says this is a developer's machine.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Readers on monitored networks need HTTPS from their very first visit: preload by default.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# The __Host- prefix makes a browser refuse the cookie unless it is Secure, for this host only.
_COOKIE_PREFIX = "" if DEBUG else "__Host-"
SESSION_COOKIE_NAME = f"{_COOKIE_PREFIX}sessionid"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_NAME = f"{_COOKIE_PREFIX}csrftoken"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "solidarity.views.csrf_failure"
LANGUAGE_COOKIE_NAME = f"{_COOKIE_PREFIX}language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Sessions are for staff only: they end after a working day.
SESSION_COOKIE_AGE = 8 * 60 * 60
# The admin's messages ("Approved 3 signatures.") live in the session, not a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# No form here needs more than this, nor any file: a bigger body is refused before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 128 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 0

# Staff logins: a few failures lock a username whatever the address (a guesser spreading tries
# over many addresses), and lock a network whatever the username (one guessing many accounts);
# an IPv6 client counts as its /64, and both are counted by keyed hashes only. A lock always
# ends after the cool-off. A second factor (TOTP) is required for the admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Attempts made while locked out do not prolong the lock: it ends one cool-off after it began.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "solidarity.lockout.CacheHandler"
AXES_CLIENT_IP_CALLABLE = "solidarity.clients.client_network"
AXES_CLIENT_STR_CALLABLE = "solidarity.clients.client_description"
AXES_LOCKOUT_CALLABLE = "solidarity.login.locked_out"
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Solidarity")

# Abuse defences for the signing form. The client address is read from this request header,
# set by the proxy in front of the site (e.g. X-Real-IP); without it, from the connection.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="")
# How many of our own proxies append to that header (a CDN in front of a balancer makes two).
CLIENT_IP_PROXY_COUNT = env.int("CLIENT_IP_PROXY_COUNT", default=1)
# Signatures from one client address in a window before they are flagged for moderators.
SIGNING_RATE_LIMIT = env.int("SIGNING_RATE_LIMIT", default=10)
SIGNING_RATE_WINDOW_SECONDS = env.int("SIGNING_RATE_WINDOW_SECONDS", default=3600)
# Emails one mailbox may be sent in a day, across every letter and "+tag" address, beyond the
# first about each letter (which always goes).
MAILBOX_DAILY_EMAILS = env.int("MAILBOX_DAILY_EMAILS", default=5)
# Emails the whole site may send in an hour; more wait for the next hour. Set it to what the
# mail provider allows.
SITE_HOURLY_EMAILS = env.int("SITE_HOURLY_EMAILS", default=10_000)
# A form sent back sooner than this after it was shown was not filled in by a person.
SIGNING_MIN_SECONDS = env.int("SIGNING_MIN_SECONDS", default=3)
# Confirmation links work this long (withdrawal links for as long as the letter is open).
CONFIRMATION_MAX_AGE = timedelta(days=env.int("CONFIRMATION_DAYS", default=30))

# CSV exports from the admin are written here by the worker, readable by its owner only, and
# deleted after this many hours (personal data). Several machines need it on shared storage.
EXPORT_ROOT = env.path("EXPORT_ROOT", default=BASE_DIR / "exports")
EXPORT_KEEP = timedelta(hours=env.int("EXPORT_KEEP_HOURS", default=24))

# Signatures shown per page on a letter.
SIGNATURES_PER_PAGE = env.int("SIGNATURES_PER_PAGE", default=50)
# Seconds a public page (a letter, the home page) is kept, by this process and by any cache on the
# way, before it is rendered again: its counts are stale by as much.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=5)
# Seconds between two counts of each letter by `manage.py count_signatures`: a page's count is
# at most this (and the page's own PAGE_CACHE_SECONDS) behind.
COUNTS_EVERY_SECONDS = env.int("COUNTS_EVERY_SECONDS", default=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"link_tokens": {"()": "solidarity.logs.HideLinkTokens"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Lines about a request name its path, and a link's path holds its token.
        "django.request": {"filters": ["link_tokens"]},
        # Django's development server logs each request (as Django sets it up, plus the filter).
        "django.server": {
            "handlers": ["django.server"],
            "filters": ["link_tokens"],
            "level": "INFO",
            "propagate": False,
        },
        # Django's own console handler (while debugging) would print each line a second time.
        "django": {"handlers": []},
        # django-axes announces itself at INFO on every start.
        "axes": {"level": "WARNING"},
        # At DEBUG, Django logs every SQL statement with its values: names and emails.
        "django.db.backends": {"level": "INFO"},
    },
}
