"""A data folder (MDA_VAR_DIR) the embedded default cannot write to is said in one line, with what
to do, by ``manage.py`` and by ``./scripts/demo``: no traceback.

A read-only file system is made for real: a read-only tmpfs mounted over the folder in a private
mount namespace (``unshare``, as any user where user namespaces are allowed; root cannot write to
it either, unlike a folder with mode 0555).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

BASE_DIR = Path(__file__).resolve().parents[2]
READ_ONLY = 'mount -t tmpfs -o ro tmpfs "$0" && exec "$@"'


def embedded_env(var_dir: Path) -> dict[str, str]:
    """The embedded default (no DATABASE_URL or REDIS_URL), with *var_dir* as its data folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"))
    }
    return {**env, "MDA_VAR_DIR": str(var_dir), "PYTHONDONTWRITEBYTECODE": "1"}


def on_read_only_folder(folder: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run *command* while *folder* is a read-only file system (for this command only)."""
    unshare = shutil.which("unshare")
    probe = subprocess.run([unshare or "unshare", "-rm", "true"], capture_output=True, check=False)
    if unshare is None or probe.returncode != 0:
        reason = "unshare -rm (user and mount namespaces) is not available here"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)
    folder.mkdir(exist_ok=True)
    return subprocess.run(
        [unshare, "-rm", "sh", "-c", READ_ONLY, str(folder), *command],
        cwd=BASE_DIR,
        env=embedded_env(folder),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def the_one_line(result: subprocess.CompletedProcess[str], folder: Path) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and not line.startswith("Installing Python dependencies")
    ]
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert line.startswith(f"Error: MDA_VAR_DIR {folder} is not writable")
    assert "set MDA_VAR_DIR to a writable folder" in line
    return line


def test_manage_py_says_in_one_line_that_the_data_folder_is_read_only(tmp_path: Path) -> None:
    folder = tmp_path / "var"
    result = on_read_only_folder(folder, [sys.executable, "manage.py", "migrate", "--no-input"])

    assert "(Read-only file system)" in the_one_line(result, folder)


def test_the_demo_says_in_one_line_that_the_data_folder_is_read_only(tmp_path: Path) -> None:
    folder = tmp_path / "var"
    result = on_read_only_folder(folder, ["./scripts/demo"])

    assert "(Read-only file system)" in the_one_line(result, folder)
    assert "Web UI" not in result.stdout  # it stopped before starting anything


def test_a_data_folder_that_cannot_be_made_is_said_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    folder = blocker / "var"

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=embedded_env(folder),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert "(Not a directory)" in the_one_line(result, folder)
