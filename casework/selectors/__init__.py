"""Reads of casework, by subject; import from here (``from casework import selectors``)."""

from casework.selectors.agreements import (  # noqa: F401
    AgreementView,
    agreement_counts,
    agreement_list,
    agreement_view,
    agreements_for_case,
)
from casework.selectors.lifecycle import (  # noqa: F401 - the life of a case (issue 4)
    LifecycleView,
    ReferralView,
    TimelineEntry,
    TriageRow,
    check_in_of_case,
    check_ins_for,
    director_candidates,
    lifecycle_view,
    repeats_in_last_year,
    timeline,
    triage_queue,
)
from casework.selectors.register import (  # noqa: F401
    CaseView,
    KnownElsewhere,
    NoteView,
    access_log,
    case_for_write,
    case_list,
    case_view,
    known_elsewhere,
    member_of_case,
    notes_for_case,
    participation_of_case,
    reveals_for_case,
)
from casework.selectors.scores import ScaleChart, scale_chart  # noqa: F401
