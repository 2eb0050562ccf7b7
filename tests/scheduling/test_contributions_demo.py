"""The demo has a meeting today, whenever it is started, with partner contributions in every
state: submitted, draft and none."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from mda.workdays import AMSTERDAM
from scheduling.access import invited_organisations
from scheduling.demo.contributions import start_today
from scheduling.models import AgendaStatus, Contribution, ContributionStatus, Meeting


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 3, hour, minute, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("started", "meeting"),
    [
        (_at(6, 0), _at(9, 30)),  # early: the usual morning start
        (_at(10, 10), _at(12, 0)),  # the next half hour at least 90 minutes ahead
        (_at(13, 30), _at(15, 0)),
        (_at(20, 0), _at(21, 30)),
        (_at(23, 10), _at(21, 30)),  # late: still today, already running
        (_at(23, 59), _at(21, 30)),
    ],
)
def test_the_demo_meeting_is_today_at_a_sensible_time(started: datetime, meeting: datetime) -> None:
    assert start_today(started) == meeting


@pytest.mark.django_db
def test_the_demo_holds_a_meeting_today_with_contributions_in_every_state(
    time_machine: Any,
) -> None:
    time_machine.move_to(_at(14, 0), tick=False)  # Thursday 3 December 2026
    lines: list[str] = []
    for dotted in settings.MDA_DEMO_SEEDERS:
        import_string(dotted)(lines)

    meeting = Meeting.objects.get(starts_at=_at(15, 30))  # 14:00 + 90 minutes
    assert meeting.agenda_status == AgendaStatus.PUBLISHED
    assert meeting.information_deadline == _at(15, 0)
    items = list(meeting.items.current())
    assert len(items) >= 3
    states = set(
        Contribution.objects.filter(item__meeting=meeting).values_list("status", flat=True)
    )
    assert states == {ContributionStatus.SUBMITTED, ContributionStatus.DRAFT}
    invited = sum(invited_organisations(item.case_id).count() for item in items)
    assert Contribution.objects.filter(item__meeting=meeting).count() < invited  # some: none
    assert any(line.startswith("Demo meeting today at 15:30") for line in lines)

    again: list[str] = []
    import_string("scheduling.demo.contributions.seed_contributions")(again)
    assert again == ["Demo contributions exist already; left as they are."]
