"""Demo data of casework: the cases (``cases``), their lives (``lifecycle``) and the end of two
of them (``retention``)."""

from __future__ import annotations

from django.db import transaction

from casework.demo.cases import refer_all
from casework.demo.lifecycle import seed_lifecycle
from casework.demo.retention import seed_retention
from casework.models import AccessLevel, Case, MemberRole
from mda.models import Region


@transaction.atomic
def seed_cases(out: list[str]) -> None:
    """Idempotent: skipped when the demo cases exist."""
    if Case.objects.filter(region=Region.objects.get(slug="groningen")).exists():
        out.append("Demo cases exist already; left as they are.")
        return
    refer_all()
    seed_lifecycle(out)
    seed_retention(out)
    out.append(
        f"Demo cases: {Case.objects.count()} (levels {[c.value for c in AccessLevel]}, "
        f"members {', '.join(MemberRole.values)})."
    )
