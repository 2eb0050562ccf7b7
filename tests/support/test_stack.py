"""``run_in_one_chunk`` (tests/support/stack.py): calls that nest up and down across the end of a
chunk of CPython's frame stack map no fresh memory each time when they run inside it."""

from __future__ import annotations

import resource
import sys
import threading
from collections.abc import Callable

from tests.support.stack import run_in_one_chunk


def _nest(depth: int) -> int:
    return 0 if depth == 0 else _nest(depth - 1) + 1


def _up_and_down() -> None:
    """Nest to every depth up to 400 frames, 20 times each: past the end of the first chunk
    (some 170 of these frames), each time over."""
    for depth in range(400):
        for _ in range(20):
            _nest(depth)


def _minor_faults_of(work: Callable[[], None]) -> int:
    """Pages the kernel had to provide while *work* ran in a thread of its own (a fresh frame
    stack, as every thread starts with)."""
    faults: list[int] = []

    def measured() -> None:
        before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
        work()
        faults.append(resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before)

    thread = threading.Thread(target=measured)
    thread.start()
    thread.join()
    return faults[0]


def test_nesting_across_a_chunk_maps_nothing_inside_one_chunk() -> None:
    """Inside ``run_in_one_chunk`` the crossings need no fresh page. Outside it, on 3.11, each
    maps and touches a fresh chunk (CPython gh-142183, what the workaround is for): some 21,000
    pages here. When that half fails on a newer Python, stack.py is no longer needed."""
    assert _minor_faults_of(lambda: run_in_one_chunk(_up_and_down)) < 100
    if sys.version_info[:2] == (3, 11):
        assert _minor_faults_of(_up_and_down) > 4_000
