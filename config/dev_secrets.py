"""Secrets for the embedded demo and tests, generated once into var/dev-secrets.json (mode 0600).

Production settings never import this module: there, every secret comes from the environment.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path


def dev_secret(var_dir: Path, name: str) -> str:
    """Return the environment's value for *name*, else a generated one kept in var/."""
    if os.environ.get(name):
        return os.environ[name]
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "dev-secrets.json"
    values: dict[str, str] = {}
    if path.exists():
        values = json.loads(path.read_text(encoding="utf-8"))
    if name not in values:
        values[name] = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(values, handle)
        print(
            f"WARNING: generated a development {name} in {path} (mode 0600). "
            "Never use this file in production.",
            file=sys.stderr,
        )
    return values[name]
