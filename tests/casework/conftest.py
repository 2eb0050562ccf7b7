"""A case in region north that every casework test can look at from each persona's seat.

| organisation  | participation              | persona(s)           |
| local_team    | level 2 (after weegmoment) | social, escalation   |
| police        | level 2                    | police               |
| ggz           | level 1                    | care                 |
| veilig_thuis  | level 0                    | veilig_thuis         |
Notes: police domain-only, police for all participants, local team organisation-only,
coordinator coordinators-only. Plaintext markers make leaks easy to find.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from casework import selectors, services
from casework.access import access_case
from casework.models import Case, LegalBasis, NoteVisibility, Participation
from tests.conftest import Cast

NOTES = {
    "police_domain": ("police", NoteVisibility.DOMAIN, "POLICE-DOMAIN-NOTE arrest planned"),
    "police_shared": ("police", NoteVisibility.PARTICIPANTS, "POLICE-SHARED-NOTE contact ban"),
    "social_org": ("social", NoteVisibility.ORGANISATION, "SOCIAL-ORG-NOTE debt counselling"),
    "coord_only": ("coordinator", NoteVisibility.COORDINATORS, "COORD-ONLY-NOTE reconsider"),
}
REASON = "REASON-MARKER repeated violence, children witness"
GOAL = "GOAL-MARKER one safety plan for mother and children"
IDENTITY_NAME = "Johanna Vermeulen-Secret"
IDENTITY_BSN = "111222333"


@dataclass
class Scenario:
    case: Case
    participations: dict[str, Participation]


def grant(
    cast: Cast, case: Case, org_key: str, level: int, expires_at: datetime | None = None
) -> Participation:
    coordinator = cast.coordinator.user
    return services.participation_add(
        actor=coordinator,
        case=access_case(coordinator, case.pk),
        organisation=cast.orgs[org_key],
        level=level,
        legal_basis=LegalBasis.CONVENANT,
        purpose="Work on the family's plan.",
        necessity="Needed for one integral plan.",
        expires_at=expires_at,
    )


def refer(
    cast: Cast,
    persona: str = "social",
    members: list[services.MemberInput] | None = None,
    reason: str = REASON,
    details: services.ReferralInput | None = None,
) -> Case:
    p = cast.personas[persona]
    members = members or [
        services.MemberInput(
            role="victim",
            label="moeder",
            name=IDENTITY_NAME,
            bsn=IDENTITY_BSN,
            date_of_birth=date(1990, 5, 17),
            address="Secretstraat 1, Noord",
        ),
        services.MemberInput(role="child", label="kind 1"),
    ]
    return services.case_refer(
        actor=p.user,
        organisation=p.organisation,
        reason=reason,
        members=members,
        details=details or referral_details(),
    )


def referral_details(**changes: object) -> services.ReferralInput:
    """A complete referral besides reason and household (goal, criteria, family informed)."""
    values: dict[str, object] = {
        "goal": GOAL,
        "criteria": ["structural_unsafety", "repeated_incidents"],
        "family_informed": True,
    }
    values.update(changes)
    return services.ReferralInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def scenario(cast: Cast) -> Scenario:
    case = refer(cast)
    coordinator = cast.coordinator.user
    referral = selectors.participation_of_case(
        case=access_case(coordinator, case.pk), participation_id=case.participations.get().pk
    )
    services.participation_revoke(actor=coordinator, participation=referral)
    parts = {
        "local_team": grant(cast, case, "local_team", 2),
        "police": grant(cast, case, "police", 2),
        "ggz": grant(cast, case, "ggz", 1),
        "veilig_thuis": grant(cast, case, "veilig_thuis", 0),
    }
    for persona, visibility, body in NOTES.values():
        user = cast.personas[persona].user
        services.note_add(
            actor=user, case=access_case(user, case.pk), body=body, visibility=visibility
        )
    return Scenario(case=case, participations=parts)
