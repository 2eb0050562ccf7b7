"""The case list's rows: casework finds and shows the cases, scheduling adds each row's next
meeting, both for the rows of one page only."""

from __future__ import annotations

from typing import Any

from casework import selectors as case_selectors
from casework.selectors.cases import CaseRow
from mda.models import User
from scheduling.selectors.meetings import next_meetings_of


def case_list_rows(*, actor: User, cases: Any) -> list[CaseRow]:
    rows = case_selectors.case_rows(actor=actor, cases=cases)
    following = next_meetings_of(actor=actor, case_ids=[row.case.pk for row in rows])
    for row in rows:
        row.next_meeting = following.get(row.case.pk)
    return rows
