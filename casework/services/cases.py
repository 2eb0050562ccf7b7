"""Writes of the case register besides the referral: revealing an identity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework import access
from casework.models import (
    Case,
    HouseholdMember,
    Identity,
    IdentityReveal,
)
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, User


@dataclass
class IdentityData:
    name: str = ""
    bsn: str = ""
    date_of_birth: str = ""
    address: str = ""
    known_elsewhere: list[str] = field(default_factory=list)

    @property
    def date_of_birth_shown(self) -> str:
        """The date of birth in the service's date style ("14 mrt. 1988"); stored as ISO."""
        try:
            return date_format(date.fromisoformat(self.date_of_birth))
        except ValueError:
            return self.date_of_birth


@transaction.atomic
def identity_reveal(
    *, actor: User, case: Case, member: HouseholdMember, justification: str
) -> IdentityData:
    """A coordinator reveals a household member's identity, with a reason; always recorded."""
    access.require_coordinator(actor, case)
    if member.case_id != case.pk:
        raise PermissionDenied
    if len(justification.strip()) < 10:
        raise ValidationError(
            {"reason": _("Give the reason for revealing (at least 10 characters).")}
        )
    identity = Identity.objects.filter(member=member).first()
    key = case.data_key
    data = IdentityData()
    if identity is not None:
        for attr in ("name", "bsn", "date_of_birth", "address"):
            if getattr(identity, f"{attr}_ct") is not None:
                setattr(data, attr, crypto.unseal(identity, f"{attr}_ct", key))
    reveal = IdentityReveal(case=case, member=member, revealed_by=actor)
    crypto.seal(reveal, "justification_ct", justification.strip(), key)
    reveal.save()
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        object_type="identity",
        object_id=str(member.pk),
        case=case,
        detail={"reveal": str(reveal.pk)},  # the reason itself stays encrypted with the case
    )
    return data
