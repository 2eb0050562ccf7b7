"""Reads of invitations: the slots of a user's personal calendar feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mda.access import meeting_regions_of
from mda.models import User
from mda.workdays import AMSTERDAM
from scheduling import access
from scheduling.ical import SlotEvent, item_uid, meeting_uid
from scheduling.models import (
    AgendaItem,
    Invitation,
    Meeting,
    MeetingStatus,
)
from scheduling.selectors.agendas import partner_organisation_ids

FEED_PAST = timedelta(days=28)


FEED_AHEAD = timedelta(days=120)


def feed_slots(*, user: User) -> list[SlotEvent]:
    """A coordinator's or chair's meetings as whole meetings; a partner's own slots."""
    now = timezone.now()
    window = Q(starts_at__gte=now - FEED_PAST, starts_at__lte=now + FEED_AHEAD)
    slots = [
        _meeting_event(meeting)
        for meeting in access.meetings_visible_to(user)
        .filter(window, region__in=meeting_regions_of(user))
        .order_by("starts_at")
    ]
    partner_items = (
        access.own_slots_visible_to(user)
        .filter(meeting__starts_at__gte=now - FEED_PAST, meeting__starts_at__lte=now + FEED_AHEAD)
        .exclude(meeting__region__in=meeting_regions_of(user))
        .select_related("case", "meeting")
    )
    own = list(partner_organisation_ids(user))
    for item in partner_items:
        sequence = Invitation.objects.filter(item=item, organisation_id__in=own).aggregate(
            top=Max("sequence")
        )["top"]
        slots.append(slot_event(item, sequence=sequence or 0))
    return slots


def _meeting_event(meeting: Meeting) -> SlotEvent:
    references = meeting.items.current().count()
    return SlotEvent(
        uid=meeting_uid(meeting.pk),
        sequence=0,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=f"{meeting.get_kind_display()} ({references})",
        location=meeting.place or meeting.online_link,
        url=meeting_link(meeting),
        description=f"{local(meeting.starts_at)}\n{meeting_link(meeting)}",
        cancelled=meeting.status == MeetingStatus.CANCELLED,
    )


def local(moment: Any) -> str:
    return formats.date_format(moment.astimezone(AMSTERDAM), "DATETIME_FORMAT")


def local_span(start: Any, end: Any) -> str:
    """A slot in local time, the end's date only when it falls on another day."""
    end_local = end.astimezone(AMSTERDAM)
    same_day = end_local.date() == start.astimezone(AMSTERDAM).date()
    until = formats.time_format(end_local, "TIME_FORMAT") if same_day else local(end)
    return f"{local(start)}–{until}"


def meeting_link(meeting: Meeting) -> str:
    return f"{settings.MDA_BASE_URL}{reverse('scheduling:meeting-detail', args=[meeting.pk])}"


def slot_event(
    item: AgendaItem,
    *,
    sequence: int,
    cancelled: bool = False,
    attendee_email: str = "",
) -> SlotEvent:
    """The calendar event of one slot: reference, time, place, links; nothing personal."""
    meeting = item.meeting
    summary = f"{meeting.get_kind_display()}: {item.case.reference}"
    lines = [
        _("Case %(reference)s") % {"reference": item.case.reference},
        _("Your slot: %(time)s") % {"time": local_span(item.starts_at, item.ends_at)},
    ]
    if meeting.place:
        lines.append(_("Place: %(place)s") % {"place": meeting.place})
    if meeting.online_link:
        lines.append(_("Online: %(link)s") % {"link": meeting.online_link})
    if item.deadline:
        lines.append(_("Information deadline: %(when)s") % {"when": local(item.deadline)})
    lines.append(_("Agenda and details: %(link)s") % {"link": meeting_link(meeting)})
    return SlotEvent(
        uid=item_uid(item.pk),
        sequence=sequence,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        summary=summary,
        location=meeting.place or meeting.online_link,
        url=meeting_link(meeting),
        description="\n".join(str(line) for line in lines),
        cancelled=cancelled or meeting.status == MeetingStatus.CANCELLED,
        attendee_email=attendee_email,
    )


def organisations_told(*, meeting: Meeting, item: Any = None) -> list[str]:
    """The organisations that were sent an invitation for *meeting* (or one *item*) and would
    get a cancellation: those whose invitation stands. Nobody while the agenda is a draft."""
    invitations = Invitation.objects.filter(item__meeting=meeting, cancelled=False)
    if item is not None:
        invitations = invitations.filter(item=item)
    names = invitations.values_list("organisation__name", flat=True).distinct()
    return sorted(set(names))
