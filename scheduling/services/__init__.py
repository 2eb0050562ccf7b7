"""Writes of scheduling, by subject; import from here (``from scheduling import services``)."""

from scheduling.services.escalation import (  # noqa: F401 - the public names
    DEFAULT_RUNGS,
    REQUEUE_AFTER,
    SweepResult,
    escalation_acknowledge,
    escalation_deliver,
    escalation_raise,
    escalations_cancel_stale,
    escalations_claim_for_dispatch,
    escalations_deliver,
    escalations_sweep,
    escalations_unqueue,
    ladder_of,
)
