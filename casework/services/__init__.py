"""Writes of casework, one module per subject; import from here (``from casework import services``).

Every service is keyword-only, typed, one transaction, with its audit event inside it. Reads
live in ``casework.selectors``, who may do what in ``casework.access``.
"""

from casework.services.agreements import (
    agreement_create,
    agreement_reopen,
    agreement_resolve,
    agreement_review,
    agreement_update,
)
from casework.services.cases import IdentityData, identity_reveal
from casework.services.lifecycle import (
    case_director_assign,
    case_plan_save,
    case_reopen_by_signal,
    case_transition,
    check_in_complete,
    check_ins_due_notify,
    safety_phase_set,
)
from casework.services.notes import note_add
from casework.services.participation import (
    participation_add,
    participation_revoke,
    participation_supersede,
)
from casework.services.referral import MemberInput, ReferralInput, case_refer
from casework.services.risk import RiskAssessmentInput, risk_assessment_add
from casework.services.scores import score_add
from casework.services.triage import case_triage

__all__ = [
    "IdentityData",
    "MemberInput",
    "ReferralInput",
    "RiskAssessmentInput",
    "agreement_create",
    "agreement_reopen",
    "agreement_resolve",
    "agreement_review",
    "agreement_update",
    "case_director_assign",
    "case_plan_save",
    "case_refer",
    "case_reopen_by_signal",
    "case_transition",
    "case_triage",
    "check_in_complete",
    "check_ins_due_notify",
    "identity_reveal",
    "note_add",
    "participation_add",
    "participation_revoke",
    "participation_supersede",
    "risk_assessment_add",
    "safety_phase_set",
    "score_add",
]
