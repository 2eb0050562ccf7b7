"""Settings for the test suite: the same stack as local, with fast password hashing."""

from __future__ import annotations

from config.dev_secrets import dev_secret
from config.env import require_writable_folder

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

DEBUG = False
# The embedded default writes here (database, secrets, queue, mail): a read-only folder is said in
# one line before anything else tries.
require_writable_folder("MDA_VAR_DIR", VAR_DIR)
SECRET_KEY = dev_secret(VAR_DIR, "SECRET_KEY")

# --- Field encryption (mda/crypto.py) and blind index (mda/blind_index.py): begin ---
# Generated once into var/dev-secrets.json unless set in the environment (or a *_FILE).
from config.dev_secrets import dev_blind_index_key, dev_master_keys  # noqa: E402
from mda.blind_index import check_blind_index_key  # noqa: E402
from mda.crypto import check_master_keys  # noqa: E402

MDA_MASTER_KEYS = check_master_keys(dev_master_keys(VAR_DIR))
MDA_BLIND_INDEX_KEY = check_blind_index_key(
    dev_blind_index_key(VAR_DIR), master_keys=MDA_MASTER_KEYS
)
# --- Field encryption and blind index: end ---
# --- Audit trail (mda/audit.py): begin ---
# The hash chain's HMAC key, generated once into var/dev-secrets.json unless set in the environment.
from mda.audit import check_audit_key  # noqa: E402

MDA_AUDIT_KEY = check_audit_key(dev_secret(VAR_DIR, "MDA_AUDIT_KEY"))
# --- Audit trail: end ---
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

# A worker started by the tests (tests/support/worker.py) must use the test database, whose name
# only the test run knows (the file above for SQLite, test_<name> for PostgreSQL).
_MDA_TEST_DB_NAME = env_optional("MDA_TEST_DB_NAME")
if _MDA_TEST_DB_NAME:
    DATABASES["default"]["NAME"] = _MDA_TEST_DB_NAME
MDA_ENVIRONMENT = "test"

from .base import CELERY_BROKER_URL  # noqa: E402

if CELERY_BROKER_URL.startswith("filesystem"):
    # Tests get their own queue folder, so a running demo never takes their messages (or v.v.).
    CELERY_BROKER_FOLDER = VAR_DIR / "test-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "test-celerybeat-schedule")

# whitenoise warns on each request while STATIC_ROOT is missing (production runs collectstatic).
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
