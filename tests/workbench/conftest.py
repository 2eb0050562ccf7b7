"""Fixtures of the workbench tests: the world of tests/workbench/support.py, built once for the
tests of a module that follow one another (a layer, tests/support/layers.py)."""

from __future__ import annotations

import pytest
import time_machine

from tests.scheduling.meetings_support import NOW, World, draft_agenda, world  # noqa: F401 - fixtures
from tests.support.layers import layer
from tests.workbench.support import Bench, build_bench


@layer
def workbench(draft_agenda: World) -> Bench:  # noqa: F811 - built on the layer above
    """Built once for the tests that follow, so it moves the clock itself."""
    with time_machine.travel(NOW, tick=False):
        return build_bench(draft_agenda)


@pytest.fixture
def bench(workbench: Bench, world: World) -> Bench:  # noqa: F811 - the clock on NOW
    return workbench
