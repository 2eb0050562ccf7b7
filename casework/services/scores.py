"""Signs of Safety readings: 0 to 10, per perspective, per date. Partners at level 2 (and so the
coordinators and the case director) record them."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.models import Case, HouseholdMember, MemberRole, Perspective, SafetyScore
from casework.selectors.notes import note_author_organisation
from casework.transitions import ACTIVE, not_in_status_error
from mda.audit import audit_record
from mda.models import AuditAction, Organisation, User

# Readings describe the work on the case while it is open (from intake until closing).
SCORING_STATUSES = ACTIVE


def _subject_errors(
    case: Case, perspective: str, organisation: Organisation | None, member: HouseholdMember | None
) -> dict[str, list[str]]:
    if perspective not in Perspective.values:
        return {"perspective": [_("Choose whose view this reading gives.")]}
    if perspective == Perspective.PROFESSIONAL:
        if organisation is None or organisation.region_id != case.region_id:
            return {"organisation": [_("Choose the professional's organisation.")]}
    elif perspective in (Perspective.PARENT, Perspective.CHILD):
        if member is None or member.case_id != case.pk:
            return {"member": [_("Choose the household member whose view this is.")]}
        if (member.role == MemberRole.CHILD) != (perspective == Perspective.CHILD):
            return {
                "member": [
                    _("Choose a child for a child's view, and an adult for a parent's view.")
                ]
            }
    return {}


@transaction.atomic
def score_add(
    *,
    actor: User,
    case: Case,
    value: int | None,
    scored_on: date | None,
    perspective: str,
    organisation: Organisation | None = None,
    member: HouseholdMember | None = None,
) -> SafetyScore:
    if not access.can_add_score(actor, case):
        raise PermissionDenied
    recorder = note_author_organisation(actor, case)
    if case.status not in SCORING_STATUSES:
        raise not_in_status_error(case, _("Recording a reading"), SCORING_STATUSES)
    if perspective == Perspective.PROFESSIONAL and organisation is None:
        organisation = recorder
    errors = _subject_errors(case, perspective, organisation, member)
    if value is None or not 0 <= value <= 10:
        errors["value"] = [_("Give a score from 0 to 10.")]
    if scored_on is None or scored_on > timezone.localdate():
        errors["scored_on"] = [_("Give the date of the reading (not in the future).")]
    if errors:
        raise ValidationError(errors)
    assert value is not None and scored_on is not None  # checked just above
    score = SafetyScore(
        case=case,
        value=value,
        scored_on=scored_on,
        perspective=perspective,
        organisation=organisation if perspective == Perspective.PROFESSIONAL else None,
        member=member if perspective in (Perspective.PARENT, Perspective.CHILD) else None,
        recorded_by=actor,
        recorded_organisation=recorder,
    )
    score.full_clean(exclude=["case", "member", "organisation"])
    score.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="safety_score",
        object_id=str(score.pk),
        case=case,
        organisation=recorder,
        detail={"perspective": perspective},
    )
    return score
