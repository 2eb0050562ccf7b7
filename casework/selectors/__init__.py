"""Reads of casework, by subject; import from here (``from casework import selectors``)."""

from casework.selectors.agreements import (  # noqa: F401
    AgreementView,
    agreement_counts,
    agreement_list,
    agreement_view,
    agreements_for_case,
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
)
