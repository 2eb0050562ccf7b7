"""Demo data of the figures: region sizes and norms of Groningen, and the facts of demo cases that
were made without the services (the backfill skips what has its facts already)."""

from __future__ import annotations

from mda.models import Region
from steering.backfill import (
    case_facts_backfill,
    cases_to_backfill,
    meeting_facts_backfill,
    meetings_to_backfill,
)
from steering.models import RegionNorms


def seed_figures(out: list[str]) -> None:
    groningen = Region.objects.filter(slug="groningen").first()
    if groningen is not None:
        if groningen.households is None:
            groningen.households = 270_000
            groningen.save(update_fields=["households"])
        RegionNorms.objects.get_or_create(region=groningen, defaults={"young_people": 110_000})
    for case in cases_to_backfill():
        case_facts_backfill(case)
    for meeting in meetings_to_backfill():
        meeting_facts_backfill(meeting)
