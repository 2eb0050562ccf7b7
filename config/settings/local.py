"""Settings for a developer's machine and the demo: embedded defaults, generated dev secrets."""

from __future__ import annotations

from config.dev_secrets import dev_secret
from config.env import require_writable_folder

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
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
MDA_ENVIRONMENT = "development"

# whitenoise warns on each request while STATIC_ROOT is missing (production runs collectstatic).
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
