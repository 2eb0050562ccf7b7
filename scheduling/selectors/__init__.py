"""Reads of scheduling, by subject; import from here (``from scheduling import selectors``)."""

from scheduling.selectors.escalation import (  # noqa: F401 - the public names
    EscalationView,
    RegionOverview,
    escalation_history,
    escalation_view,
    escalations_addressed_to,
    ladders_for,
    notices_of_agreement,
    notices_visible,
    region_overview,
)
