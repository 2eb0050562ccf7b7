"""Agenda writes as they were before: every change rewrote every slot's time, a sync looked up
each slot's organisations and wrote invitations and messages row by row, and every calendar
attachment built its own VTIMEZONE. Kept only as the baseline that ``bench/agenda.py`` measures
in the same run (it patches these in); never used by the service."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from mda.workdays import AMSTERDAM
from scheduling import access, ical
from scheduling.models import (
    AgendaItem,
    AgendaStatus,
    Invitation,
    InvitationLine,
    InvitationMessage,
    InvitationMethod,
    Meeting,
    MeetingStatus,
)
from scheduling.services import agendas, invitations
from scheduling.services.invitations import OUTBOX, _fingerprint


def _retime(meeting: Meeting) -> None:
    start = meeting.starts_at
    items = list(meeting.items.current().order_by("position", "added_at"))
    for position, item in enumerate(items):
        item.position = position
        item.starts_at = start
        item.ends_at = start + timedelta(minutes=item.slot_minutes)
        start = item.ends_at
    AgendaItem.objects.bulk_update(items, ["position", "starts_at", "ends_at"])


def _wanted(item: AgendaItem, meeting: Meeting) -> set[int]:
    if item.removed_at is not None or meeting.status == MeetingStatus.CANCELLED:
        return set()
    return set(access.invited_organisations(item.case_id).values_list("pk", flat=True))


def _item_lines(item: AgendaItem, meeting: Meeting) -> list[tuple[int, Invitation, str]]:
    """(organisation id, invitation, method) for every organisation whose knowledge of *item* is
    out of date; the invitations are saved with their raised sequence."""
    fingerprint = _fingerprint(item, meeting)
    sent = {inv.organisation_id: inv for inv in item.invitations.all()}
    wanted = _wanted(item, meeting)
    out: list[tuple[int, Invitation, str]] = []
    for organisation_id in sorted(wanted):
        invitation = sent.get(organisation_id)
        if invitation is None:
            invitation = Invitation.objects.create(
                item=item, organisation_id=organisation_id, sequence=0, fingerprint=fingerprint
            )
        elif invitation.cancelled or invitation.fingerprint != fingerprint:
            invitation.sequence += 1
            invitation.cancelled, invitation.fingerprint = False, fingerprint
            invitation.save(update_fields=["sequence", "cancelled", "fingerprint"])
        else:
            continue
        out.append((organisation_id, invitation, InvitationMethod.REQUEST))
    for organisation_id, invitation in sent.items():
        if organisation_id not in wanted and not invitation.cancelled:
            invitation.sequence += 1
            invitation.cancelled = True
            invitation.save(update_fields=["sequence", "cancelled"])
            out.append((organisation_id, invitation, InvitationMethod.CANCEL))
    return out


def invitations_sync(*, meeting: Meeting) -> int:
    """Bring what every organisation was sent about *meeting* in line with its published agenda;
    the number of e-mails queued. Runs inside the caller's transaction (it locks the meeting)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.agenda_status != AgendaStatus.PUBLISHED:
            return 0
        by_organisation: dict[int, list[tuple[Invitation, str]]] = defaultdict(list)
        items = meeting.items.select_related("case").prefetch_related("invitations")
        for item in items:
            for organisation_id, invitation, method in _item_lines(item, meeting):
                by_organisation[organisation_id].append((invitation, method))
        message_ids = [_message(meeting, org, lines) for org, lines in by_organisation.items()]
    if message_ids:
        OUTBOX.queue_on_commit(message_ids)
    return len(message_ids)


def _message(meeting: Meeting, organisation_id: int, lines: list[tuple[Invitation, str]]) -> Any:
    message = InvitationMessage.objects.create(meeting=meeting, organisation_id=organisation_id)
    InvitationLine.objects.bulk_create(
        InvitationLine(
            message=message,
            invitation=invitation,
            method=method,
            sequence=invitation.sequence,
            starts_at=invitation.item.starts_at,
            ends_at=invitation.item.ends_at,
        )
        for invitation, method in lines
    )
    return message.pk


def _calendar(events: list[Event], starts: Iterable[datetime], method: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", ical.PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    years = [moment.astimezone(AMSTERDAM).year for moment in starts] or [timezone.now().year]
    # A VTIMEZONE for Europe/Amsterdam covering the events' years (not 1970-2038: keep it small).
    calendar.add_missing_timezones(
        first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 1, 12, 31)
    )
    return calendar


@contextmanager
def patched() -> Iterator[None]:
    """Run the service with the old agenda writes in place of the new ones."""
    saved = (agendas._retime, agendas.invitations_sync, invitations.invitations_sync)
    saved_calendar = ical._calendar
    agendas._retime = _retime  # type: ignore[assignment]
    agendas.invitations_sync = invitations_sync
    invitations.invitations_sync = invitations_sync
    ical._calendar = _calendar
    try:
        yield
    finally:
        agendas._retime, agendas.invitations_sync, invitations.invitations_sync = saved
        ical._calendar = saved_calendar
