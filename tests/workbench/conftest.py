"""Fixtures of the workbench tests: the world of tests/workbench/support.py."""

from __future__ import annotations

from datetime import date

import pytest

from casework.models import Case, CaseStatus, SafetyPhase
from tests.scheduling.conftest import bulk_agreements
from tests.scheduling.meetings_support import World, make_case, world  # noqa: F401 - fixture
from tests.workbench.support import Bench


@pytest.fixture
def bench(world: World) -> Bench:  # noqa: F811 - built on the fixture above
    cast = world.cast
    cases = world.cases
    Case.objects.filter(pk=cases["A"].pk).update(
        case_director=cast.social.user,
        case_director_organisation=cast.orgs["local_team"],
        safety_phase=SafetyPhase.STABLE_SAFETY,
    )
    Case.objects.filter(pk=cases["B"].pk).update(status=CaseStatus.PLAN)
    Case.objects.filter(pk=cases["C"].pk).update(
        status=CaseStatus.INTAKE, safety_phase=SafetyPhase.DIRECT_SAFETY
    )
    bulk_agreements(cast, cases["A"], 1, date(2026, 3, 10))
    world.publish()
    south = make_case(cast, "MDA-2026-0901", {}, region=cast.south)
    return Bench(world=world, south=south)
