"""Writes of meeting series and meetings: configure a series, generate its meetings ahead (the beat
task), call an emergency meeting, change or cancel a meeting.

Meetings fall on the series' weekday at its wall-clock time in Europe/Amsterdam, stored in UTC, so a
09:30 meeting is 08:30 UTC in winter and 07:30 UTC in summer. A regular date on a Dutch public
holiday (or a decree day, or a closing day of the region: ``mda.workdays``) is skipped or moved to
the next or previous working day, as the series says. Generation is
idempotent: the unique (series, regular date) constraint lets two sweeps race harmlessly.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.access import require_coordinator
from casework.models import Case
from mda.access import series_regions_managed_by
from mda.audit import audit_record
from mda.models import AuditAction, Region, User
from mda.workdays import local_date
from scheduling.models import (
    AgendaItem,
    AgendaStatus,
    ItemReason,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MeetingType,
)
from scheduling.selectors.meetings import series_dates, series_deadline, series_times

logger = logging.getLogger(__name__)

EMERGENCY_WITHIN = timedelta(hours=72)
EMERGENCY_MAX_MINUTES = 240
SERIES_FIELDS = (
    "kind",
    "name",
    "weekday",
    "start_time",
    "duration_minutes",
    "place",
    "online_link",
    "holiday_rule",
    "weeks_ahead",
    "slot_minutes",
    "deadline_working_days",
    "deadline_time",
    "starts_on",
    "active",
)


# --- Dates and times -----------------------------------------------------------------------------


# --- Series --------------------------------------------------------------------------------------


def _audit(actor: User | None, action: str, object_type: str, obj: Any, **extra: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(obj.pk),
        case=extra.pop("case", None),
        region=getattr(obj, "region", None),
        detail=extra or None,
    )


@transaction.atomic
def series_create(*, actor: User, region: Region, **fields: Any) -> MeetingSeries:
    """A coordinator or functional admin of *region* sets up a recurring meeting."""
    if not series_regions_managed_by(actor).filter(pk=region.pk).exists():
        raise PermissionDenied
    unknown = set(fields) - set(SERIES_FIELDS)
    if unknown:
        raise TypeError(f"Unknown series fields: {', '.join(sorted(unknown))}")
    series = MeetingSeries(region=region, **fields)
    series.full_clean()
    series.save()
    _audit(actor, AuditAction.CREATE, "meeting_series", series)
    return series


@transaction.atomic
def series_update(*, actor: User, series: MeetingSeries, **fields: Any) -> MeetingSeries:
    """Change a series (from ``access.access_meeting_series(..., manage=True)``). Meetings already
    generated keep their time; later ones follow the new settings."""
    if not series.may_manage:
        raise PermissionDenied
    unknown = set(fields) - set(SERIES_FIELDS)
    if unknown:
        raise TypeError(f"Unknown series fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(series, name, value)
    series.full_clean()
    series.save()
    _audit(actor, AuditAction.CHANGE, "meeting_series", series, fields=sorted(fields))
    return series


# --- Generation (the beat task) ------------------------------------------------------------------


def meetings_generate(*, series: MeetingSeries, now: datetime | None = None) -> list[Meeting]:
    """Create the series' meetings for the coming ``weeks_ahead`` weeks that do not exist yet."""
    if not series.active:
        return []
    now = now or timezone.now()
    today = local_date(now)
    start = max(series.starts_on, today)
    end = today + timedelta(weeks=series.weeks_ahead)
    existing = set(
        series.meetings.filter(regular_date__gte=start).values_list("regular_date", flat=True)
    )
    created = []
    for regular, day in series_dates(series, start, end):
        if day is None or regular in existing:
            continue
        meeting = _generated_meeting(series, regular, day)
        if meeting.starts_at > now and _save_once(meeting):
            created.append(meeting)
    return created


def _generated_meeting(series: MeetingSeries, regular: date, day: date) -> Meeting:
    starts_at, ends_at = series_times(series, day)
    return Meeting(
        region_id=series.region_id,
        series=series,
        kind=series.kind,
        regular_date=regular,
        moved_for_holiday=day != regular,
        starts_at=starts_at,
        ends_at=ends_at,
        place=series.place,
        online_link=series.online_link,
        information_deadline=series_deadline(series, day),
    )


