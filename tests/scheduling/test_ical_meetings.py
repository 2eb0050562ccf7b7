"""Calendar files (RFC 5545 / iTIP): they parse with ``icalendar``, keep one UID per slot, raise
SEQUENCE with every change, cancel removed slots, carry a VTIMEZONE for Europe/Amsterdam, and put
meetings at the right UTC moment across the DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Calendar

from casework.models import Participation
from mda.audit import audit_events_of_case
from mda.models import AuditEvent
from mda.workdays import AMSTERDAM
from scheduling.models import InvitationLine, InvitationMessage, MeetingType, Weekday
from scheduling.services import agendas, invitations, meetings
from tests.conftest import Cast
from tests.scheduling import meetings_support
from tests.scheduling.meetings_support import (
    REFERENCES,
    World,
    calendars_of,
    events_of,
    mails_to,
    make_series,
    managed,
    managed_item,
    send_all,
)

world = meetings_support.world
published = meetings_support.published


def _police_event(sent: list[Any], cast: Cast) -> Any:
    (message,) = mails_to(cast.orgs["police"].email, sent)
    (calendar,) = calendars_of(message)
    (event,) = events_of(calendar)
    return calendar, event


def test_an_invitation_is_an_itip_request_with_uid_sequence_and_amsterdam_timezone(
    published: World, cast: Cast
) -> None:
    calendar, event = _police_event(send_all(), cast)

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert str(event["UID"]) == f"agenda-item-{published.item('A').pk}@mda-coordination"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert event["DTSTART"].dt == datetime(2026, 3, 24, 8, 30, tzinfo=UTC)  # 09:30 CET
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "ORGANIZER" in event and str(event["ATTENDEE"]) == "mailto:police@example.org"
    assert REFERENCES["A"] in str(event["SUMMARY"])
    assert f"/meetings/{published.meeting.pk}/" in str(event["URL"])


def test_a_changed_slot_keeps_its_uid_and_raises_the_sequence(published: World, cast: Cast) -> None:
    _calendar, first = _police_event(send_all(), cast)
    coordinator = published.coordinator
    b = managed_item(coordinator, published.item("B"))
    agendas.agenda_item_update(actor=coordinator, item=b, slot_minutes=30)  # moves C, not A
    assert mails_to(cast.orgs["police"].email, send_all()) == []
    a = managed_item(coordinator, published.item("A"))
    agendas.agenda_item_update(actor=coordinator, item=a, slot_minutes=20)
    _calendar, second = _police_event(send_all(), cast)
    agendas.agenda_reorder(
        actor=coordinator,
        meeting=managed(coordinator, published.meeting),
        item_ids=[published.item(k).pk for k in "BCA"],
    )
    _calendar, third = _police_event(send_all(), cast)

    assert first["UID"] == second["UID"] == third["UID"]
    assert [first["SEQUENCE"], second["SEQUENCE"], third["SEQUENCE"]] == [0, 1, 2]
    assert second["DTEND"].dt - second["DTSTART"].dt == timedelta(minutes=20)
    assert third["DTSTART"].dt == datetime(2026, 3, 24, 9, 15, tzinfo=UTC)  # after B 30 + C 15


def test_a_removed_slot_is_cancelled_with_a_higher_sequence(published: World, cast: Cast) -> None:
    _calendar, first = _police_event(send_all(), cast)
    coordinator = published.coordinator
    agendas.agenda_item_remove(
        actor=coordinator, item=managed_item(coordinator, published.item("A"))
    )
    calendar, cancelled = _police_event(send_all(), cast)

    assert calendar["METHOD"] == "CANCEL"
    assert cancelled["UID"] == first["UID"]
    assert cancelled["SEQUENCE"] > first["SEQUENCE"]
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_a_cancelled_meeting_cancels_every_invited_slot(published: World, cast: Cast) -> None:
    send_all()
    coordinator = published.coordinator
    meetings.meeting_cancel(actor=coordinator, meeting=managed(coordinator, published.meeting))
    sent = send_all()

    methods = {str(calendar["METHOD"]) for message in sent for calendar in calendars_of(message)}
    assert methods == {"CANCEL"}
    assert len(sent) == 4  # police, GGZ, local team, Veilig Thuis: one e-mail each


def test_an_organisation_that_stops_taking_part_gets_a_cancellation(
    published: World, cast: Cast
) -> None:
    send_all()
    Participation.objects.filter(
        case=published.cases["A"], organisation=cast.orgs["police"]
    ).update(revoked_at=datetime(2026, 3, 20, 11, 0, tzinfo=AMSTERDAM))

    invitations.invitations_sync_upcoming()
    calendar, event = _police_event(send_all(), cast)

    assert calendar["METHOD"] == "CANCEL"
    assert REFERENCES["A"] in str(event["SUMMARY"])


def test_sending_twice_sends_once(published: World, cast: Cast) -> None:
    assert len(send_all()) == 4
    for line in InvitationLine.objects.all():
        assert invitations.invitation_message_send(message_id=line.message_id) is False
    assert send_all() == []


def test_each_message_sent_is_one_audit_event_naming_every_case_it_disclosed(
    published: World, cast: Cast
) -> None:
    send_all()

    events = AuditEvent.objects.filter(action="disclose", object_type="invitation")
    by_organisation = {e.organisation_name: e for e in events}
    assert len(events) == len(by_organisation) == InvitationMessage.objects.count() == 4
    local_team = by_organisation["Lokaal team Noord"]  # invited to A and B: one message, two lines
    assert local_team.detail["cases"] == [REFERENCES["A"], REFERENCES["B"]]
    assert local_team.detail["lines"] == 2
    for key in ("A", "B"):
        log = audit_events_of_case(reference=REFERENCES[key], region_slug="noord")
        assert log.filter(pk=local_team.pk).exists()
    assert not audit_events_of_case(reference=REFERENCES["C"], region_slug="noord").filter(
        pk=local_team.pk
    )


def _ics_start(world: World, meeting: Any, cast: Cast) -> datetime:
    item = world.add("A", meeting=meeting)
    world.publish(meeting)
    _calendar, event = _police_event(send_all(), cast)
    assert event["UID"] == f"agenda-item-{item.pk}@mda-coordination"
    return event["DTSTART"].dt.astimezone(UTC)


def test_a_weekly_meeting_keeps_its_local_time_across_the_spring_dst_change(
    world: World, cast: Cast
) -> None:
    # 24 March: CET (UTC+1); 29 March: clocks go forward; 31 March: CEST (UTC+2).
    assert world.meeting.starts_at == datetime(2026, 3, 24, 8, 30, tzinfo=UTC)
    assert world.next_meeting.starts_at == datetime(2026, 3, 31, 7, 30, tzinfo=UTC)
    assert _ics_start(world, world.next_meeting, cast) == datetime(2026, 3, 31, 7, 30, tzinfo=UTC)


def test_meetings_in_the_autumn_dst_week_have_the_right_utc_times(
    cast: Cast, time_machine: Any
) -> None:
    # Clocks go back on Sunday 25 October 2026: Friday the 23rd is CEST, Monday the 26th CET.
    time_machine.move_to(datetime(2026, 10, 20, 12, 0, tzinfo=AMSTERDAM), tick=False)
    friday = make_series(cast, name="Vrijdag", weekday=Weekday.FRIDAY, start_time=time(9, 30))
    monday = make_series(
        cast, name="Triage", kind=MeetingType.TRIAGE, weekday=Weekday.MONDAY, start_time=time(13, 0)
    )

    fri = meetings.meetings_generate(series=friday)[0]
    mon = meetings.meetings_generate(series=monday)[0]

    assert (fri.regular_date, fri.starts_at) == (
        date(2026, 10, 23),
        datetime(2026, 10, 23, 7, 30, tzinfo=UTC),
    )
    assert (mon.regular_date, mon.starts_at) == (
        date(2026, 10, 26),
        datetime(2026, 10, 26, 12, 0, tzinfo=UTC),
    )


def test_the_feed_is_a_calendar_without_method_and_with_the_amsterdam_zone(
    published: World, cast: Cast, client: Any
) -> None:
    _feed, token = invitations.calendar_feed_issue(actor=cast.care.user)
    calendar = Calendar.from_ical(client.get(f"/calendar/{token}.ics").content)

    assert "METHOD" not in calendar
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    starts = sorted(e["DTSTART"].dt.astimezone(UTC) for e in events_of(calendar))
    assert starts == [
        datetime(2026, 3, 24, 8, 30, tzinfo=UTC),
        datetime(2026, 3, 24, 8, 45, tzinfo=UTC),
    ]
