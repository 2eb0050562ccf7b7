"""Reads of casework, one module per subject; import from here (``from casework import selectors``).

Each read starts from the access policy; plaintext comes only from here, and every read of it
is recorded in the audit trail.
"""

from casework.selectors.agreements import (
    AgreementView,
    agreement_counts,
    agreement_list,
    agreement_owner_candidates,
    agreement_owner_memberships,
    agreement_owner_organisations,
    agreement_view,
    agreements_for_case,
    agreements_reviewed_in,
    descriptions_of,
)
from casework.selectors.cases import (
    CaseFilters,
    CaseRow,
    CaseSort,
    CaseView,
    IdentityNotSearchable,
    RevealView,
    access_log,
    case_find,
    case_rows,
    case_search_identity,
    case_view,
    member_of_case,
    reveals_for_case,
)
from casework.selectors.lifecycle import (
    LifecycleView,
    check_in_of_case,
    check_ins_for,
    coordinator_organisation,
    director_candidates,
    director_memberships,
    director_organisation,
    lifecycle_view,
)
from casework.selectors.notes import (
    NoteView,
    default_note_visibility,
    note_author_organisation,
    notes_for_case,
)
from casework.selectors.participation import (
    ParticipationView,
    participation_of_case,
    participations_for_case,
    suggested_organisations,
)
from casework.selectors.referral import (
    KnownElsewhere,
    ReferralView,
    known_elsewhere,
    referral_as_submitted,
)
from casework.selectors.scores import ScaleChart, scale_chart
from casework.selectors.timeline import TimelineEntry, timeline
from casework.selectors.triage import TriageRow, repeats_in_last_year, triage_queue

__all__ = [
    "AgreementView",
    "CaseFilters",
    "CaseRow",
    "CaseSort",
    "CaseView",
    "IdentityNotSearchable",
    "KnownElsewhere",
    "LifecycleView",
    "NoteView",
    "ParticipationView",
    "ReferralView",
    "RevealView",
    "ScaleChart",
    "TimelineEntry",
    "TriageRow",
    "access_log",
    "agreement_counts",
    "agreement_list",
    "agreement_owner_candidates",
    "agreement_owner_memberships",
    "agreement_owner_organisations",
    "agreement_view",
    "agreements_for_case",
    "agreements_reviewed_in",
    "case_find",
    "case_rows",
    "case_search_identity",
    "case_view",
    "check_in_of_case",
    "check_ins_for",
    "coordinator_organisation",
    "default_note_visibility",
    "descriptions_of",
    "director_candidates",
    "director_memberships",
    "director_organisation",
    "known_elsewhere",
    "lifecycle_view",
    "member_of_case",
    "note_author_organisation",
    "notes_for_case",
    "participation_of_case",
    "participations_for_case",
    "referral_as_submitted",
    "repeats_in_last_year",
    "reveals_for_case",
    "scale_chart",
    "suggested_organisations",
    "timeline",
    "triage_queue",
]
