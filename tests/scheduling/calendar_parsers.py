"""Read a calendar file the way two unrelated clients would: with ``icalendar`` and with
``vobject`` (separate code bases, separate parsers). Each reading is reduced to the facts a
calendar app acts on; both must succeed, report no error, and agree.

A property that one parser accepts as free text and the other rejects (a duration written as
``1:00:00``) fails here, where a single lenient parser would let it through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import vobject
from icalendar import Calendar
from vobject.icalendar import TimezoneComponent, stringToDurations

# RFC 5545 3.3.6: dur-value, e.g. PT1H, P1W, -P2DT3H.
DURATION = re.compile(r"^[+-]?P(\d+W|(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?)$")


@dataclass(frozen=True)
class EventFacts:
    uid: str
    sequence: int
    starts: datetime  # UTC
    ends: datetime  # UTC
    start_zone: str
    status: str
    summary: str
    url: str


@dataclass(frozen=True)
class CalendarFacts:
    method: str | None
    version: str
    timezones: tuple[str, ...]
    name: str | None
    refresh_interval: timedelta | None
    events: tuple[EventFacts, ...]

    def event(self, uid: str) -> EventFacts:
        (found,) = [e for e in self.events if e.uid == uid]
        return found


def read_with_icalendar(data: bytes) -> CalendarFacts:
    calendar: Any = Calendar.from_ical(data)
    errors = [(c.name, e) for c in calendar.walk() for e in getattr(c, "errors", [])]
    assert errors == [], f"icalendar reports errors: {errors}"
    events = tuple(
        sorted(
            (
                EventFacts(
                    uid=str(e["UID"]),
                    sequence=int(e["SEQUENCE"]),
                    starts=e["DTSTART"].dt.astimezone(UTC),
                    ends=e["DTEND"].dt.astimezone(UTC),
                    start_zone=str(e["DTSTART"].params.get("TZID", "")),
                    status=str(e["STATUS"]),
                    summary=str(e["SUMMARY"]),
                    url=str(e.get("URL", "")),
                )
                for e in calendar.walk("VEVENT")
            ),
            key=lambda e: e.uid,
        )
    )
    refresh = calendar.get("REFRESH-INTERVAL")
    return CalendarFacts(
        method=str(calendar["METHOD"]) if "METHOD" in calendar else None,
        version=str(calendar["VERSION"]),
        timezones=tuple(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")),
        name=str(calendar["X-WR-CALNAME"]) if "X-WR-CALNAME" in calendar else None,
        refresh_interval=refresh.dt if refresh is not None else None,
        events=events,
    )


def _value(component: Any, name: str) -> Any:
    lines = component.contents.get(name.lower(), [])
    assert len(lines) <= 1, f"{name} occurs {len(lines)} times"
    return lines[0].value if lines else None


def _vobject_refresh(calendar: Any) -> timedelta | None:
    lines = calendar.contents.get("refresh-interval", [])
    if not lines:
        return None
    (line,) = lines
    assert line.params.get("VALUE") == ["DURATION"], "REFRESH-INTERVAL needs VALUE=DURATION"
    assert DURATION.match(line.value), f"not an RFC 5545 duration: {line.value!r}"
    (duration,) = stringToDurations(line.value)
    return duration


def read_with_vobject(data: bytes) -> CalendarFacts:
    calendar = vobject.readOne(data.decode("utf-8"), validate=True)
    events = []
    for e in calendar.contents.get("vevent", []):
        start = e.dtstart
        events.append(
            EventFacts(
                uid=_value(e, "UID"),
                sequence=int(_value(e, "SEQUENCE")),
                starts=start.value.astimezone(UTC),
                ends=_value(e, "DTEND").astimezone(UTC),
                start_zone=TimezoneComponent.pickTzid(start.value.tzinfo) or "",
                status=_value(e, "STATUS"),
                summary=_value(e, "SUMMARY"),
                url=_value(e, "URL") or "",
            )
        )
    return CalendarFacts(
        method=_value(calendar, "METHOD"),
        version=_value(calendar, "VERSION"),
        timezones=tuple(_value(tz, "TZID") for tz in calendar.contents.get("vtimezone", [])),
        name=_value(calendar, "X-WR-CALNAME"),
        refresh_interval=_vobject_refresh(calendar),
        events=tuple(sorted(events, key=lambda e: e.uid)),
    )


def read_both(data: bytes) -> CalendarFacts:
    """The calendar as both parsers read it; they must agree on every fact."""
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    too_long = [line for line in data.split(b"\r\n") if len(line) > 75]
    assert too_long == [], "content lines must be folded at 75 octets"
    first, second = read_with_icalendar(data), read_with_vobject(data)
    assert first == second, f"icalendar read {first}, vobject read {second}"
    return first
