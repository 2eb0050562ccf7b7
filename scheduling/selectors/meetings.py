"""Reads of meetings: the coordinator's week, a partner's meetings, the meetings of a
period and of a case. Agendas, minutes and the calendar feed have their own modules.

Every list starts from ``scheduling.access``: a partner's agenda holds only the items of cases its
organisation takes part in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mda.access import meeting_regions_of
from mda.models import User
from mda.workdays import AMSTERDAM, WorkCalendar, at_local_time, work_calendar
from mda.working_hours import clock_within_working_hours, within_working_hours, working_hours
from scheduling import access
from scheduling.models import (
    AgendaItem,
    AgendaStatus,
    HolidayRule,
    ItemMinutes,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from scheduling.selectors.agendas import AgendaView, agenda_view

# --- Lists ---------------------------------------------------------------------------------------


@dataclass
class MeetingSummary:
    meeting: Meeting
    items: int
    planned: int


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_meetings(*, actor: User, monday: date) -> list[MeetingSummary]:
    """Meetings of the regions *actor* coordinates or chairs in the week from *monday*."""
    start = datetime.combine(monday, datetime.min.time(), tzinfo=AMSTERDAM)
    meetings = (
        access.meetings_visible_to(actor)
        .filter(region__in=meeting_regions_of(actor))
        .filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=7))
        .select_related("region", "series")
        .order_by("starts_at")
    )
    summaries = []
    for meeting in meetings:
        items = meeting.items.current()
        planned = items.aggregate(total=Sum("slot_minutes"))["total"] or 0
        summaries.append(MeetingSummary(meeting, items.count(), int(planned)))
    return summaries


def my_meetings(*, actor: User, since: datetime | None = None) -> list[AgendaView]:
    """Upcoming meetings (from *since*) with the slots of *actor*'s organisations."""
    since = since or timezone.now() - timedelta(hours=12)
    partner_items = access.own_slots_visible_to(actor)
    meetings = (
        access.meetings_visible_to(actor)
        .filter(ends_at__gte=since, agenda_status=AgendaStatus.PUBLISHED)
        .filter(pk__in=partner_items.values("meeting_id"))
        .select_related("region", "series")
        .order_by("starts_at")
    )
    views = []
    for meeting in meetings:
        view = agenda_view(actor=actor, meeting=meeting)
        if view.sees_whole_agenda:  # a coordinator who also works as a partner: only own slots
            partner = set(partner_items.filter(meeting=meeting).values_list("pk", flat=True))
            view.rows = [row for row in view.rows if row.item.pk in partner]
        views.append(view)
    return views


