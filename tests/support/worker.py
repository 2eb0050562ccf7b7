"""A real Celery worker process for tests that must prove the broker -> worker -> database path.

Use the ``celery_worker`` fixture (it needs ``transactional_db``: the worker is another process
and sees only committed rows). The worker listens on a queue of its own, so a demo worker or a
second test run sharing the broker never takes its messages; send tasks with
``task.apply_async(queue=celery_worker.queue)``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

STOP_TIMEOUT_SECONDS = 10


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    queue: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, condition: Callable[[], bool], *, timeout: float = 30.0) -> None:
        """Poll *condition* until it holds; fail with the worker's log when it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"The worker exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.1)  # waiting on another process, not on the clock
        pytest.fail(f"Nothing happened within {timeout:.0f} s. Worker log:\n{self.log()}")


def worker_command(queue: str) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool",
        "solo",
        "--loglevel",
        "info",
        "--queues",
        queue,
        "--hostname",
        f"{queue}@%h",
    ]
    if str(celery_app.conf.broker_url).startswith("filesystem"):
        # The filesystem transport has no fan-out: these would only poll and log errors.
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return command


def worker_environment() -> dict[str, str]:
    """Our environment, with test settings and the *test* database the worker must write to."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "MDA_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
        "PYTHONUNBUFFERED": "1",
    }


def stop(process: subprocess.Popen[bytes], *, warm: bool = True) -> None:
    """Stop the worker and anything it started (its process group): warm, then cold; or, when
    nothing it could still finish matters, at once. A warm stop takes 2-4 s of an idle worker:
    Celery looks at the signal only between two polls of the broker, two seconds each."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM if warm else signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


@pytest.fixture
def celery_worker(transactional_db: None, tmp_path: Path) -> Iterator[Worker]:
    queue = f"mda-test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "celery-worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            worker_command(queue),
            cwd=settings.BASE_DIR,
            env=worker_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown can stop all of it
        )
    try:
        yield Worker(process=process, queue=queue, log_path=log_path)
    finally:
        # The test is over and its queue is its own: nothing the worker holds is wanted.
        stop(process, warm=False)