def _save_once(meeting: Meeting) -> bool:
    """Save a generated meeting unless a concurrent sweep made it first."""
    meeting.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:
        return False
    return True


def meetings_generate_all(*, now: datetime | None = None) -> int:
    """Every active series: create what is missing in its planning window."""
    count = 0
    for series in MeetingSeries.objects.filter(active=True).select_related("region"):
        count += len(meetings_generate(series=series, now=now))
    if count:
        logger.info("meeting generation: %d meetings created", count)
    return count


# --- One meeting ---------------------------------------------------------------------------------


def require_manager(meeting: Meeting) -> None:
    """*meeting* must come from ``access.access_meeting(..., manage=True)``."""
    if not meeting.as_coordinator:
        raise PermissionDenied


def require_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if meeting.ends_at <= timezone.now():
        raise ValidationError(_("This meeting is over; its agenda can no longer change."))


@transaction.atomic
def meeting_call_emergency(
    *,
    actor: User,
    case: Case,
    starts_at: datetime,
    duration_minutes: int,
    place: str = "",
    online_link: str = "",
) -> Meeting:
    """A coordinator calls an emergency meeting for one case within hours; its agenda is published
    at once and the organisations taking part are invited."""
    from scheduling.services.invitations import invitations_sync

    require_coordinator(actor, case)
    _validate_emergency(starts_at, duration_minutes, place, online_link)
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    now = timezone.now()
    meeting = Meeting(
        region_id=case.region_id,
        kind=MeetingType.EMERGENCY,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        online_link=online_link.strip(),
        agenda_status=AgendaStatus.PUBLISHED,
        agenda_published_at=now,
        created_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    item = AgendaItem(
        meeting=meeting,
        case=case,
        position=0,
        slot_minutes=duration_minutes,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=ItemReason.EMERGENCY,
        added_by=actor,
    )
    item.full_clean()
    item.save()
    _audit(actor, AuditAction.CREATE, "meeting", meeting, case=case)
    invitations_sync(meeting=meeting)
    return meeting


def _validate_emergency(
    starts_at: datetime, duration_minutes: int, place: str, online_link: str
) -> None:
    errors: dict[str, str] = {}
    now = timezone.now()
    if starts_at < now - timedelta(minutes=5):
        errors["starts_at"] = _("The start cannot be in the past.")
    elif starts_at > now + EMERGENCY_WITHIN:
        errors["starts_at"] = _(
            "An emergency meeting takes place within 72 hours; plan a later one on the agenda "
            "of a regular meeting."
        )
    if not 15 <= duration_minutes <= EMERGENCY_MAX_MINUTES:
        errors["duration_minutes"] = _("Choose a duration between 15 and 240 minutes.")
    if not place.strip() and not online_link.strip():
        errors["place"] = _("Give a place, an online link or both.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    information_deadline: datetime | None,
    place: str,
    online_link: str,
) -> Meeting:
    """Change a meeting's deadline, place or link; invitations already sent get updates."""
    from scheduling.services.invitations import invitations_sync

    require_manager(meeting)
    require_open(meeting)
    if information_deadline is not None and information_deadline >= meeting.starts_at:
        raise ValidationError(
            {"information_deadline": _("The deadline must be before the meeting starts.")}
        )
    meeting.information_deadline = information_deadline
    meeting.place, meeting.online_link = place.strip(), online_link.strip()
    if not meeting.place and not meeting.online_link:
        raise ValidationError({"place": _("Give a place, an online link or both.")})
    meeting.full_clean()
    meeting.save()
    _audit(actor, AuditAction.CHANGE, "meeting", meeting)
    invitations_sync(meeting=meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str = "") -> Meeting:
    """Cancel a meeting: every organisation invited gets a cancellation of its slots, with the
    *reason* (kept on the meeting)."""
    from scheduling.services.invitations import invitations_sync

    require_manager(meeting)
    require_open(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason.strip()
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    _audit(actor, AuditAction.CHANGE, "meeting", meeting, status=MeetingStatus.CANCELLED)
    invitations_sync(meeting=meeting)
    return meeting
