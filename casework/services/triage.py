"""Triage: the coordinators' decision on a referral (accept, advice only, decline, acute route)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from casework.models import (
    Case,
    CaseEvent,
)
from casework.services.lifecycle import case_transition
from casework.transitions import TRIAGE_DECISIONS
from mda.models import User


def case_triage(*, actor: User, case: Case, decision: str, reason: str = "") -> CaseEvent:
    """A triage decision: accept, advise, decline or acute_route."""
    if decision not in TRIAGE_DECISIONS:
        raise ValidationError(
            {"decision": _("Choose one of: %(d)s.") % {"d": ", ".join(TRIAGE_DECISIONS)}}
        )
    return case_transition(actor=actor, case=case, transition=decision, reason=reason)
