"""The weegmoment: which partner organisation takes part in a case, at which level, on which legal
basis."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.models import (
    AccessLevel,
    Case,
    LegalBasis,
    Participation,
)
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, Organisation, User


def participation_for_referrer(actor: User, case: Case, organisation: Organisation) -> None:
    """The referring organisation follows its referral at level 1 until a weegmoment says more."""
    participation = Participation(
        case=case,
        organisation=organisation,
        level=AccessLevel.PROCESS,
        legal_basis=LegalBasis.REFERRAL,
        purpose="Follow the referral and its triage decision.",
        necessity="The referring organisation needs to know the outcome of its own referral.",
        decided_by=actor,
        decided_at=timezone.now(),
    )
    participation.full_clean()
    participation.save()
    _audit_participation(actor, participation, AuditAction.DISCLOSE)


def _audit_participation(actor: User, participation: Participation, action: str) -> None:
    case = participation.case
    audit_record(
        actor=actor,
        action=action,
        object_type="participation",
        object_id=str(participation.pk),
        case=case,
        detail={
            "organisation": participation.organisation.slug,
            "level": participation.level,
            "legal_basis": participation.legal_basis,
        },
    )


@transaction.atomic
def participation_add(
    *,
    actor: User,
    case: Case,
    organisation: Organisation,
    level: int,
    legal_basis: str,
    purpose: str,
    necessity: str,
    legal_basis_other: str = "",
    expires_at: datetime | None = None,
) -> Participation:
    """The weegmoment: a coordinator lets an organisation take part, at a level, on a basis."""
    access.require_coordinator(actor, case)
    errors: dict[str, str] = {}
    if organisation.region_id != case.region_id:
        errors["organisation"] = _("The organisation must belong to the case's region.")
    if legal_basis == LegalBasis.OTHER and not legal_basis_other.strip():
        errors["legal_basis_other"] = _("Explain the legal basis when you choose 'other'.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must lie in the future.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    current = (
        Participation.objects.select_for_update()
        .filter(case=case, organisation=organisation, revoked_at__isnull=True)
        .first()
    )
    if current is not None:
        if current.expires_at is None or current.expires_at > now:
            raise ValidationError(
                {
                    "organisation": _(
                        "This organisation already takes part in the case. Revoke its "
                        "participation first to record a new weegmoment."
                    )
                }
            )
        current.revoked_at, current.revoked_by = now, actor  # expired: closed before a new one
        current.save(update_fields=["revoked_at", "revoked_by"])
    participation = Participation(
        case=case,
        organisation=organisation,
        level=level,
        legal_basis=legal_basis,
        legal_basis_other=legal_basis_other.strip(),
        purpose=purpose.strip(),
        necessity=necessity.strip(),
        decided_by=actor,
        decided_at=now,
        expires_at=expires_at,
    )
    participation.full_clean()
    participation.save()
    _audit_participation(actor, participation, AuditAction.DISCLOSE)
    return participation


@transaction.atomic
def participation_revoke(
    *, actor: User, participation: Participation, reason: str = ""
) -> Participation:
    """End a participation now; the *reason* is kept (encrypted) for the coordinators."""
    access.require_coordinator(actor, participation.case)
    locked = Participation.objects.select_for_update().get(pk=participation.pk)
    if locked.revoked_at is not None:
        raise ValidationError(_("This participation was already revoked."))
    locked.revoked_at, locked.revoked_by = timezone.now(), actor
    fields = ["revoked_at", "revoked_by"]
    if reason.strip():
        crypto.seal(locked, "revoke_reason_ct", reason.strip(), participation.case.data_key)
        fields.append("revoke_reason_ct")
    locked.save(update_fields=fields)
    _audit_participation(actor, locked, AuditAction.REVOKE)
    return locked
