"""Secrets for the embedded demo and tests, generated once into var/dev-secrets.json (mode 0600).

Production settings never import this module: there, every secret comes from the environment.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from config.env import env_optional


def _token() -> str:
    return secrets.token_urlsafe(48)


def dev_secret(var_dir: Path, name: str, generate: Callable[[], str] = _token) -> str:
    """Return the environment's value for *name* (or NAME_FILE), else a generated one kept in var/.

    Generation holds a lock, so two processes starting at once (tests, runstack) cannot each
    write a different key and leave data encrypted under the one that lost.
    """
    configured = env_optional(name)
    if configured:
        return configured
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "dev-secrets.json"
    with open(var_dir / "dev-secrets.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        values: dict[str, str] = {}
        if path.exists():
            values = json.loads(path.read_text(encoding="utf-8"))
        if name not in values:
            values[name] = generate()
            _write_private(path, values)
            print(
                f"WARNING: generated a development {name} in {path} (mode 0600). "
                "Never use this file in production.",
                file=sys.stderr,
            )
    return values[name]


def _write_private(path: Path, values: dict[str, str]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)  # O_CREAT keeps the mode of a leftover file
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(values, handle)
    os.replace(temporary, path)


# --- Field encryption keys (mda/crypto.py, mda/blind_index.py) ---


def _random_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def dev_master_keys(var_dir: Path) -> str:
    """MDA_MASTER_KEYS for development and tests: one generated version, "1:<key>"."""
    return dev_secret(var_dir, "MDA_MASTER_KEYS", lambda: f"1:{_random_key()}")


def dev_blind_index_key(var_dir: Path) -> str:
    """MDA_BLIND_INDEX_KEY for development and tests, generated apart from the master keys."""
    return dev_secret(var_dir, "MDA_BLIND_INDEX_KEY", _random_key)
