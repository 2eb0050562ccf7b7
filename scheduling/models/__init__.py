"""Models of scheduling, by subject: ``escalation`` (the regional ladder and the notices sent up
it); meetings add their own module and re-export here."""

from scheduling.models.escalation import (
    EscalationNotice,
    EscalationRecipient,
    Ladder,
    NoticeStatus,
    OrganisationScope,
    Rung,
)

__all__ = [
    "EscalationNotice",
    "EscalationRecipient",
    "Ladder",
    "NoticeStatus",
    "OrganisationScope",
    "Rung",
]
