"""Production settings: every secret is required; nothing permissive is inherited."""

from __future__ import annotations

from config.env import env_bool, env_int, env_str

from .base import *  # noqa: F403
from .base import DATABASE_URL, REDIS_URL

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")

# --- Field encryption (mda/crypto.py) and blind index (mda/blind_index.py): begin ---
# Required; checked here so that a missing or malformed key stops the start-up with the format.
from mda.blind_index import check_blind_index_key  # noqa: E402
from mda.crypto import check_master_keys  # noqa: E402

MDA_MASTER_KEYS = check_master_keys(env_str("MDA_MASTER_KEYS", ""))
MDA_BLIND_INDEX_KEY = check_blind_index_key(
    env_str("MDA_BLIND_INDEX_KEY", ""), master_keys=MDA_MASTER_KEYS
)
# --- Field encryption and blind index: end ---
# --- Audit trail (mda/audit.py): begin ---
# Required: the HMAC key of the audit hash chain. Losing it makes the trail unverifiable.
from mda.audit import check_audit_key  # noqa: E402

MDA_AUDIT_KEY = check_audit_key(env_str("MDA_AUDIT_KEY", ""))
# --- Audit trail: end ---
if not DATABASE_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Production needs DATABASE_URL (PostgreSQL), e.g. postgres://...")
if not REDIS_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Production needs REDIS_URL for Celery, e.g. redis://redis:6379/0")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Secure-sessionid"
CSRF_COOKIE_NAME = "__Secure-csrftoken"
MDA_ENVIRONMENT = "production"
