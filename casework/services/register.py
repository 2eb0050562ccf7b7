"""Writes of the case register. Each is one transaction with its audit event inside it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access, statistics
from casework.models import (
    AccessLevel,
    Case,
    CaseSequence,
    EventKind,
    HouseholdMember,
    Identity,
    IdentityReveal,
    LegalBasis,
    Note,
    NoteVisibility,
    Participation,
)
from casework.services.referral import (
    ReferralInput,
    event_record,
    referral_checks,
    referral_errors,
    referral_record,
    triage_due_on,
)
from mda import crypto
from mda.access import PARTNER_ROLES, organisations_user_may_act_for
from mda.audit import audit_record
from mda.blind_index import bsn_index, name_dob_index, validate_bsn
from mda.facts import fact_record
from mda.models import AuditAction, Domain, FactKind, Organisation, Role, User

REFERRER_ROLES = access.REFERRER_ROLES
MAX_MEMBERS = 20


@dataclass
class MemberInput:
    role: str
    label: str
    name: str = ""
    bsn: str = ""
    date_of_birth: date | None = None
    address: str = ""


@dataclass
class IdentityData:
    name: str = ""
    bsn: str = ""
    date_of_birth: str = ""
    address: str = ""
    known_elsewhere: list[str] = field(default_factory=list)


def _reference_next(region_id: int, year: int) -> str:
    sequence, _created = CaseSequence.objects.select_for_update().get_or_create(
        region_id=region_id, year=year
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"MDA-{year}-{sequence.last_number:04d}"


def _validate_members(members: list[MemberInput]) -> None:
    if not members:
        raise ValidationError({"members": _("Add at least one household member.")})
    if len(members) > MAX_MEMBERS:
        raise ValidationError({"members": _("A household has at most %d members.") % MAX_MEMBERS})
    labels = [m.label.strip().casefold() for m in members]
    if len(set(labels)) != len(labels):
        raise ValidationError({"members": _("Each household member needs a different label.")})
    for member in members:
        if member.bsn:
            member.bsn = validate_bsn(member.bsn)
        if member.name.strip() and not any(char.isalpha() for char in member.name):
            raise ValidationError({"members": _("A name must contain letters.")})
        if not member.label.strip():
            raise ValidationError({"members": _("Each household member needs a label.")})
        if member.date_of_birth and member.date_of_birth > timezone.localdate():
            raise ValidationError({"members": _("A date of birth cannot be in the future.")})


def _member_create(case: Case, key: object, position: int, spec: MemberInput) -> HouseholdMember:
    member = HouseholdMember(case=case, role=spec.role, label=spec.label.strip(), position=position)
    member.full_clean(exclude=["case"])
    member.save()
    identity = Identity(member=member)
    for attr, value in (
        ("name_ct", spec.name.strip()),
        ("bsn_ct", spec.bsn),
        ("address_ct", spec.address.strip()),
        ("date_of_birth_ct", spec.date_of_birth.isoformat() if spec.date_of_birth else ""),
    ):
        if value:
            crypto.seal(identity, attr, value, key)  # type: ignore[arg-type]
    identity.bsn_index = bsn_index(spec.bsn) if spec.bsn else ""
    if spec.name.strip() and spec.date_of_birth:
        identity.name_dob_index = name_dob_index(spec.name, spec.date_of_birth)
    identity.save()
    return member


@transaction.atomic
def case_refer(
    *,
    actor: User,
    organisation: Organisation,
    reason: str,
    members: list[MemberInput],
    details: ReferralInput,
) -> Case:
    """A partner refers a household: a new case, pseudonymised, its content encrypted, its
    triage deadline set; then the bekendheid check and repeat detection run on the blind index.
    Wrong or missing input raises one ValidationError with every field's problem; nothing is
    saved then."""
    if (
        not organisations_user_may_act_for(actor, REFERRER_ROLES)
        .filter(pk=organisation.pk)
        .exists()
    ):
        raise PermissionDenied
    _referral_validate(reason, members, details, organisation)
    key = crypto.data_key_create()
    year = timezone.localdate().year
    case = Case(
        id=uuid.uuid4(),
        region=organisation.region,
        referring_organisation=organisation,
        referred_by=actor,
        data_key=key,
        reference=_reference_next(organisation.region_id, year),
        triage_due_on=triage_due_on(organisation.region, timezone.now()),
    )
    crypto.seal(case, "reason_ct", reason.strip(), key)
    case.full_clean()
    case.save()
    for position, spec in enumerate(members):
        _member_create(case, key, position, spec)
    referral_record(case=case, details=details)
    event_record(
        case=case,
        kind=EventKind.REFERRED,
        actor=actor,
        organisation=organisation,
        to_status=case.status,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="case",
        object_id=str(case.pk),
        case=case,
        organisation=organisation,
        role=_role_at(actor, organisation),
    )
    if organisation.domain != Domain.COORDINATION:
        _referrer_participation(actor, case, organisation)
    referral_checks(actor=actor, case=case, organisation=organisation)
    fact_record(FactKind.STATUS, case=case, category=case.status, on=case.created_at)
    fact_record(
        FactKind.REFERRAL,
        case=case,
        on=case.created_at,
        organisation=organisation,
        category=statistics.referral_category(case),
        amount=statistics.children_of(case),
    )
    return case


def _referral_validate(
    reason: str, members: list[MemberInput], details: ReferralInput, organisation: Organisation
) -> None:
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Describe the reason for the referral.")]
    try:
        _validate_members(members)
    except ValidationError as exc:
        errors.update(exc.message_dict if hasattr(exc, "error_dict") else {"members": exc.messages})
    errors.update(referral_errors(details, organisation.region))
    if errors:
        raise ValidationError(errors)


def _referrer_participation(actor: User, case: Case, organisation: Organisation) -> None:
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


def _role_at(user: User, organisation: Organisation) -> str:
    return (
        user.memberships.filter(organisation=organisation).values_list("role", flat=True).first()
        or ""
    )


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
def participation_revoke(*, actor: User, participation: Participation) -> Participation:
    access.require_coordinator(actor, participation.case)
    locked = Participation.objects.select_for_update().get(pk=participation.pk)
    if locked.revoked_at is not None:
        raise ValidationError(_("This participation was already revoked."))
    locked.revoked_at, locked.revoked_by = timezone.now(), actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    _audit_participation(actor, locked, AuditAction.REVOKE)
    return locked


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
        role=_role_at(actor, organisation),
        detail={"visibility": note.visibility},
    )
    return note


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