def meetings_list(
    *, actor: User, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[Meeting]:
    qs = access.meetings_visible_to(actor).select_related("region", "series")
    if since is not None:
        qs = qs.filter(ends_at__gte=since)
    if until is not None:
        qs = qs.filter(starts_at__lt=until)
    return qs.order_by("starts_at")


# --- Proposals -----------------------------------------------------------------------------------


# --- Minutes -------------------------------------------------------------------------------------


# --- A case's meetings (the case page) -----------------------------------------------------------


@dataclass
class CaseMeetings:
    upcoming: list[AgendaItem]
    past: list[AgendaItem]


def case_meetings(*, actor: User, case: Any) -> CaseMeetings:
    """The case's slots *actor* may see: upcoming ones, and past ones whose minutes they read.
    *case* as ``access_case`` returned it."""
    now = timezone.now()
    items = list(
        access.agenda_items_visible_to(actor)
        .filter(case_id=case.pk)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting")
        .order_by("starts_at")
    )
    upcoming = [i for i in items if i.meeting.ends_at >= now]
    readable = [
        i for i in items if i.meeting.ends_at < now and access.minutes_level_in(case, i) is not None
    ]
    minuted = set(ItemMinutes.objects.filter(item__in=readable).values_list("item_id", flat=True))
    return CaseMeetings(upcoming=upcoming, past=[i for i in readable if i.pk in minuted][::-1])


# --- The personal calendar feed ------------------------------------------------------------------


def meeting_day(regular: date, rule: str, calendar: WorkCalendar) -> date | None:
    """The day a meeting due on *regular* takes place: itself on a working day; on a holiday, a
    decree day or a closing day of the region (or a weekend) skipped (None) or moved to the next or
    previous working day."""
    if calendar.is_working_day(regular):
        return regular
    if rule == HolidayRule.SKIP:
        return None
    if rule == HolidayRule.NEXT_WORKING_DAY:
        return calendar.on_or_after(regular)
    return calendar.on_or_before(regular)


def series_dates(
    series: MeetingSeries, start: date, end: date
) -> Iterator[tuple[date, date | None]]:
    """(regular date, actual day or None when skipped) for each week from *start* to *end*."""
    calendar = work_calendar(series.region_id)
    day = start + timedelta(days=(series.weekday - start.weekday()) % 7)
    while day <= end:
        yield day, meeting_day(day, series.holiday_rule, calendar)
        day += timedelta(weeks=1)


def series_times(series: MeetingSeries, day: date) -> tuple[datetime, datetime]:
    starts_at = at_local_time(day, series.start_time)
    return starts_at, starts_at + timedelta(minutes=series.duration_minutes)


def series_deadline(series: MeetingSeries, day: date) -> datetime:
    """The information deadline: *deadline_working_days* working days before, at the set time."""
    calendar = work_calendar(series.region_id)
    deadline_day = calendar.add_working_days(day, -series.deadline_working_days)
    return at_local_time(deadline_day, series.deadline_time)


# --- Times that need a second look ---------------------------------------------------------------


@dataclass(frozen=True)
class TimeWarning:
    """Why a meeting's time asks for confirmation: ``outside_working_hours``,
    ``overlapping_meeting`` or ``overlapping_series``."""

    code: str
    message: str


MAX_OVERLAPS_NAMED = 5


def _hours_text() -> str:
    opens, closes = working_hours()
    return f"{opens:%H:%M}–{closes:%H:%M}"


def _local(moment: datetime, fmt: str = "j M Y H:i") -> str:
    return date_format(moment.astimezone(AMSTERDAM), fmt)


def meeting_time_warnings(
    *, region_id: int, starts_at: datetime, ends_at: datetime, exclude: Any = None
) -> list[TimeWarning]:
    """What to confirm before a meeting of *region_id* takes place from *starts_at* to *ends_at*:
    a time outside working hours, and the region's meetings it overlaps."""
    warnings = []
    if not within_working_hours(starts_at, ends_at, work_calendar(region_id)):
        warnings.append(
            TimeWarning(
                "outside_working_hours",
                _(
                    "%(start)s–%(end)s is outside working hours (%(hours)s on working days). "
                    "Partners may not be able to come."
                )
                % {
                    "start": _local(starts_at),
                    "end": _local(ends_at, "H:i"),
                    "hours": _hours_text(),
                },
            )
        )
    overlapping = (
        Meeting.objects.filter(
            region_id=region_id,
            status=MeetingStatus.SCHEDULED,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .exclude(pk=exclude)
        .select_related("series")
        .order_by("starts_at")[:MAX_OVERLAPS_NAMED]
    )
    for other in overlapping:
        warnings.append(
            TimeWarning(
                "overlapping_meeting",
                _("It overlaps %(meeting)s, %(start)s–%(end)s.")
                % {
                    "meeting": other.series.name if other.series else other.get_kind_display(),
                    "start": _local(other.starts_at),
                    "end": _local(other.ends_at, "H:i"),
                },
            )
        )
    return warnings


def series_time_warnings(
    *,
    region_id: int,
    weekday: int,
    start_time: time,
    duration_minutes: int,
    exclude: Any = None,
) -> list[TimeWarning]:
    """What to confirm before a weekly series of *region_id* meets on *weekday* from
    *start_time*: a time outside working hours, and the region's active series at the same
    time."""
    start = datetime.combine(date.min, start_time)
    end = start + timedelta(minutes=duration_minutes)
    warnings = []
    if end.date() != start.date() or not clock_within_working_hours(start_time, end.time()):
        warnings.append(
            TimeWarning(
                "outside_working_hours",
                _("%(start)s–%(end)s is outside working hours (%(hours)s).")
                % {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "hours": _hours_text()},
            )
        )
    others = (
        MeetingSeries.objects.filter(region_id=region_id, weekday=weekday, active=True)
        .exclude(pk=exclude)
        .order_by("start_time", "name")
    )
    for other in others:
        other_start = datetime.combine(date.min, other.start_time)
        other_end = other_start + timedelta(minutes=other.duration_minutes)
        if other_start < end and start < other_end:
            warnings.append(
                TimeWarning(
                    "overlapping_series",
                    _("It meets at the same time as %(series)s (%(day)s %(start)s–%(end)s).")
                    % {
                        "series": other.name,
                        "day": other.get_weekday_display(),
                        "start": f"{other_start:%H:%M}",
                        "end": f"{other_end:%H:%M}",
                    },
                )
            )
    return warnings


# --- The next meeting of each case (the case list) -----------------------------------------------


def next_meetings_of(
    *, actor: User, case_ids: list[Any], now: datetime | None = None
) -> dict[Any, AgendaItem]:
    """For each of *case_ids*, the earliest slot still to come that *actor* may see (a partner:
    only on published agendas), in one query for a page of cases."""
    now = now or timezone.now()
    items = (
        access.agenda_items_visible_to(actor)
        .filter(case_id__in=case_ids, ends_at__gte=now, meeting__status=MeetingStatus.SCHEDULED)
        .select_related("meeting")
        .order_by("case_id", "starts_at")
    )
    first: dict[Any, AgendaItem] = {}
    for item in items:
        first.setdefault(item.case_id, item)
    return first
