"""Typed, strict reading of environment variables.

Every getter accepts ``NAME`` or ``NAME_FILE`` (a path whose contents are the value), so secrets
can come from Docker/Kubernetes secret files. A value that cannot be parsed raises
``StartupError`` (an ``ImproperlyConfigured``) with a message that says what to do, so a wrong
setting fails at start-up; ``manage.py`` prints such a message as one line, without a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


class StartupError(ImproperlyConfigured):
    """A setting or the environment is wrong; the message says what is wrong and what to do."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        if not path.is_file():
            raise StartupError(f"{name}_FILE points to {file_name}, which is not a file.")
        return path.read_text(encoding="utf-8").strip()
    return os.environ.get(name)


def env_str(name: str, default: str | None = None) -> str:
    """The variable's value; *default* when unset or empty, and without a default it is required."""
    value = _raw(name)
    if value is None or value == "":
        if default is None:
            raise StartupError(
                f"The environment variable {name} (or {name}_FILE) is required but not set."
            )
        return default
    return value


def env_optional(name: str) -> str | None:
    value = _raw(name)
    return value or None


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise StartupError(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise StartupError(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise StartupError(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def require_writable_folder(name: str, folder: Path) -> Path:
    """*folder* (from the setting *name*) created if need be and proven writable, or a
    StartupError that says so in one line."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise StartupError(
            f"{name} {folder} is not writable ({error.strerror or error}): set {name} to a "
            "writable folder (it holds the embedded database, development secrets, the queue "
            "and the mail folder)."
        ) from None
    return folder
