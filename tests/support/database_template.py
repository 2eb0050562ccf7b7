"""The embedded (SQLite) test database, migrated once and then copied.

Migrating an empty database takes seconds in every test process, and it gives the same file
each time as long as the migrations, the dependencies and the installed apps stay the same. After
a process has migrated its test database it keeps a copy in ``var/`` named after those three;
the next run's processes copy it and let Django's migrate find nothing left to apply. A change to
any migration, to the lock file or to ``INSTALLED_APPS`` gives a new name, so a stale copy is
never used. PostgreSQL is created as before.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


def _sqlite_test_name() -> Path | None:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        return None
    name = connection.settings_dict["TEST"].get("NAME")
    if not name or name == ":memory:" or "mode=memory" in str(name):
        return None  # an in-memory database has no file to copy
    return Path(name)


def _template() -> Path:
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for path in sorted(base.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    digest.update((base / "requirements" / "dev.lock").read_bytes())
    digest.update(repr(settings.INSTALLED_APPS).encode())
    return Path(settings.VAR_DIR) / f"test-template-{digest.hexdigest()[:16]}.sqlite3"


def _remove(database: Path) -> None:
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        path.unlink(missing_ok=True)


def restore() -> bool:
    """Put a copy of the migrated template in place of this process's test database; whether
    there was one (then the database is to be kept, not created)."""
    database = _sqlite_test_name()
    if database is None:
        return False
    template = _template()
    if not template.exists():
        return False
    _remove(database)
    shutil.copyfile(template, f"{database}.copying")
    os.replace(f"{database}.copying", database)
    return True


def save() -> None:
    """Keep a copy of this process's freshly migrated test database as the template."""
    database = _sqlite_test_name()
    if database is None:
        return
    template = _template()
    if template.exists():
        return
    for old in template.parent.glob("test-template-*.sqlite3"):
        old.unlink(missing_ok=True)
    partial = Path(f"{template}.{os.getpid()}")
    source = sqlite3.connect(database)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)  # consistent, with what is still in the write-ahead log
    finally:
        target.close()
        source.close()
    os.replace(partial, template)
