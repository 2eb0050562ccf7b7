"""Models of casework, by subject: ``register`` (cases, household, identities, participation,
notes); later subjects add their own module and re-export here."""

from casework.models.register import (
    AccessLevel,
    Case,
    CaseQuerySet,
    CaseSequence,
    CaseStatus,
    HouseholdMember,
    Identity,
    LegalBasis,
    MemberRole,
    Note,
    NoteQuerySet,
    NoteVisibility,
    Participation,
    ParticipationQuerySet,
)

__all__ = [
    "AccessLevel",
    "Case",
    "CaseQuerySet",
    "CaseSequence",
    "CaseStatus",
    "HouseholdMember",
    "Identity",
    "LegalBasis",
    "MemberRole",
    "Note",
    "NoteQuerySet",
    "NoteVisibility",
    "Participation",
    "ParticipationQuerySet",
]
