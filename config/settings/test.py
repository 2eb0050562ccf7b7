"""Settings for the test suite: the same stack as local, with fast password hashing."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

DEBUG = False
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

from config.env import env_optional  # noqa: E402

# ./scripts/test runs the suite in several processes (pytest-xdist: gw0, gw1, ...). Each has its
# own test database (pytest-django suffixes the name), and here its own queue folder, beat
# schedule and cache keys, so that one process never reads what another cached or queued. A
# worker started by a test inherits the variable and so shares its test process's.
_XDIST = env_optional("PYTEST_XDIST_WORKER") or ""
_SUFFIX = f"-{_XDIST}" if _XDIST else ""

# A worker started by the tests (tests/support/worker.py) must use the test database, whose name
# only the test run knows (the file above for SQLite, test_<name> for PostgreSQL).
_MDA_TEST_DB_NAME = env_optional("MDA_TEST_DB_NAME")
if _MDA_TEST_DB_NAME:
    DATABASES["default"]["NAME"] = _MDA_TEST_DB_NAME
MDA_ENVIRONMENT = "test"

from .base import CELERY_BROKER_URL  # noqa: E402

if CELERY_BROKER_URL.startswith("filesystem"):
    # Tests get their own queue folder, so a running demo never takes their messages (or v.v.).
    CELERY_BROKER_FOLDER = VAR_DIR / f"test-broker{_SUFFIX}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / f"test-celerybeat-schedule{_SUFFIX}")
if _XDIST:
    from .base import CACHES

    CACHES["default"]["KEY_PREFIX"] = f"test{_SUFFIX}"

# whitenoise warns on each request while STATIC_ROOT is missing (production runs collectstatic).
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
