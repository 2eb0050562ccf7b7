"""Writes of casework, by subject; import from here (``from casework import services``)."""

from casework.services.agreements import (  # noqa: F401
    agreement_create,
    agreement_owner_candidates,
    agreement_owner_organisations,
    agreement_reopen,
    agreement_resolve,
    agreement_update,
)
from casework.services.lifecycle import (  # noqa: F401 - the life of a case (issue 4)
    ACTIVE,
    TERMINAL,
    TRANSITIONS,
    TRIAGE_DECISIONS,
    Transition,
    TransitionBlocked,
    TransitionNotAllowed,
    allowed_here_message,
    case_director_assign,
    case_plan_save,
    case_reopen_by_signal,
    case_transition,
    case_triage,
    check_in_complete,
    check_ins_due_notify,
    director_organisation,
    safety_phase_set,
    transitions_from,
)
from casework.services.referral import (  # noqa: F401
    ReferralInput,
    RiskAssessmentInput,
    region_policy,
    triage_due_on,
)
from casework.services.register import (  # noqa: F401 - the public names, for readers and mypy
    MAX_MEMBERS,
    REFERRER_ROLES,
    IdentityData,
    MemberInput,
    case_refer,
    default_note_visibility,
    identity_reveal,
    note_add,
    note_author_organisation,
    participation_add,
    participation_revoke,
)
from casework.services.scores import score_add  # noqa: F401
