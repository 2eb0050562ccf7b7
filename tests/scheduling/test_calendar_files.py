"""Every calendar file the service produces, read by two independent parsers (``icalendar`` and
``vobject``, see calendar_parsers): the invitation (iTIP REQUEST), the cancellation of a slot and
of a whole meeting (CANCEL), the personal subscription feed and the .ics download of a meeting.
Both parsers must read each file without an error and agree on what it says."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import mail
from django.test import Client

from scheduling.services import agendas, invitations, meetings
from tests.conftest import Cast
from tests.scheduling import meetings_support
from tests.scheduling.calendar_parsers import CalendarFacts, read_both
from tests.scheduling.meetings_support import (
    REFERENCES,
    World,
    mails_to,
    managed,
    managed_item,
    send_all,
)

world = meetings_support.world
published = meetings_support.published

AMSTERDAM = ("Europe/Amsterdam",)
TUESDAY_0930 = datetime(2026, 3, 24, 8, 30, tzinfo=UTC)  # 09:30 CET


def attachments(message: mail.EmailMessage) -> list[bytes]:
    """The .ics attachments of an e-mail, taken from the MIME message as a client would. A text
    part's line breaks are CRLF on the wire (SMTP) whatever Python writes locally: restore them."""
    parsed = email.message_from_bytes(message.message().as_bytes())
    payloads: list[bytes] = [
        part.get_payload(decode=True)  # type: ignore[misc]
        for part in parsed.walk()
        if part.get_content_type() == "text/calendar"
    ]
    return [re.sub(rb"\r?\n", b"\r\n", payload) for payload in payloads]


def the_calendar_sent_to(address: str, sent: list[mail.EmailMessage]) -> CalendarFacts:
    (message,) = mails_to(address, sent)
    (data,) = attachments(message)
    return read_both(data)


def test_an_invitation_reads_the_same_in_both_parsers(published: World, cast: Cast) -> None:
    facts = the_calendar_sent_to(cast.orgs["police"].email, send_all())

    assert (facts.method, facts.version, facts.timezones) == ("REQUEST", "2.0", AMSTERDAM)
    (event,) = facts.events
    assert event.uid == f"agenda-item-{published.item('A').pk}@mda-coordination"
    assert (event.sequence, event.status) == (0, "CONFIRMED")
    assert (event.starts, event.start_zone) == (TUESDAY_0930, "Europe/Amsterdam")
    assert event.ends - event.starts == timedelta(minutes=15)
    assert REFERENCES["A"] in event.summary


def test_an_invitation_in_summer_time_reads_the_same_in_both_parsers(
    world: World, cast: Cast
) -> None:
    world.add("A", meeting=world.next_meeting)
    world.publish(world.next_meeting)
    facts = the_calendar_sent_to(cast.orgs["police"].email, send_all())

    (event,) = facts.events
    assert event.starts == datetime(2026, 3, 31, 7, 30, tzinfo=UTC)  # 09:30 CEST


def test_a_cancelled_slot_reads_the_same_in_both_parsers(published: World, cast: Cast) -> None:
    first = the_calendar_sent_to(cast.orgs["police"].email, send_all()).events[0]
    coordinator = published.coordinator
    agendas.agenda_item_remove(
        actor=coordinator, item=managed_item(coordinator, published.item("A"))
    )
    facts = the_calendar_sent_to(cast.orgs["police"].email, send_all())

    assert facts.method == "CANCEL"
    (event,) = facts.events
    assert (event.uid, event.status) == (first.uid, "CANCELLED")
    assert event.sequence > first.sequence


def test_a_cancelled_meeting_reads_the_same_in_both_parsers(published: World, cast: Cast) -> None:
    send_all()
    coordinator = published.coordinator
    meetings.meeting_cancel(actor=coordinator, meeting=managed(coordinator, published.meeting))
    files = [data for message in send_all() for data in attachments(message)]

    assert len(files) == 6  # one per invited slot: police A, GGZ A B, local team A B, VT C
    for data in files:
        facts = read_both(data)
        assert facts.method == "CANCEL"
        assert {e.status for e in facts.events} == {"CANCELLED"}


def test_the_feed_reads_the_same_in_both_parsers_and_asks_for_hourly_refresh(
    published: World, cast: Cast
) -> None:
    _feed, token = invitations.calendar_feed_issue(actor=cast.care.user)
    response = Client().get(f"/calendar/{token}.ics")
    facts = read_both(response.content)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert facts.method is None  # a subscription, not an iTIP message
    assert facts.timezones == AMSTERDAM
    assert facts.refresh_interval == timedelta(hours=1)
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in response.content
    assert facts.name
    assert sorted(e.starts for e in facts.events) == [
        TUESDAY_0930,
        TUESDAY_0930 + timedelta(minutes=15),
    ]


def test_the_meeting_download_reads_the_same_in_both_parsers(published: World, web: Any) -> None:
    for persona, slots in (("coordinator", 3), ("police", 1), ("care", 2)):
        response = web(persona).get(f"/meetings/{published.meeting.pk}/calendar.ics")
        facts = read_both(response.content)

        assert facts.timezones == AMSTERDAM
        assert len(facts.events) == slots
        assert min(e.starts for e in facts.events) == TUESDAY_0930
        assert facts.name == "MDA++ case conference 24 Mar 2026 09:30"  # Amsterdam time
        assert facts.refresh_interval is None  # a download, not a subscription
