"""iCalendar (RFC 5545) files for meeting slots: invitations (iTIP METHOD REQUEST / CANCEL) and the
personal calendar feed.

Every slot keeps one UID for its whole life (derived from the agenda item's id); SEQUENCE is what
the recipient was last sent, raised on every change. Times are written in Europe/Amsterdam with a
VTIMEZONE, so calendars place them right across the DST changes. Nothing personal goes in: the case
reference, the time, the place and a link into the service, where the access policy decides what
the reader sees.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration, vText

from mda.workdays import AMSTERDAM

PRODID = "-//MDA++ coordination//Case meetings//NL"
UID_DOMAIN = "mda-coordination"
ORGANIZER_NAME = "MDA++"
FEED_REFRESH = timedelta(hours=1)


def item_uid(item_id: object) -> str:
    return f"agenda-item-{item_id}@{UID_DOMAIN}"


def meeting_uid(meeting_id: object) -> str:
    return f"meeting-{meeting_id}@{UID_DOMAIN}"


@dataclass(frozen=True)
class SlotEvent:
    """One calendar event, free of personal data."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    url: str
    description: str
    cancelled: bool = False
    attendee_email: str = ""


def _organizer() -> vCalAddress:
    from email.utils import parseaddr

    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@mda.localhost"
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(ORGANIZER_NAME)
    return organizer


def _event(slot: SlotEvent, *, itip: bool, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", slot.uid)
    event.add("sequence", slot.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", slot.starts_at.astimezone(AMSTERDAM))
    event.add("dtend", slot.ends_at.astimezone(AMSTERDAM))
    event.add("summary", slot.summary)
    if slot.location:
        event.add("location", slot.location)
    if slot.url:
        event.add("url", slot.url)
    event.add("description", slot.description)
    event.add("status", "CANCELLED" if slot.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if itip:
        event.add("organizer", _organizer())
        if slot.attendee_email:
            attendee = vCalAddress(f"mailto:{slot.attendee_email}")
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            attendee.params["cutype"] = vText("GROUP")
            event.add("attendee", attendee)
    return event


def _calendar(events: list[Event], starts: Iterable[datetime], method: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    years = [moment.astimezone(AMSTERDAM).year for moment in starts] or [timezone.now().year]
    # A VTIMEZONE for Europe/Amsterdam covering the events' years (not 1970-2038: keep it small).
    calendar.add_component(_vtimezone(min(years) - 1, max(years) + 1))
    return calendar


@functools.lru_cache(maxsize=16)
def _vtimezone(first_year: int, last_year: int) -> Timezone:
    """Europe/Amsterdam's VTIMEZONE for these years, built once (it costs more than the rest of
    an invitation) and shared by every calendar that only serialises it."""
    return Timezone.from_tzid(
        AMSTERDAM.key, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31)
    )


def invitation_ics(slot: SlotEvent) -> bytes:
    """One iTIP message: METHOD REQUEST for a new or changed slot, CANCEL for a removed one."""
    stamp = timezone.now()
    method = "CANCEL" if slot.cancelled else "REQUEST"
    return _calendar([_event(slot, itip=True, stamp=stamp)], [slot.starts_at], method).to_ical()


def _published(slots: list[SlotEvent], name: str) -> Calendar:
    """A published calendar (no METHOD, RFC 5545 3.7.2): events to show, not a scheduling
    message."""
    stamp = timezone.now()
    events = [_event(slot, itip=False, stamp=stamp) for slot in slots]
    calendar = _calendar(events, [slot.starts_at for slot in slots])
    calendar.add("x-wr-calname", name)
    return calendar


def meeting_ics(slots: list[SlotEvent], name: str) -> bytes:
    """One meeting's slots, downloaded once."""
    return _published(slots, name).to_ical()


def feed_ics(slots: list[SlotEvent], name: str) -> bytes:
    """The subscription calendar: the user's upcoming and recent meetings, with how often a
    calendar app should fetch it again (RFC 7986 REFRESH-INTERVAL, a DURATION such as PT1H, whose
    VALUE parameter is required; X-PUBLISHED-TTL is the same hint for Outlook)."""
    calendar = _published(slots, name)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"value": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    return calendar.to_ical()
