"""``manage.py runstack`` keeps the stack up: a child that crashes is started again after a back-off
that doubles up to a maximum, the others keep running untouched, and Ctrl-C or SIGTERM still stops
everything. Real processes: runstack's own ``handle`` in a process of its own, its children
swapped for a process that crashes at once and one that stays up."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
# Short, so the test waits little: a quarter second doubled to the half-second maximum.
RESTART_OPTIONS = ["--restart-delay", "0.25", "--restart-max-delay", "0.5"]

DRIVER = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from mda.management.commands import runstack
children = json.loads(sys.argv[1])
runstack.Command._commands = lambda self, addr, gunicorn: children
call_command("runstack", *sys.argv[2:])
"""

CRASHER = """
import sys
with open(sys.argv[1], "a") as log:
    log.write("started\\n")
print("crashing now", flush=True)
sys.exit(3)
"""

STEADY = """
import os, sys, time
with open(sys.argv[1], "a") as log:
    log.write(f"{os.getpid()}\\n")
print("steady and up", flush=True)
time.sleep(600)
"""


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


@dataclass
class Stack:
    """One ``runstack`` with its two children, and when this process saw each start of the
    crasher (the children's own clocks need not agree: faketime starts each process's clock
    anew)."""

    process: subprocess.Popen[str]
    starts: Path
    steady: Path
    seen: list[float] = field(default_factory=list)

    def look(self) -> None:
        self.seen += [time.monotonic()] * (len(lines(self.starts)) - len(self.seen))

    def start_times(self, count: int) -> list[float]:
        """When each start appeared, once there are at least *count*."""
        deadline = time.monotonic() + 60
        while len(self.seen) < count and time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"runstack exited with {self.process.returncode}:\n{self.output()}")
            time.sleep(0.02)  # the watcher below looks; this waits for it
        assert len(self.seen) >= count, f"only {len(self.seen)} starts"
        return list(self.seen)

    def output(self) -> str:
        return self.process.stdout.read() if self.process.stdout else ""


def stack_start(directory: Path) -> Stack:
    starts, steady = directory / "crasher-starts", directory / "steady-pids"
    children = {
        "crasher": [sys.executable, "-c", CRASHER, str(starts)],
        "steady": [sys.executable, "-c", STEADY, str(steady)],
    }
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env["MDA_VAR_DIR"] = str(directory / "var")
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, json.dumps(children), *RESTART_OPTIONS],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # like a terminal: the signal goes to runstack alone
    )
    return Stack(process, starts, steady)


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Stack]]:
    """A stack for each way of stopping it, started together and watched by one thread, so the
    two tests wait out their back-offs side by side instead of one after the other (the waiting
    is most of their time, and the test process is idle in it)."""
    running = {
        int(stop_with): stack_start(tmp_path_factory.mktemp(f"stack-{stop_with.name}"))
        for stop_with in (signal.SIGTERM, signal.SIGINT)
    }
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.02):
            for stack in running.values():
                stack.look()

    watcher = threading.Thread(target=watch, name="runstack-watcher", daemon=True)
    watcher.start()
    try:
        yield running
    finally:
        done.set()
        watcher.join()
        for stack in running.values():
            if stack.process.poll() is None:
                os.killpg(stack.process.pid, signal.SIGKILL)
                stack.process.wait()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_crashed_child_is_restarted_with_a_growing_back_off_and_a_signal_stops_all(
    stop_with: int, stacks: dict[int, Stack]
) -> None:
    stack = stacks[stop_with]
    runstack = stack.process
    try:
        started = stack.start_times(5)
        gaps = [b - a for a, b in itertools.pairwise(started)]
        (steady_pid,) = [int(p) for p in lines(stack.steady)]
        assert alive(steady_pid)  # never restarted: it did not crash

        runstack.send_signal(stop_with)
        output, _ = runstack.communicate(timeout=30)
    finally:
        if runstack.poll() is None:
            os.killpg(runstack.pid, signal.SIGKILL)
            runstack.wait()

    assert runstack.returncode == 0, output
    # 0.25 s, then doubled to the 0.5 s maximum, never shorter (process start-up comes on top;
    # this process sees each start up to 20 ms late).
    assert gaps[0] >= 0.22 and gaps[1] >= 0.47 and gaps[2] >= 0.47 and gaps[3] >= 0.47, gaps
    assert gaps[3] < 1.75, gaps  # capped: without a maximum it would be 2 s and more
    assert "crasher exited with code 3; restarting it in 0.25 s." in output
    assert "crasher exited with code 3; restarting it in 0.5 s." in output
    assert "steady |" in output and "steady exited" not in output
    assert "All processes stopped." in output
    assert not alive(steady_pid)
