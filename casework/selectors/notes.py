"""Reads of notes: which organisation writes, which visibility by default, and the notes a reader
may see (each read recorded)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from casework import access
from casework.models import (
    AccessLevel,
    Case,
    Note,
    NoteVisibility,
    Participation,
)
from mda import crypto
from mda.access import PARTNER_ROLES, organisations_user_may_act_for
from mda.audit import audit_record
from mda.models import AuditAction, Domain, Organisation, Role, User


def note_author_organisation(actor: User, case: Case) -> Organisation:
    """The organisation on whose behalf *actor* writes in *case* (needs level 2)."""
    if access.can_coordinate(actor, case):
        org = (
            organisations_user_may_act_for(actor, (Role.COORDINATOR,))
            .filter(region=case.region)
            .first()
        )
    else:
        org = (
            organisations_user_may_act_for(actor, PARTNER_ROLES)
            .filter(
                participations__in=Participation.objects.active().filter(
                    case=case, level=AccessLevel.FULL
                )
            )
            .first()
        )
    if org is None:
        raise PermissionDenied
    return org


def default_note_visibility(organisation: Organisation) -> str:
    """Criminal-justice information stays in its domain unless the author widens it."""
    if organisation.domain == Domain.JUSTICE:
        return NoteVisibility.DOMAIN
    return NoteVisibility.PARTICIPANTS


@dataclass
class NoteView:
    note: Note
    body: str


def notes_for_case(*, actor: User, case: Case) -> list[NoteView]:
    notes = list(
        access.notes_of_case_visible_to(actor, case)
        .select_related("author", "author_organisation")
        .order_by("created_at")
    )
    result = [NoteView(note=n, body=crypto.unseal(n, "body_ct", case.data_key)) for n in notes]
    if notes:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="note",
            case=case,
            detail={"note_ids": [str(n.pk) for n in notes]},
        )
    return result
