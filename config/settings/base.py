"""Settings shared by every environment. Environment-specific files import * from here."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_int,
    env_list,
    env_optional,
    env_str,
    require_writable_folder,
)
from mda.audit import check_audit_key
from mda.blind_index import check_blind_index_key
from mda.crypto import check_master_keys
from mda.working_hours import check_working_hours

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("MDA_VAR_DIR", str(BASE_DIR / "var"))).resolve()
# Django loads the module named in DJANGO_SETTINGS_MODULE; production.py checks that it is this.
PRODUCTION = os.environ.get("DJANGO_SETTINGS_MODULE") == "config.settings.production"


# --- Secrets and keys, read once --------------------------------------------------------------
# From the environment (or a NAME_FILE). In production each one is required and checked here, so
# a missing or malformed key stops the start-up with its format; anywhere else a development key
# is generated once into var/dev-secrets.json (mode 0600), and production never does that.


if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    _KEYS = {name: env_str(name, "") for name in ("MDA_MASTER_KEYS", "MDA_BLIND_INDEX_KEY")}
    _AUDIT_KEY = env_str("MDA_AUDIT_KEY", "")
else:
    from config.dev_secrets import dev_blind_index_key, dev_master_keys, dev_secret

    # The embedded default writes to VAR_DIR (database, secrets, queue, mail): a folder it cannot
    # write to is said in one line before anything else tries.
    require_writable_folder("MDA_VAR_DIR", VAR_DIR)
    SECRET_KEY = dev_secret(VAR_DIR, "SECRET_KEY")
    _KEYS = {
        "MDA_MASTER_KEYS": dev_master_keys(VAR_DIR),
        "MDA_BLIND_INDEX_KEY": dev_blind_index_key(VAR_DIR),
    }
    _AUDIT_KEY = dev_secret(VAR_DIR, "MDA_AUDIT_KEY")
MDA_MASTER_KEYS = check_master_keys(_KEYS["MDA_MASTER_KEYS"])
MDA_BLIND_INDEX_KEY = check_blind_index_key(
    _KEYS["MDA_BLIND_INDEX_KEY"], master_keys=MDA_MASTER_KEYS
)
MDA_AUDIT_KEY = check_audit_key(_AUDIT_KEY)  # losing it leaves the trail unverifiable

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "mda",
    "casework",
    "scheduling",
    "steering",
    "workbench",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mda.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mda.audit.AuditContextMiddleware",  # audit trail: client address and user agent
    "mda.memberships.MembershipsReadOnceMiddleware",  # the access policy's reads, once a request
    "django_otp.middleware.OTPMiddleware",
    "mda.middleware.RequireTwoFactorMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: the view in one transaction with its one audit event, retried once after a deadlock.
    "mda.transactions.RequestTransactionMiddleware",
]
# --- Audit trail (mda/audit.py): begin ---
# Record the first X-Forwarded-For entry as the client address instead of REMOTE_ADDR. Only behind
# a reverse proxy that sets (overwrites) that header: a client can send any value it likes.
MDA_TRUST_X_FORWARDED_FOR = env_bool("MDA_TRUST_X_FORWARDED_FOR", False)
# Beat writes the sealed head of the chain every this many seconds to its standard output and,
# when set, appends it to MDA_AUDIT_ANCHOR_PATH: a file the web and worker processes cannot
# rewrite (another volume, a mount that ships it off the host). verify_audit checks the latest.
MDA_AUDIT_ANCHOR_SECONDS = env_int("MDA_AUDIT_ANCHOR_SECONDS", 300, minimum=0)
MDA_AUDIT_ANCHOR_PATH = env_str("MDA_AUDIT_ANCHOR_PATH", "")
# --- Audit trail: end ---

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mda.context_processors.navigation",
            ],
        },
    },
]

# --- Database: PostgreSQL when DATABASE_URL is set, else an embedded SQLite file in WAL mode. ---
DATABASE_URL = env_optional("DATABASE_URL")
if DATABASE_URL:
    # Persistent connections, checked before reuse: after a database restart the first request
    # of each thread reconnects instead of failing on a dead connection.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Pages read a page of rows by walking an index until the page is full. The planner cannot
        # tell how soon an EXISTS filter fills it, overrates the walk, and then starts parallel
        # workers or compiles the query (JIT), which costs ten times the query itself.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            "-c max_parallel_workers_per_gather=0 -c jit=off"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "mda.sqlite3"),
            "OPTIONS": {
                # WAL lets the web process read while the worker writes; IMMEDIATE takes the write
                # lock at BEGIN so concurrent writers wait (timeout) instead of failing mid-way.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# Every view runs in one transaction (mda.transactions.RequestTransactionMiddleware opens it, with
# the request's one audit event; ATOMIC_REQUESTS also lets DRF's set_rollback() undo a refused
# request, and covers a view should the middleware ever be left out).
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "mda.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
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
LOGIN_URL = "mda:login"
LOGIN_REDIRECT_URL = "workbench:today"
LOGOUT_REDIRECT_URL = "mda:login"

# --- Sessions: short idle timeout; every request extends the session. ---
MDA_IDLE_TIMEOUT_MINUTES = env_int("MDA_IDLE_TIMEOUT_MINUTES", 15, minimum=1)
SESSION_COOKIE_AGE = MDA_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Two-factor and lockout ---
OTP_TOTP_ISSUER = env_str("MDA_TOTP_ISSUER", "MDA++ Coordinatie")
AXES_FAILURE_LIMIT = env_int("MDA_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("MDA_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Lock the account, not the address: partner offices sit behind one NAT address, and locking it
# would lock out a whole police station after one person's typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Reset only after the second factor (mda.views), not when the password alone was right.
AXES_RESET_ON_SUCCESS = False
# The lockout page promises a fixed time; attempts during the lockout must not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "mda/auth/locked.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Lockout is axes' job; django-otp's own back-off would reject a right code after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0

# --- Internationalisation: Dutch first, English second. ---
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "mda_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Amsterdam"
# One date style in both languages ("1 dec. 2026", "ma 7 dec. 12:00", fields "01-12-2026").
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

# --- Static files, served by the app itself (whitenoise), no CDN. ---
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security headers (tightened further in production.py). ---
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
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
    },
}

# --- E-mail: SMTP when EMAIL_HOST is set, else files in var/mail for a newcomer to read. ---
EMAIL_HOST = env_optional("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "MDA++ <noreply@mda.localhost>")
MDA_BASE_URL = env_str("MDA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Celery: Redis when REDIS_URL is set, else kombu's filesystem transport (no server). ---
REDIS_URL = env_optional("REDIS_URL")
CELERY_TIMEZONE = "UTC"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A worker or beat that cannot reach the broker (Redis down, restarting, not up yet at start-up)
# keeps retrying with a back-off (2 s, growing to 30 s) instead of exiting after Celery's default
# of 100 attempts. MDA_BROKER_CONNECTION_MAX_RETRIES > 0 sets a limit (then runstack or the
# container's restart policy starts it again).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = (
    env_int("MDA_BROKER_CONNECTION_MAX_RETRIES", 0, minimum=0) or None
)
# Delays after faults (README, "After a fault"): a reminder or escalation queued this long ago
# whose message never reached a worker is queued again by the next sweep; an e-mail claimed this
# long ago and not marked sent (its worker died inside SMTP) is sent again.
MDA_ESCALATION_REQUEUE_SECONDS = env_int("MDA_ESCALATION_REQUEUE_SECONDS", 300, minimum=10)
MDA_EMAIL_CLAIM_TIMEOUT_SECONDS = env_int("MDA_EMAIL_CLAIM_TIMEOUT_SECONDS", 600, minimum=60)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_FOLDER = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BEAT_SCHEDULE = {
    "mda-heartbeat": {"task": "mda.tasks.record_heartbeat", "schedule": 30.0},
    # The audit chain (mda/audit.py): seal what committed since the last run, shortly after.
    "mda-audit-seal": {
        "task": "mda.tasks.seal_audit",
        "schedule": env_int("MDA_AUDIT_SEAL_SECONDS", 5, minimum=1),
        "options": {"expires": 5},
    },
    "mda-notification-emails": {"task": "mda.tasks.sweep_notification_emails", "schedule": 60.0},
    # Follow-up check-ins that fell due: each case director is told once (casework/services).
    "casework-check-ins": {
        "task": "casework.tasks.sweep_check_ins",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
    # Retention (casework/services/retention.py): warn, then destroy what is due. Dates, not
    # times, decide, so one run a night (01:30 UTC) does it; a missed night is caught up next.
    "casework-retention": {
        "task": "casework.tasks.sweep_retention",
        "schedule": crontab(hour=1, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # Reminders and escalations (scheduling/services/escalation.py): due steps from the stored due
    # dates; a sweep message older than its interval is dropped, the next one does the same work.
    "scheduling-escalations": {
        "task": "scheduling.tasks.sweep_escalations",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Meetings (scheduling/services/meetings.py, invitations.py): plan series ahead, send invitation
    # updates when participations change, catch up e-mails that never reached a worker.
    "scheduling-meetings": {
        "task": "scheduling.tasks.sweep_meetings",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Partner contributions (scheduling/services/contributions.py): the organisations yet to
    # submit are reminded once, one working day before a slot's information deadline.
    "scheduling-contribution-reminders": {
        "task": "scheduling.tasks.sweep_contribution_reminders",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}
# Meetings outside these hours on working days, or overlapping another meeting of the region,
# ask the coordinator to confirm (mda/working_hours.py).
MDA_WORKING_HOURS = check_working_hours(env_str("MDA_WORKING_HOURS", "08:00-18:00"))

# Working days (mda/workdays.py): the decree days and the regions' closing days are cached this
# long. A change clears the cache at once where it is shared (Redis); with the embedded default
# (a cache per process) the web server, worker and beat see it after at most this many seconds.
MDA_WORKDAYS_CACHE_SECONDS = env_int("MDA_WORKDAYS_CACHE_SECONDS", 300, minimum=1)
# A worker whose last heartbeat is older than this counts as down in /readyz.
MDA_HEARTBEAT_STALE_SECONDS = env_int("MDA_HEARTBEAT_STALE_SECONDS", 120, minimum=30)

# --- REST API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mda.api_auth.BearerTokenAuthentication",
        "mda.api_auth.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "mda.pagination.KeysetPagination",
    "EXCEPTION_HANDLER": "mda.api_errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MDA++ coordination API",
    "DESCRIPTION": (
        "REST API of the coordination service for MDA++ case conferences. Authenticate with "
        "`Authorization: Bearer <token>` (tokens are issued by a functional admin with "
        "`manage.py issue_token`). Errors are JSON objects with a stable `code` and a `message`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]",
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "description": "API token"}
        }
    },
    "SECURITY": [{"bearerAuth": []}],
    # One named enum per choice set of casework (instead of e.g. StatusF83Enum): stable names for
    # API clients, and `check --deploy` stays free of drf-spectacular's naming warnings.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "casework.models.CaseStatus",
        "SafetyPhaseEnum": "casework.models.SafetyPhase",
        "TransitionEnum": "casework.transitions.TRANSITION_CHOICES",
        "CheckInOutcomeEnum": "casework.models.CheckInOutcome",
        "RiskOutcomeEnum": "casework.models.RiskOutcome",
        "TimelineKindEnum": "casework.selectors.timeline.TIMELINE_KINDS",
        # Shared with agreements: without a name it collides with the case status above.
        "AgreementStatusEnum": "casework.models.AgreementStatus",
        # A household member's role, in the referral and the referral as submitted; the
        # membership's role is another choice set with the same field name.
        "MemberRoleEnum": "casework.models.MemberRole",
        # Attendance per meeting and per slot (the checklist) share one choice set.
        "AttendanceStatusEnum": "scheduling.models.AttendanceStatus",
        # A partner contribution's status and the reader's own one on the agenda: one choice set.
        "ContributionStatusEnum": "scheduling.models.ContributionStatus",
        # Subject access: a request's status, and the kind of an entry of a case's content (in
        # the report, the review and a withholding).
        "SubjectAccessStatusEnum": "casework.models.SubjectAccessStatus",
        "ContentKindEnum": "casework.models.ContentKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mda.api_schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

MDA_ENVIRONMENT = "base"
# Demo seeders run in order by `manage.py seed_demo`; later features append theirs.
# In this order: each seeder builds on the ones before it, and each skips what exists already.
MDA_DEMO_SEEDERS = [
    "mda.demo.seed_core",
    "casework.demo.seed_cases",
    "scheduling.demo.agreements.seed_agreements",
    "scheduling.demo.meetings.seed_meetings",
    "scheduling.demo.contributions.seed_contributions",
    "steering.demo.seed_figures",
]
MDA_DEMO_PASSWORD = "mda-demo-2026"  # noqa: S105 - public demo password; seed_demo refuses production
