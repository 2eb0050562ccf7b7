"""Settings for the test suite: the same stack as local, with fast password hashing."""

from __future__ import annotations

from config.dev_secrets import dev_secret

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

DEBUG = False
SECRET_KEY = dev_secret(VAR_DIR, "SECRET_KEY")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so that worker processes started by the tests share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-mda.sqlite3")}
MDA_ENVIRONMENT = "test"
