"""Reads of participation."""

from __future__ import annotations

from typing import Any

from casework.models import Case, Participation


def participation_of_case(*, case: Case, participation_id: Any) -> Participation:
    from django.http import Http404

    participation = (
        case.participations.select_related("organisation").filter(pk=participation_id).first()
    )
    if participation is None:
        raise Http404
    participation.case = case  # keep the access annotations the services check
    return participation
