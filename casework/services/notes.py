"""Notes on a case: written on behalf of an organisation, visible by domain, organisation or
role."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casework.models import (
    AccessLevel,
    Case,
    Note,
)
from casework.selectors.notes import default_note_visibility, note_author_organisation
from mda import crypto
from mda.access import role_at
from mda.audit import audit_record
from mda.models import AuditAction, User


@transaction.atomic
def note_add(*, actor: User, case: Case, body: str, visibility: str | None = None) -> Note:
    if case.access_level < AccessLevel.FULL:
        raise PermissionDenied
    organisation = note_author_organisation(actor, case)
    if not body.strip():
        raise ValidationError({"body": _("A note cannot be empty.")})
    note = Note(
        case=case,
        author=actor,
        author_organisation=organisation,
        author_domain=organisation.domain,
        visibility=visibility or default_note_visibility(organisation),
    )
    crypto.seal(note, "body_ct", body.strip(), case.data_key)
    note.full_clean()
    note.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="note",
        object_id=str(note.pk),
        case=case,
        organisation=organisation,
        role=role_at(actor, organisation),
        detail={"visibility": note.visibility},
    )
    return note
