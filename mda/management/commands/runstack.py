"""Run web, one Celery worker and exactly one beat together; Ctrl-C stops all of them.

Each child runs in its own session (process group), so a signal to the group reaches the
worker's pool processes too, and nothing is left behind when this command ends.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time
from typing import IO, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat in the foreground."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Where the web UI listens")
        parser.add_argument("--gunicorn", action="store_true", help="Serve with gunicorn")

    def _commands(self, addr: str, gunicorn: bool) -> dict[str, list[str]]:
        python = sys.executable
        var = settings.VAR_DIR
        worker_flags = ["--concurrency", "2", "-n", "worker@%h"]
        if settings.CELERY_BROKER_URL.startswith("filesystem"):
            # The filesystem transport has no fan-out, which gossip and mingle need.
            worker_flags += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        web = (
            [python, "-m", "gunicorn", "config.wsgi", "-b", addr, "-w", "2"]
            if gunicorn
            else [python, "manage.py", "runserver", addr, "--noreload"]
        )
        return {
            "web": web,
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-l",
                "info",
                *worker_flags,
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "-l",
                "info",
                "--pidfile",
                str(var / "celerybeat.pid"),
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ],
        }

    def handle(self, *args: Any, **options: Any) -> None:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Links in e-mails and calendar files point where the web UI listens, unless configured.
        if not (os.environ.get("MDA_BASE_URL") or os.environ.get("MDA_BASE_URL_FILE")):
            os.environ["MDA_BASE_URL"] = base_url_for(options["addr"])
        pidfile = settings.VAR_DIR / "celerybeat.pid"
        if pidfile.exists() and not _pid_alive(pidfile):
            pidfile.unlink()  # left by a beat that was killed; a live one keeps beat unique
        children: dict[str, subprocess.Popen[bytes]] = {}
        selector = selectors.DefaultSelector()
        for name, command in self._commands(options["addr"], options["gunicorn"]).items():
            proc = subprocess.Popen(  # noqa: S603 - fixed argument lists, no shell
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            children[name] = proc
            assert proc.stdout is not None
            selector.register(proc.stdout, selectors.EVENT_READ, name)
        stop = {"requested": False}

        def request_stop(signum: int, frame: Any) -> None:
            stop["requested"] = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self.stdout.write(f"Web UI on http://{options['addr']}/ — press Ctrl-C to stop everything.")
        exit_code = 0
        try:
            while not stop["requested"]:
                for key, _mask in selector.select(timeout=0.5):
                    _relay(key.data, key.fileobj)  # type: ignore[arg-type]
                dead = [n for n, p in children.items() if p.poll() is not None]
                if dead:
                    self.stderr.write(f"{', '.join(dead)} stopped unexpectedly; stopping all.")
                    exit_code = 1
                    break
        finally:
            _stop_all(children)
            for key in list(selector.get_map().values()):
                _drain(key.data, key.fileobj)  # type: ignore[arg-type]
        self.stdout.write("All processes stopped.")
        if exit_code:
            sys.exit(exit_code)


def _pid_alive(pidfile: Any) -> bool:
    try:
        os.kill(int(pidfile.read_text().strip()), 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def _relay(name: str, stream: IO[bytes]) -> None:
    line = stream.readline()
    if line:
        sys.stdout.write(f"{name:>6} | {line.decode(errors='replace')}")
        sys.stdout.flush()


def _drain(name: str, stream: IO[bytes]) -> None:
    for line in stream:
        sys.stdout.write(f"{name:>6} | {line.decode(errors='replace')}")


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def _stop_all(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in children.values():
        if proc.poll() is None:
            proc.terminate()  # the leader shuts its own pool down (Celery's warm shutdown)
    deadline = time.monotonic() + GRACE_SECONDS
    for proc in children.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for proc in children.values():
        _signal_group(proc, signal.SIGKILL)  # sweep the group: whatever is left of a pool
        proc.wait()


def base_url_for(addr: str) -> str:
    """The address people reach the web UI at when it listens on *addr* ("8001",
    "0.0.0.0:8001", "127.0.0.1:8001"): a wildcard host is reached as 127.0.0.1."""
    host, _sep, port = addr.rpartition(":")
    if not host:
        host, port = "", addr
    if host in {"", "0.0.0.0", "::", "[::]"}:  # noqa: S104 - a listening address, not a bind
        host = "127.0.0.1"
    return f"http://{host}:{port}"
