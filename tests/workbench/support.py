"""A region-north world for the workbench, seen from every persona's seat.

| case              | status    | local_team | police | ggz | veilig_thuis | agenda 24 March |
| A  MDA-2026-0101  | execution | 2          | 2      | 1   | 0            | yes (published) |
| B  MDA-2026-0102  | plan      | 2          | -      | 2   | -            | yes             |
| C  MDA-2026-0103  | intake    | -          | -      | -   | 1            | yes             |
| S  MDA-2026-0901  | execution | region south, no participations                            |

A has an overdue agreement owned by the local team and a case director of the local team
(social); C is in safety phase 1. The clock stands on Friday 20 March 2026, 10:00 Amsterdam.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from casework.models import Case, CaseStatus, SafetyPhase
from tests.conftest import Cast
from tests.scheduling.conftest import bulk_agreements
from tests.scheduling.meetings_support import World, make_case

# persona -> {case key: level} of the north cases it sees (absent: it may not know the case).
LEVELS: dict[str, dict[str, int]] = {
    "coordinator": {"A": 2, "B": 2, "C": 2},
    "chair": {"A": 1, "B": 1, "C": 1},
    "police": {"A": 2},
    "care": {"A": 1, "B": 2},
    "social": {"A": 2, "B": 2},
    "escalation": {"A": 2, "B": 2},
    "veilig_thuis": {"A": 0, "C": 1},
    "privacy": {},
    "admin": {},
    "policy": {},
    "outsider": {},
    "outsider_police": {},
}
PERSONAS = list(LEVELS)
# Who sees A's overdue agreement: coordinators, level 2 on A, and the owner organisation.
SEES_OVERDUE = {"coordinator", "police", "social", "escalation"}
# Whose organisations take part in (or referred, or direct) each case: the "mine" filter.
MINE: dict[str, set[str]] = {
    "coordinator": set(),
    "chair": set(),
    "police": {"A"},
    "care": {"A", "B"},
    "social": {"A", "B"},
    "escalation": {"A", "B"},
    "veilig_thuis": {"A", "C"},
}


@dataclass
class Bench:
    world: World
    south: Case

    @property
    def cast(self) -> Cast:
        return self.world.cast

    def ref(self, key: str) -> str:
        if key == "S":
            return self.south.reference
        return self.world.cases[key].reference


def build_bench(world: World) -> Bench:
    """The world of this module's table, on the meeting world of tests/scheduling."""
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


def visible(persona: str, *, among: set[str] | None = None) -> set[str]:
    """The north case keys *persona* sees (at any level), optionally narrowed to *among*."""
    keys = set(LEVELS[persona]) | ({"S"} if persona == "outsider" else set())
    return keys if among is None else keys & among


def at_process_level(persona: str, keys: set[str]) -> set[str]:
    """Of *keys*, those *persona* sees at level 1 or more (where process filters may match)."""
    levels: dict[str, Any] = {**LEVELS[persona], **({"S": 2} if persona == "outsider" else {})}
    return {k for k in keys if levels.get(k, -1) >= 1}
