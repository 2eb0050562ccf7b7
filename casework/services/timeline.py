"""The case timeline: every step in the life of a case is one entry, its why sealed with the case's
key."""

from __future__ import annotations

from django.utils import timezone

from casework.models import (
    Case,
    CaseEvent,
    EventAudience,
)
from mda import crypto
from mda.models import Organisation, User


def event_record(
    *,
    case: Case,
    kind: str,
    actor: User | None,
    organisation: Organisation | None = None,
    audience: str = EventAudience.PROCESS,
    text: str = "",
    automatic: bool = False,
    transition: str = "",
    from_status: str = "",
    to_status: str = "",
    detail: dict[str, object] | None = None,
) -> CaseEvent:
    """Append one entry to the case timeline; *text* is sealed with the case's key."""
    event = CaseEvent(
        case=case,
        kind=kind,
        audience=audience,
        actor=actor,
        actor_organisation=organisation,
        automatic=automatic,
        transition=transition,
        from_status=from_status,
        to_status=to_status,
        occurred_at=timezone.now(),
        detail=detail or {},
    )
    if text.strip():
        crypto.seal(event, "text_ct", text.strip(), case.data_key)
    event.full_clean(exclude=["case", "actor", "actor_organisation"])
    event.save()
    return event
