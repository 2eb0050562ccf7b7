"""The weegmoment: which partner organisation takes part in a case, at which level, on which legal
basis. The written justification is sealed with the case's key; a change of level or expiry is a
new weegmoment that supersedes the old one (the history stays)."""

from __future__ import annotations

from dataclasses import dataclass
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
from mda.errors import Conflict
from mda.models import AuditAction, Organisation, User

MAX_PURPOSE = 1000
MAX_NECESSITY = 2000
MAX_LEGAL_BASIS_OTHER = 300


class ParticipationEnded(Conflict):
    """The weegmoment was revoked or superseded already: there is nothing left to change."""

    code = "participation_ended"


@dataclass
class Weegmoment:
    """What a coordinator weighs and writes down: level, basis, why, until when."""

    level: int
    legal_basis: str
    purpose: str
    necessity: str
    legal_basis_other: str = ""
    expires_at: datetime | None = None


def _weegmoment_errors(weegmoment: Weegmoment) -> dict[str, str]:
    errors = {}
    if weegmoment.level not in AccessLevel.values:
        errors["level"] = _("Choose information level 0, 1 or 2.")
    if weegmoment.legal_basis not in LegalBasis.values:
        errors["legal_basis"] = _("Choose the legal basis.")
    other = weegmoment.legal_basis_other.strip()
    if weegmoment.legal_basis == LegalBasis.OTHER and not other:
        errors["legal_basis_other"] = _("Explain the legal basis when you choose 'other'.")
    elif len(other) > MAX_LEGAL_BASIS_OTHER:
        errors["legal_basis_other"] = _("Keep it to %d characters.") % MAX_LEGAL_BASIS_OTHER
    missing = {
        "purpose": _("Say for what purpose the organisation takes part."),
        "necessity": _("Say why sharing is necessary and proportionate."),
    }
    for name, limit in (("purpose", MAX_PURPOSE), ("necessity", MAX_NECESSITY)):
        text = getattr(weegmoment, name).strip()
        if not text:
            errors[name] = missing[name]
        elif len(text) > limit:
            errors[name] = _("Keep it to %d characters.") % limit
    if weegmoment.expires_at is not None and weegmoment.expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must lie in the future.")
    return errors


def _participation_create(
    *,
    actor: User,
    case: Case,
    organisation: Organisation,
    weegmoment: Weegmoment,
    supersedes: Participation | None = None,
) -> Participation:
    participation = Participation(
        case=case,
        organisation=organisation,
        level=weegmoment.level,
        legal_basis=weegmoment.legal_basis,
        decided_by=actor,
        decided_at=timezone.now(),
        expires_at=weegmoment.expires_at,
        supersedes=supersedes,
    )
    key = case.data_key
    crypto.seal(participation, "purpose_ct", weegmoment.purpose.strip(), key)
    crypto.seal(participation, "necessity_ct", weegmoment.necessity.strip(), key)
    if weegmoment.legal_basis == LegalBasis.OTHER:
        crypto.seal(
            participation, "legal_basis_other_ct", weegmoment.legal_basis_other.strip(), key
        )
    participation.full_clean(exclude=["case", "supersedes"])
    participation.save()
    detail: dict[str, object] = {"supersedes": str(supersedes.pk)} if supersedes else {}
    _audit_participation(actor, participation, AuditAction.DISCLOSE, **detail)
    return participation


def participation_for_referrer(actor: User, case: Case, organisation: Organisation) -> None:
    """The referring organisation follows its referral at level 1 until a weegmoment says more."""
    _participation_create(
        actor=actor,
        case=case,
        organisation=organisation,
        weegmoment=Weegmoment(
            level=AccessLevel.PROCESS,
            legal_basis=LegalBasis.REFERRAL,
            purpose=_("Follow the referral and its triage decision."),
            necessity=_(
                "The referring organisation needs to know the outcome of its own referral."
            ),
        ),
    )


def _audit_participation(
    actor: User, participation: Participation, action: str, **extra: object
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="participation",
        object_id=str(participation.pk),
        case=participation.case,
        detail={
            "organisation": participation.organisation.slug,
            "level": participation.level,
            "legal_basis": participation.legal_basis,
            **extra,
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
    weegmoment = Weegmoment(level, legal_basis, purpose, necessity, legal_basis_other, expires_at)
    errors = _weegmoment_errors(weegmoment)
    if organisation.region_id != case.region_id:
        errors["organisation"] = _("The organisation must belong to the case's region.")
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
                        "This organisation already takes part in the case. To change its level "
                        "or expiry, record a new weegmoment for its participation."
                    )
                }
            )
        current.revoked_at, current.revoked_by = now, actor  # expired: closed before a new one
        current.save(update_fields=["revoked_at", "revoked_by"])
    return _participation_create(
        actor=actor, case=case, organisation=organisation, weegmoment=weegmoment
    )


@transaction.atomic
def participation_supersede(
    *,
    actor: User,
    participation: Participation,
    level: int,
    legal_basis: str,
    purpose: str,
    necessity: str,
    legal_basis_other: str = "",
    expires_at: datetime | None = None,
) -> Participation:
    """A coordinator changes an organisation's level or expiry by a new weegmoment; the old one
    ends at this moment and stays in the history, linked to the new one."""
    case = participation.case
    access.require_coordinator(actor, case)
    weegmoment = Weegmoment(level, legal_basis, purpose, necessity, legal_basis_other, expires_at)
    errors = _weegmoment_errors(weegmoment)
    if errors:
        raise ValidationError(errors)
    old = Participation.objects.select_for_update().get(pk=participation.pk)
    if old.revoked_at is not None:
        raise ParticipationEnded(
            _(
                "This weegmoment has ended (revoked or superseded). Change the organisation's "
                "current participation, or add it to the case again."
            )
        )
    old.revoked_at, old.revoked_by = timezone.now(), actor
    old.save(update_fields=["revoked_at", "revoked_by"])
    return _participation_create(
        actor=actor,
        case=case,
        organisation=participation.organisation,
        weegmoment=weegmoment,
        supersedes=old,
    )


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
