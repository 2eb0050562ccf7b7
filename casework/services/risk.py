"""Risk-instrument outcomes (ARIJ, LIRIK, RiHG, B-SAFER, DASH): given with the referral or
recorded at any later moment by a partner at level 2 or a coordinator, for an organisation that
takes part in the case. The service records instrument, date, assessor and outcome category as
the instrument gave them; it never recomputes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.models import (
    Case,
    RiskAssessment,
    RiskInstrument,
    RiskOutcome,
)
from casework.selectors.notes import note_author_organisation
from casework.selectors.risk import RISK_STATUSES, risk_assessor_organisations
from casework.transitions import not_in_status_error
from mda.audit import audit_record
from mda.models import AuditAction, Organisation, Region, User


@dataclass
class RiskAssessmentInput:
    instrument: str
    assessed_on: date | None
    assessor_organisation: Organisation | None
    outcome: str


def risk_assessment_errors(risk: RiskAssessmentInput, region: Region) -> dict[str, str]:
    """What is wrong with *risk*, by field (empty when all is well)."""
    errors = {}
    if risk.instrument not in RiskInstrument.values:
        errors["instrument"] = _("Choose the instrument (ARIJ, LIRIK, RiHG, B-SAFER or DASH).")
    if risk.assessed_on is None or risk.assessed_on > timezone.localdate():
        errors["assessed_on"] = _("Give the date of the assessment (not in the future).")
    if risk.assessor_organisation is None or risk.assessor_organisation.region_id != region.pk:
        errors["assessor_organisation"] = _("Choose the organisation that made the assessment.")
    if risk.outcome not in RiskOutcome.values:
        errors["outcome"] = _("Choose the outcome category the instrument gave.")
    return errors


def _takes_part(case: Case, organisation: Organisation | None) -> bool:
    if organisation is None:
        return False
    return risk_assessor_organisations(case=case).filter(id=organisation.id).exists()


@transaction.atomic
def risk_assessment_add(*, actor: User, case: Case, risk: RiskAssessmentInput) -> RiskAssessment:
    """A partner at level 2 or a coordinator records an outcome for *case* (from
    ``access.access_case``); the assessor organisation must take part in the case."""
    if not access.can_record_risk_assessment(actor, case):
        raise PermissionDenied
    recorder = note_author_organisation(actor, case)
    if case.status not in RISK_STATUSES:
        raise not_in_status_error(case, _("Recording a risk-instrument outcome"), RISK_STATUSES)
    errors = risk_assessment_errors(risk, case.region)
    if "assessor_organisation" not in errors and not _takes_part(case, risk.assessor_organisation):
        errors["assessor_organisation"] = _(
            "Choose an organisation that takes part in the case (add it by a weegmoment first)."
        )
    if errors:
        raise ValidationError(errors)
    assert risk.assessed_on is not None  # checked above
    row = RiskAssessment(
        case=case,
        instrument=risk.instrument,
        assessed_on=risk.assessed_on,
        assessor_organisation=risk.assessor_organisation,
        outcome=risk.outcome,
        recorded_by=actor,
        recorded_organisation=recorder,
        recorded_at=timezone.now(),
    )
    row.full_clean(exclude=["case"])
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="risk_assessment",
        object_id=str(row.pk),
        case=case,
        organisation=recorder,
        detail={"instrument": row.instrument},
    )
    return row
