"""Run web, one Celery worker and exactly one beat together; Ctrl-C (or SIGTERM) stops all of them.

Each child runs in its own session (process group), so a signal to the group reaches the
worker's pool processes too, and nothing is left behind when this command ends.

A child that exits on its own (a worker that lost Redis while starting, a crash) is started again
after a back-off that doubles from ``--restart-delay`` up to ``--restart-max-delay`` seconds; a
child that then stays up for ``STABLE_SECONDS`` starts from the short delay again next time. The
other children keep running meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

GRACE_SECONDS = 10
STABLE_SECONDS = 60.0  # up this long: the next crash is a new incident, not a crash loop
RESTART_DELAY = 1.0
RESTART_MAX_DELAY = 60.0


@dataclass
class Child:
    name: str
    command: list[str]
    before_start: Callable[[], None] | None = None
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    delay: float = 0.0  # the back-off before the next restart; 0 until it first crashes
    restart_at: float | None = None


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat in the foreground."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Where the web UI listens")
        parser.add_argument("--gunicorn", action="store_true", help="Serve with gunicorn")
        parser.add_argument(
            "--restart-delay",
            type=float,
            default=RESTART_DELAY,
            help="Seconds before a crashed process is started again the first time (doubling)",
        )
        parser.add_argument(
            "--restart-max-delay",
            type=float,
            default=RESTART_MAX_DELAY,
            help="The longest wait between two restarts of a process that keeps crashing",
        )

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
        commands = self._commands(options["addr"], options["gunicorn"])
        children = [
            Child(
                name, command, (lambda: _clear_stale_pidfile(pidfile)) if name == "beat" else None
            )
            for name, command in commands.items()
        ]
        stack = Stack(children, options["restart_delay"], options["restart_max_delay"], self)
        stop = {"requested": False}

        def request_stop(signum: int, frame: Any) -> None:
            stop["requested"] = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            for child in children:
                stack.start(child)
            self.stdout.write(
                f"Web UI on http://{options['addr']}/ — press Ctrl-C to stop everything."
            )
            while not stop["requested"]:
                stack.step()
        finally:
            stack.stop_all()
        self.stdout.write("All processes stopped.")


class Stack:
    """The children, their output relayed line by line, and their restarts."""

    def __init__(
        self, children: list[Child], first_delay: float, max_delay: float, command: BaseCommand
    ) -> None:
        self.children = children
        self.first_delay = max(first_delay, 0.0)
        self.max_delay = max(max_delay, self.first_delay)
        self.command = command
        self.selector = selectors.DefaultSelector()

    def start(self, child: Child) -> None:
        if child.before_start is not None:
            child.before_start()
        process = subprocess.Popen(  # noqa: S603 - fixed argument lists, no shell
            child.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        child.process, child.started_at, child.restart_at = process, time.monotonic(), None
        assert process.stdout is not None
        self.selector.register(process.stdout, selectors.EVENT_READ, child.name)

    def step(self) -> None:
        """Relay output for up to half a second, then handle exits and due restarts."""
        for key, _mask in self.selector.select(timeout=0.5):
            _relay(key.data, cast(IO[bytes], key.fileobj))  # registered: the child's stdout
        now = time.monotonic()
        for child in self.children:
            if child.process is not None and child.process.poll() is not None:
                self._exited(child, now)
            if child.restart_at is not None and now >= child.restart_at:
                self.start(child)

    def _exited(self, child: Child, now: float) -> None:
        process = child.process
        assert process is not None and process.stdout is not None
        self.selector.unregister(process.stdout)
        _signal_group(process, signal.SIGKILL)  # whatever it left of a pool (holds the pipe too)
        _drain(child.name, process.stdout)
        if now - child.started_at >= STABLE_SECONDS:
            child.delay = 0.0
        child.delay = min(child.delay * 2, self.max_delay) if child.delay else self.first_delay
        child.process, child.restart_at = None, now + child.delay
        self.command.stderr.write(
            f"{child.name} exited with code {process.returncode}; "
            f"restarting it in {child.delay:g} s."
        )

    def stop_all(self) -> None:
        running = [c.process for c in self.children if c.process is not None]
        for proc in running:
            if proc.poll() is None:
                proc.terminate()  # the leader shuts its own pool down (Celery's warm shutdown)
        deadline = time.monotonic() + GRACE_SECONDS
        for proc in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in running:
            _signal_group(proc, signal.SIGKILL)  # sweep the group: whatever is left of a pool
            proc.wait()
        for key in list(self.selector.get_map().values()):
            _drain(key.data, cast(IO[bytes], key.fileobj))
        for child in self.children:
            child.process, child.restart_at = None, None


def _clear_stale_pidfile(pidfile: Path) -> None:
    """A pidfile left by a beat that was killed; a live one keeps beat unique."""
    if pidfile.exists() and not _pid_alive(pidfile):
        pidfile.unlink()


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
    sys.stdout.flush()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def base_url_for(addr: str) -> str:
    """The address people reach the web UI at when it listens on *addr* ("8001",
    "0.0.0.0:8001", "127.0.0.1:8001"): a wildcard host is reached as 127.0.0.1."""
    host, _sep, port = addr.rpartition(":")
    if not host:
        host, port = "", addr
    if host in {"", "0.0.0.0", "::", "[::]"}:  # noqa: S104 - a listening address, not a bind
        host = "127.0.0.1"
    return f"http://{host}:{port}"
