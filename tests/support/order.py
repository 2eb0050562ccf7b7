"""The order in which ``./scripts/test`` hands test files to its processes (pytest-xdist).

xdist's ``--dist loadfile`` keeps each file in one process (the data a module builds once is built
once) but hands out the files with the most tests first, so the few files that take longest (one
browser walk through every page, the API fuzzer, migrations run back and forth) come last and one
process runs them while the other has finished. Here the files go out longest first, by the
seconds each took in a recorded run (``tests/durations.json``), and the browser files go to one
process as one unit: two Chromiums at once on two cores each run slower than one after the other.

A file missing from the record counts a tenth of a second per test; a stale record only changes
the order, never what runs. Record again with ``./scripts/test --record-durations``.
"""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadFileScheduling

DURATIONS = Path(__file__).resolve().parents[1] / "durations.json"
BROWSER = "tests/browser/"
UNKNOWN_PER_TEST = 0.1


def recorded() -> dict[str, float]:
    try:
        found = json.loads(DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in found.items()} if isinstance(found, dict) else {}


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


class LongestFirst(LoadFileScheduling):
    """``loadfile``, with the browser files as one unit and the longest units handed out first."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)
        self._seconds = recorded()
        self._ordered = False

    def _split_scope(self, nodeid: str) -> str:
        return BROWSER if nodeid.startswith(BROWSER) else super()._split_scope(nodeid)

    def _cost(self, scope: str, nodeids: dict[str, bool]) -> float:
        files: dict[str, int] = defaultdict(int)
        for nodeid in nodeids:
            files[file_of(nodeid)] += 1
        return sum(self._seconds.get(f, UNKNOWN_PER_TEST * n) for f, n in files.items())

    def _assign_work_unit(self, node: Any) -> None:
        if not self._ordered:  # the first assignment: the queue is complete, nothing handed out
            queue: OrderedDict[str, dict[str, bool]] = self.workqueue
            units = sorted(queue.items(), key=lambda unit: -self._cost(*unit))
            queue.clear()
            queue.update(units)
            self._ordered = True
        super()._assign_work_unit(node)


class DurationRecorder:
    """``--record-durations``: the seconds each file took (set-up, test and tear-down of its
    tests), written to ``tests/durations.json`` at the end of a run that passed."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[file_of(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if exitstatus != 0 or not self.seconds:
            return
        record = {name: round(value, 2) for name, value in sorted(self.seconds.items())}
        DURATIONS.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
