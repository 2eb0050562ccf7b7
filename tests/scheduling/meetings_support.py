"""A weekly case conference of region north with three cases, seen from every persona's seat.

| case              | local_team | police | ggz | veilig_thuis |
| A  MDA-2026-0101  | 2          | 2      | 1   | 0            |
| B  MDA-2026-0102  | 2          | -      | 2   | -            |
| C  MDA-2026-0103  | -          | -      | -   | 1            |

Organisations at level 1 or more are invited to a case's slot; level 0 only knows the case exists.
The clock stands on Friday 20 March 2026, 10:00 in Amsterdam; the series meets on Tuesdays at
09:30, so the first meeting is on 24 March (still winter time) and the next on 31 March (summer
time since the 29th).
"""

from __future__ import annotations

import email
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from icalendar import Calendar

from casework.models import Case, CaseStatus
from mda import crypto
from mda.models import Region, User
from scheduling.access import access_agenda_item, access_meeting
from scheduling.models import (
    AgendaItem,
    HolidayRule,
    InvitationMessage,
    Meeting,
    MeetingSeries,
    MeetingType,
    Weekday,
)
from scheduling.services import agendas, invitations, meetings
from tests.casework.conftest import grant
from tests.conftest import Cast

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=AMS)
PARTICIPATIONS = {
    "A": {"local_team": 2, "police": 2, "ggz": 1, "veilig_thuis": 0},
    "B": {"local_team": 2, "ggz": 2},
    "C": {"veilig_thuis": 1},
}
REFERENCES = {"A": "MDA-2026-0101", "B": "MDA-2026-0102", "C": "MDA-2026-0103"}
ALL = frozenset(REFERENCES.values())

# persona: the references of the slots it sees, or None when the meeting is hidden from it (404).
SEES: dict[str, frozenset[str] | None] = {
    "coordinator": ALL,
    "chair": ALL,
    "police": frozenset({REFERENCES["A"]}),
    "care": frozenset({REFERENCES["A"], REFERENCES["B"]}),
    "social": frozenset({REFERENCES["A"], REFERENCES["B"]}),
    "escalation": frozenset({REFERENCES["A"], REFERENCES["B"]}),
    "veilig_thuis": frozenset({REFERENCES["C"]}),
    "privacy": None,
    "admin": None,
    "policy": None,
    "outsider": None,
    "outsider_police": None,
}
PERSONAS = list(SEES)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


def make_case(cast: Cast, reference: str, levels: dict[str, int], **fields: Any) -> Case:
    """A case of region north, made directly (independent of the referral form)."""
    key = crypto.data_key_create()
    case = Case(
        id=uuid.uuid4(),
        reference=reference,
        region=fields.pop("region", cast.north),
        referring_organisation=cast.orgs["local_team"],
        referred_by=cast.social.user,
        data_key=key,
        status=fields.pop("status", CaseStatus.EXECUTION),
        **fields,
    )
    crypto.seal(case, "reason_ct", f"REASON-{reference}", key)
    case.save()
    for org_key, level in levels.items():
        grant(cast, case, org_key, level)
    return case


def make_series(cast: Cast, region: Region | None = None, **fields: Any) -> MeetingSeries:
    values: dict[str, Any] = {
        "kind": MeetingType.CASE_CONFERENCE,
        "name": "Casusoverleg Noord",
        "weekday": Weekday.TUESDAY,
        "start_time": time(9, 30),
        "duration_minutes": 180,
        "place": "ZVH Noord, zaal 2",
        "online_link": "https://meet.example.org/noord",
        "holiday_rule": HolidayRule.NEXT_WORKING_DAY,
        "weeks_ahead": 4,
        "starts_on": date(2026, 1, 1),
    }
    values.update(fields)
    return meetings.series_create(
        actor=cast.coordinator.user, region=region or cast.north, **values
    )


def managed(user: User, meeting: Meeting) -> Any:
    return access_meeting(user, meeting.pk, manage=True)


def managed_item(user: User, item: AgendaItem) -> Any:
    return access_agenda_item(user, item.meeting, item.pk, manage=True)


@dataclass
class World:
    cast: Cast
    series: MeetingSeries
    meeting: Meeting
    next_meeting: Meeting
    cases: dict[str, Case]

    @property
    def coordinator(self) -> User:
        return self.cast.coordinator.user

    def item(self, key: str) -> AgendaItem:
        return self.meeting.items.current().get(case=self.cases[key])

    def add(self, key: str, meeting: Meeting | None = None, **kwargs: Any) -> AgendaItem:
        return agendas.agenda_item_add(
            actor=self.coordinator,
            meeting=managed(self.coordinator, meeting or self.meeting),
            case=self.cases[key],
            **kwargs,
        )

    def publish(self, meeting: Meeting | None = None) -> None:
        agendas.agenda_publish(
            actor=self.coordinator, meeting=managed(self.coordinator, meeting or self.meeting)
        )


@pytest.fixture
def world(cast: Cast, time_machine: Any) -> World:
    """The meeting of 24 March with A, B and C on its agenda, not yet published."""
    time_machine.move_to(NOW, tick=False)
    cases = {
        key: make_case(cast, REFERENCES[key], levels) for key, levels in PARTICIPATIONS.items()
    }
    series = make_series(cast)
    generated = meetings.meetings_generate(series=series)
    built = World(cast, series, generated[0], generated[1], cases)
    for key in ("A", "B", "C"):
        built.add(key)
    return built


@pytest.fixture
def published(world: World) -> World:
    world.publish()
    return world


def send_all() -> list[mail.EmailMessage]:
    """Send every pending invitation message the way the worker does; the e-mails sent."""
    before = len(mail.outbox)
    for message_id in InvitationMessage.objects.filter(sent_at__isnull=True).values_list(
        "pk", flat=True
    ):
        invitations.invitation_message_send(message_id=message_id)
    return list(mail.outbox[before:])


def mails_to(address: str, sent: list[mail.EmailMessage]) -> list[mail.EmailMessage]:
    return [m for m in sent if address in m.to or address in m.bcc]


def calendars_of(message: mail.EmailMessage) -> list[Calendar]:
    """The .ics attachments of an e-mail, parsed from the MIME message as a client would."""
    parsed = email.message_from_bytes(message.message().as_bytes())
    found = []
    for part in parsed.walk():
        if part.get_content_type() == "text/calendar":
            payload: bytes = part.get_payload(decode=True)  # type: ignore[assignment]
            found.append(Calendar.from_ical(payload))
    return found


def events_of(calendar: Calendar) -> list[Any]:
    return list(calendar.walk("VEVENT"))


def references_in(calendars: list[Calendar]) -> set[str]:
    found = set()
    for calendar in calendars:
        for event in events_of(calendar):
            found |= {ref for ref in ALL if ref in str(event.get("summary"))}
    return found


MakeClient = Callable[[str], Any]
