"""Production settings: every secret is required; nothing permissive is inherited."""

from __future__ import annotations

from config.env import env_bool, env_int

from .base import *  # noqa: F403
from .base import DATABASE_URL, PRODUCTION, REDIS_URL

DEBUG = False
if not PRODUCTION:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Load the production settings as DJANGO_SETTINGS_MODULE=config.settings.production, so "
        "that base.py reads every secret from the environment and generates none."
    )
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
