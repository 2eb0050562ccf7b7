"""The referral's details, its triage deadline, and what runs on submit: the bekendheid check
and repeat detection (both on the blind index, never on plaintext)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework import statistics
from casework.access import REFERRER_ROLES
from casework.models import (
    Case,
    CaseSequence,
    Criterion,
    EventAudience,
    EventKind,
    HouseholdMember,
    Identity,
    NotInformedReason,
    Referral,
    RegionPolicy,
    RiskAssessment,
    RiskInstrument,
    RiskOutcome,
)
from casework.selectors.referral import (
    household_cases_in_follow_up,
    known_elsewhere_counts,
    repeat_candidate,
)
from casework.services.lifecycle import case_reopen_by_signal
from casework.services.participation import participation_for_referrer
from casework.services.timeline import event_record
from mda import crypto
from mda.access import coordinators_of, organisations_user_may_act_for, role_at
from mda.audit import audit_record
from mda.blind_index import bsn_index, name_dob_index, validate_bsn
from mda.facts import fact_record
from mda.models import AuditAction, Domain, FactKind, Organisation, Region, User
from mda.models.keys import DataKey
from mda.notifications import notification_send

MAX_RISK_ASSESSMENTS = 10


@dataclass
class RiskAssessmentInput:
    instrument: str
    assessed_on: date | None
    assessor_organisation: Organisation | None
    outcome: str


@dataclass
class ReferralInput:
    """Everything a referral holds besides the reason and the household."""

    goal: str
    criteria: list[str]
    family_informed: bool | None
    not_informed_reason: str = ""
    not_informed_explanation: str = ""
    risk_assessments: list[RiskAssessmentInput] = field(default_factory=list)
    partners_involved: list[Organisation] = field(default_factory=list)


def _referral_errors(details: ReferralInput, region: Region) -> dict[str, list[str]]:
    """Every problem with *details*, by field (empty when all is well)."""
    errors: dict[str, list[str]] = {}
    if not details.goal.strip():
        errors["goal"] = [_("Describe what the conference should achieve.")]
    unknown = set(details.criteria) - set(Criterion.values)
    if not details.criteria or unknown:
        errors["criteria"] = [_("Tick at least one MDA++ criterion that this household meets.")]
    if details.family_informed is None:
        errors["family_informed"] = [_("Say whether the family was informed of this referral.")]
    elif not details.family_informed:
        errors.update(_not_informed_errors(details))
    if len(details.risk_assessments) > MAX_RISK_ASSESSMENTS:
        errors["risk_assessments"] = [
            _("Give at most %d risk instrument outcomes.") % MAX_RISK_ASSESSMENTS
        ]
    else:
        risk = [_risk_errors(r, region) for r in details.risk_assessments]
        if any(risk):
            errors["risk_assessments"] = [
                _("Risk instrument %(n)d: %(problems)s") % {"n": n, "problems": " ".join(e)}
                for n, e in enumerate(risk, start=1)
                if e
            ]
    if any(org.region_id != region.pk for org in details.partners_involved):
        errors["partners_involved"] = [_("Choose partners of the case's region.")]
    return errors


def _not_informed_errors(details: ReferralInput) -> dict[str, list[str]]:
    if details.not_informed_reason not in NotInformedReason.values:
        return {
            "not_informed_reason": [
                _(
                    "When the family was not informed, say why: a criminal investigation, safety, "
                    "or "
                    "another reason."
                )
            ]
        }
    if (
        details.not_informed_reason == NotInformedReason.OTHER
        and not details.not_informed_explanation.strip()
    ):
        return {"not_informed_explanation": [_("Explain the other reason.")]}
    return {}


def _risk_errors(risk: RiskAssessmentInput, region: Region) -> list[str]:
    errors = []
    if risk.instrument not in RiskInstrument.values:
        errors.append(_("Choose the instrument (ARIJ, LIRIK, RiHG, B-SAFER or DASH)."))
    if risk.assessed_on is None or risk.assessed_on > timezone.localdate():
        errors.append(_("Give the date of the assessment (not in the future)."))
    if risk.assessor_organisation is None or risk.assessor_organisation.region_id != region.pk:
        errors.append(_("Choose the organisation that made the assessment."))
    if risk.outcome not in RiskOutcome.values:
        errors.append(_("Choose the outcome category the instrument gave."))
    return errors


def _referral_record(*, case: Case, details: ReferralInput) -> Referral:
    """Store the validated details of *case*'s referral (inside case_refer's transaction)."""
    informed = bool(details.family_informed)
    referral = Referral(
        case=case,
        criteria=sorted(set(details.criteria)),
        family_informed=informed,
        not_informed_reason="" if informed else details.not_informed_reason,
    )
    crypto.seal(referral, "goal_ct", details.goal.strip(), case.data_key)
    explanation = details.not_informed_explanation.strip()
    if explanation and not informed:
        crypto.seal(referral, "not_informed_explanation_ct", explanation, case.data_key)
    referral.full_clean(exclude=["case"])
    referral.save()
    referral.partners_involved.set(details.partners_involved)
    for risk in details.risk_assessments:
        assert risk.assessed_on is not None  # checked by _referral_errors
        row = RiskAssessment(
            case=case,
            instrument=risk.instrument,
            assessed_on=risk.assessed_on,
            assessor_organisation=risk.assessor_organisation,
            outcome=risk.outcome,
        )
        row.full_clean(exclude=["case"])
        row.save()
    return referral


# --- On submit: bekendheid and repeats ---------------------------------------------------------


def _referral_checks(*, actor: User, case: Case, organisation: Organisation) -> Case | None:
    """Run on submit: bekendheid (for the coordinators), repeat detection, and the re-opening of
    every case of the household in follow-up. Returns the earlier case when this is a repeat."""
    same, other = known_elsewhere_counts(case)
    Referral.objects.filter(case=case).update(known_in_region=same, known_in_other_region=other)
    if same or other:
        event_record(
            case=case,
            kind=EventKind.KNOWN_ELSEWHERE,
            actor=None,
            automatic=True,
            audience=EventAudience.COORDINATORS,
            detail={"same_region": same, "other_region": other},
        )
    earlier = repeat_candidate(case)
    if earlier is not None:
        case.repeat_of = earlier
        case.save(update_fields=["repeat_of", "updated_at"])
        event_record(
            case=case,
            kind=EventKind.REPEAT,
            actor=None,
            automatic=True,
            audience=EventAudience.COORDINATORS,
            detail={"repeat_of": earlier.reference},
        )
    _reopen_follow_ups(case)
    _notify_coordinators(case)
    return earlier


def _reopen_follow_ups(case: Case) -> None:
    """A new referral is a new signal for every case of the household in follow-up (however long
    ago it was referred: follow-up itself may last longer than the 12-month repeat window)."""
    for earlier in household_cases_in_follow_up(case):
        case_reopen_by_signal(case=earlier, cause="new_referral")


def _notify_coordinators(case: Case) -> None:
    due = date_format(case.triage_due_on) if case.triage_due_on else ""
    body = _("A new referral is waiting for triage. The decision is due on %(due)s.") % {"due": due}
    if case.repeat_of_id:
        body += " " + _("It is a repeat of an earlier case.")
    notification_send(
        recipients=coordinators_of(case.region_id),
        kind="referral_received",
        subject=_("New referral %(ref)s") % {"ref": case.reference},
        body=body,
        link=reverse("casework:case-detail", args=[case.pk]),
        case_reference=case.reference,
    )


MAX_MEMBERS = 20


@dataclass
class MemberInput:
    role: str
    label: str
    name: str = ""
    bsn: str = ""
    date_of_birth: date | None = None
    address: str = ""


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


def _member_create(case: Case, key: DataKey, position: int, spec: MemberInput) -> HouseholdMember:
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
            crypto.seal(identity, attr, value, key)
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
        triage_due_on=RegionPolicy.objects.for_region(organisation.region).triage_due_on(
            timezone.now()
        ),
    )
    crypto.seal(case, "reason_ct", reason.strip(), key)
    case.full_clean()
    case.save()
    for position, spec in enumerate(members):
        _member_create(case, key, position, spec)
    _referral_record(case=case, details=details)
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
        role=role_at(actor, organisation),
    )
    if organisation.domain != Domain.COORDINATION:
        participation_for_referrer(actor, case, organisation)
    _referral_checks(actor=actor, case=case, organisation=organisation)
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
    errors.update(_referral_errors(details, organisation.region))
    if errors:
        raise ValidationError(errors)
