"""Models of casework, one module per subject: ``cases`` (cases, household, identity vault),
``participation``, ``notes``, ``referral``, ``policy`` (a region's settings), ``timeline``,
``lifecycle`` (plan, check-ins), ``scores``, ``agreements``, ``retention`` (holds, warnings,
destruction records) and ``subject_access``."""

from casework.models.agreements import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementOrigin,
    AgreementQuerySet,
    AgreementStatus,
)
from casework.models.cases import (
    AccessLevel,
    Case,
    CaseSequence,
    CaseStatus,
    HouseholdMember,
    Identity,
    IdentityReveal,
    MemberRole,
    SafetyPhase,
)
from casework.models.lifecycle import CasePlan, CheckIn, CheckInOutcome, CheckInQuerySet
from casework.models.notes import Note, NoteVisibility
from casework.models.participation import LegalBasis, Participation, ParticipationQuerySet
from casework.models.policy import RegionPolicy
from casework.models.referral import (
    Criterion,
    NotInformedReason,
    Referral,
    RiskAssessment,
    RiskInstrument,
    RiskOutcome,
)
from casework.models.retention import (
    DestructionRecord,
    DestructionRun,
    LegalHold,
    RetentionRule,
    RetentionWarning,
)
from casework.models.scores import Perspective, SafetyScore
from casework.models.subject_access import (
    ContentKind,
    SubjectAccessItem,
    SubjectAccessRequest,
    SubjectAccessStatus,
    SubjectLookup,
    Withholding,
    WithholdingGround,
)
from casework.models.timeline import CaseEvent, EventAudience, EventKind

__all__ = [
    "AccessLevel",
    "Agreement",
    "AgreementEvent",
    "AgreementEventKind",
    "AgreementOrigin",
    "AgreementQuerySet",
    "AgreementStatus",
    "Case",
    "CaseEvent",
    "CasePlan",
    "CaseSequence",
    "CaseStatus",
    "CheckIn",
    "CheckInOutcome",
    "CheckInQuerySet",
    "ContentKind",
    "Criterion",
    "DestructionRecord",
    "DestructionRun",
    "EventAudience",
    "EventKind",
    "HouseholdMember",
    "Identity",
    "IdentityReveal",
    "LegalBasis",
    "LegalHold",
    "MemberRole",
    "NotInformedReason",
    "Note",
    "NoteVisibility",
    "Participation",
    "ParticipationQuerySet",
    "Perspective",
    "Referral",
    "RegionPolicy",
    "RetentionRule",
    "RetentionWarning",
    "RiskAssessment",
    "RiskInstrument",
    "RiskOutcome",
    "SafetyPhase",
    "SafetyScore",
    "SubjectAccessItem",
    "SubjectAccessRequest",
    "SubjectAccessStatus",
    "SubjectLookup",
    "Withholding",
    "WithholdingGround",
]
