"""Fixtures of the workbench tests: the world of tests/workbench/support.py."""

from __future__ import annotations

import pytest

from tests.scheduling.meetings_support import World, world  # noqa: F401 - fixture
from tests.workbench.support import Bench, build_bench


@pytest.fixture
def bench(world: World) -> Bench:  # noqa: F811 - built on the fixture above
    return build_bench(world)
