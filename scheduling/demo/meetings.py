"""Demo meetings for Groningen: a weekly MDA++ case conference and a triage series, two
past meetings with published minutes, and the next two meetings with published agendas (so logging
in as ``politie`` shows only the police's slots). Idempotent: skipped when the series exists.

Upcoming agendas are built through the services, as a coordinator would. The past meetings cannot
be (the services refuse to change what is over), so they are written here directly, with their
minutes sealed like the services do.
"""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from casework.models import Case, CaseStatus
from mda import crypto
from mda.models import Region, User
from mda.workdays import work_calendar
from scheduling import access
from scheduling.models import (
    AgendaItem,
    AgendaStatus,
    Attendance,
    AttendanceStatus,
    HolidayRule,
    Invitation,
    InvitationResponse,
    ItemMinutes,
    ItemReason,
    Meeting,
    MeetingSeries,
    MeetingType,
    Weekday,
)
from scheduling.models.agendas import INACTIVE_STATUSES
from scheduling.services import agendas, meetings

SERIES_NAME = "MDA++ casusoverleg Groningen"
PAST_MINUTES = (
    "Partners delen het beeld dat de veiligheid nog niet stabiel is.",
    "Casusregie bij het lokaal team; politie deelt relevante meldingen binnen 24 uur.",
)


@transaction.atomic
def seed_meetings(out: list[str]) -> None:
    region = Region.objects.get(slug="groningen")
    if MeetingSeries.objects.filter(region=region, name=SERIES_NAME).exists():
        out.append("Demo meetings exist already; left as they are.")
        return
    coordinator = User.objects.get(username="coordinator")
    series = _series(region, coordinator)
    cases = list(
        Case.objects.filter(region=region)
        .exclude(status__in=INACTIVE_STATUSES)
        .order_by("reference")
    )
    past = [_past_meeting(series, day, cases[:3], coordinator) for day in _past_days(series, 2)]
    upcoming = _upcoming_agendas(series, cases, coordinator)
    out.append(
        f"Demo meetings: {len(past)} past with minutes, {len(upcoming)} upcoming with published "
        f"agendas ({SERIES_NAME})."
    )


def _series(region: Region, coordinator: User) -> MeetingSeries:
    today = timezone.localdate()
    meetings.series_create(
        actor=coordinator,
        region=region,
        kind=MeetingType.TRIAGE,
        name="Triage Groningen",
        weekday=Weekday.MONDAY,
        start_time=time(13, 0),
        duration_minutes=60,
        place="Zorg- en Veiligheidshuis Groningen, kamer 1.12",
        holiday_rule=HolidayRule.NEXT_WORKING_DAY,
        starts_on=today,
    )
    return meetings.series_create(
        actor=coordinator,
        region=region,
        kind=MeetingType.CASE_CONFERENCE,
        name=SERIES_NAME,
        weekday=Weekday.TUESDAY,
        start_time=time(9, 30),
        duration_minutes=180,
        place="Zorg- en Veiligheidshuis Groningen, vergaderzaal 2",
        online_link="https://meet.example.org/mda-groningen",
        holiday_rule=HolidayRule.NEXT_WORKING_DAY,
        starts_on=today - timedelta(weeks=3),
    )


def _past_days(series: MeetingSeries, count: int) -> list[date]:
    calendar = work_calendar(series.region_id)
    day = timezone.localdate() - timedelta(days=1)
    found: list[date] = []
    while len(found) < count:
        if day.weekday() == series.weekday and calendar.is_working_day(day):
            found.append(day)
        day -= timedelta(days=1)
    return sorted(found)


def _past_meeting(
    series: MeetingSeries, day: date, cases: list[Case], coordinator: User
) -> Meeting:
    starts_at, ends_at = meetings.series_times(series, day)
    meeting = Meeting.objects.create(
        region=series.region,
        series=series,
        kind=series.kind,
        regular_date=day,
        starts_at=starts_at,
        ends_at=ends_at,
        place=series.place,
        online_link=series.online_link,
        agenda_status=AgendaStatus.PUBLISHED,
        agenda_published_at=starts_at - timedelta(days=6),
        information_deadline=meetings.series_deadline(series, day),
        confidentiality_read_at=starts_at,
        confidentiality_read_by=coordinator,
        minutes_published_at=ends_at,
        minutes_published_by=coordinator,
    )
    start = starts_at
    for position, case in enumerate(cases):
        item = AgendaItem.objects.create(
            meeting=meeting,
            case=case,
            position=position,
            slot_minutes=15,
            starts_at=start,
            ends_at=start + timedelta(minutes=15),
            reason=ItemReason.REVIEW_DUE,
            added_by=coordinator,
        )
        start = item.ends_at
        _past_minutes(item, coordinator)
    return meeting


def _past_minutes(item: AgendaItem, coordinator: User) -> None:
    minutes = ItemMinutes(
        id=uuid.uuid4(),
        item=item,
        recorded_by=coordinator,
        next_review_on=timezone.localdate() + timedelta(weeks=4),
    )
    crypto.seal(minutes, "shared_views_ct", PAST_MINUTES[0], item.case.data_key)
    crypto.seal(minutes, "decisions_ct", PAST_MINUTES[1], item.case.data_key)
    minutes.save()
    for organisation in access.invited_organisations(item.case_id):
        Invitation.objects.create(
            item=item,
            organisation=organisation,
            fingerprint="demo",
            response=InvitationResponse.ATTENDING,
            responded_at=item.meeting.agenda_published_at,
        )
        Attendance.objects.update_or_create(
            meeting=item.meeting,
            organisation=organisation,
            defaults={"status": AttendanceStatus.PRESENT, "recorded_by": coordinator},
        )


def _upcoming_agendas(series: MeetingSeries, cases: list[Case], coordinator: User) -> list[Any]:
    generated = meetings.meetings_generate(series=series)
    published = []
    for number, meeting in enumerate(generated[:2]):
        managed = access.access_meeting(coordinator, meeting.pk, manage=True)
        chosen = cases[number * 2 : number * 2 + 4]
        for case in chosen:
            reason = (
                ItemReason.ACCEPTED if case.status == CaseStatus.INTAKE else ItemReason.COORDINATOR
            )
            agendas.agenda_item_add(actor=coordinator, meeting=managed, case=case, reason=reason)
        if chosen:
            agendas.agenda_publish(actor=coordinator, meeting=managed)
            published.append(meeting)
    return published
