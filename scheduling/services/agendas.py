"""Writes of agendas: add, change, reorder and remove items, and publish. Coordinators only; the
meeting comes from ``access.access_meeting(..., manage=True)``.

Slot times are derived: the items in order, each its slot length, from the meeting's start. After
every change they are recomputed and, once the agenda is published, ``invitations_sync`` sends
updates (and cancellations) to exactly the organisations concerned, in the same transaction.
Capacity is the meeting's duration: a change that would overfill it is refused with the next
meeting that has room.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.access import access_case, can_coordinate, cases_coordinated_by
from casework.models import Case
from mda.audit import audit_collect, audit_record
from mda.models import AuditAction, User
from scheduling.models import (
    AgendaItem,
    AgendaStatus,
    ItemReason,
    Meeting,
)
from scheduling.models.agendas import INACTIVE_STATUSES
from scheduling.selectors.agendas import default_slot_minutes, full_message, planned_minutes
from scheduling.services.invitations import invitations_sync
from scheduling.services.meetings import require_manager, require_open

#: Cases in these statuses are not discussed any more.
_UNSET: Any = object()


def _retime(meeting: Meeting) -> int:
    """Number the current items 0..n and set their times from the meeting's start. Only the items
    whose place or time changed (those after the change) are written, in one statement; the
    number written."""
    start = meeting.starts_at
    changed = []
    rows = meeting.items.current().order_by("position", "added_at")
    for position, item in enumerate(rows):
        ends = start + timedelta(minutes=item.slot_minutes)
        if (item.position, item.starts_at, item.ends_at) != (position, start, ends):
            item.position, item.starts_at, item.ends_at = position, start, ends
            changed.append(item)
        start = ends
    if changed:
        AgendaItem.objects.bulk_update(changed, ["position", "starts_at", "ends_at"])
    return len(changed)


def _audit(actor: User, action: str, item: AgendaItem, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="agenda_item",
        object_id=str(item.pk),
        case=item.case,
        detail={"meeting": str(item.meeting_id), **detail},
    )


def _changed(actor: User, meeting: Meeting, item: AgendaItem, action: str, **detail: Any) -> None:
    _retime(meeting)
    _audit(actor, action, item, **detail)
    invitations_sync(meeting=meeting)


def _locked(meeting: Meeting) -> Meeting:
    """Serialise agenda changes of one meeting; keep the access annotations of *meeting*."""
    # NO KEY: another transaction's new slot or invitation of this meeting (a foreign-key check
    # with a key-share lock at its COMMIT) need not wait for this one.
    fresh = Meeting.objects.select_for_update(no_key=True).get(pk=meeting.pk)
    for name in ("status", "agenda_status", "starts_at", "ends_at"):
        setattr(meeting, name, getattr(fresh, name))
    return meeting


def _check_case(actor: User, meeting: Meeting, case: Case) -> Case:
    case = access_case(actor, case.pk)
    if not can_coordinate(actor, case) or case.region_id != meeting.region_id:
        raise ValidationError({"case": _("Choose a case of this meeting's region.")})
    if case.status in INACTIVE_STATUSES:
        raise ValidationError({"case": _("This case is not active; it is not discussed.")})
    if meeting.items.current().filter(case=case).exists():
        raise ValidationError({"case": _("This case is on the agenda already.")})
    return case


@transaction.atomic
def agenda_item_add(
    *,
    actor: User,
    meeting: Meeting,
    case: Case,
    reason: str = ItemReason.COORDINATOR,
    slot_minutes: int | None = None,
) -> AgendaItem:
    """Put *case* on the agenda, at the end, if it fits."""
    require_manager(meeting)
    meeting = _locked(meeting)
    require_open(meeting)
    case = _check_case(actor, meeting, case)
    minutes = slot_minutes or default_slot_minutes(meeting)
    planned = planned_minutes(meeting)
    if planned + minutes > meeting.duration_minutes:
        raise ValidationError({"case": full_message(meeting, minutes)})
    starts_at = meeting.starts_at + timedelta(minutes=planned)  # at the end: nothing moves
    item = AgendaItem(
        meeting=meeting,
        case=case,
        position=meeting.items.current().count(),
        slot_minutes=minutes,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        reason=reason,
        added_by=actor,
    )
    item.full_clean(validate_constraints=False)
    item.save()
    _changed(actor, meeting, item, AuditAction.CREATE, cause=reason)
    item.refresh_from_db()
    return item


@dataclass(frozen=True)
class NewItem:
    """One case to put on the agenda with ``agenda_items_add``."""

    case_id: Any
    reason: str = ItemReason.COORDINATOR
    slot_minutes: int | None = None


def _case_ids(entries: Sequence[NewItem]) -> list[uuid.UUID]:
    if not entries:
        raise ValidationError({"cases": _("Choose at least one case to add.")})
    try:
        ids = [uuid.UUID(str(entry.case_id)) for entry in entries]
    except ValueError:
        raise ValidationError({"cases": _("A chosen case does not exist.")}) from None
    if len(set(ids)) != len(ids):
        raise ValidationError({"cases": _("A case is chosen twice.")})
    return ids


def _cases_to_add(actor: User, meeting: Meeting, ids: list[uuid.UUID]) -> list[Case]:
    """The cases with *ids*, in that order, each coordinated by *actor* in the meeting's region,
    active and not on the agenda yet; two queries whatever their number."""
    found = {
        case.pk: case
        for case in cases_coordinated_by(actor)
        .filter(pk__in=ids, region_id=meeting.region_id)
        .select_related("region")
    }
    if len(found) != len(ids):  # not yours, another region, or no such case: one answer for all
        raise ValidationError({"cases": _("Choose cases of this meeting's region.")})
    cases = [found[pk] for pk in ids]
    inactive = [case.reference for case in cases if case.status in INACTIVE_STATUSES]
    if inactive:
        raise ValidationError(
            {"cases": _("Not active, so not discussed: %(refs)s.") % {"refs": ", ".join(inactive)}}
        )
    current = meeting.items.current().filter(case_id__in=ids)
    already = sorted(current.values_list("case__reference", flat=True))
    if already:
        raise ValidationError(
            {"cases": _("On the agenda already: %(refs)s.") % {"refs": ", ".join(already)}}
        )
    return cases


@transaction.atomic
def agenda_items_add(
    *, actor: User, meeting: Meeting, entries: Sequence[NewItem]
) -> list[AgendaItem]:
    """Put several cases on the agenda at once, at the end and in the order given: all of them,
    or (on any error) none. The way a coordinator takes over the rules' proposals.

    A constant number of statements whatever the number of cases: the cases are checked in two
    queries, the items inserted in one, nothing already on the agenda moves, one audit event names
    every case added, and a published agenda sends its updates once.
    """
    require_manager(meeting)
    meeting = _locked(meeting)
    require_open(meeting)
    cases = _cases_to_add(actor, meeting, _case_ids(entries))
    default = default_slot_minutes(meeting)
    planned = planned_minutes(meeting)
    position = meeting.items.current().count()
    start = meeting.starts_at + timedelta(minutes=planned)
    items = []
    for offset, (entry, case) in enumerate(zip(entries, cases, strict=True)):
        minutes = entry.slot_minutes or default
        item = AgendaItem(
            meeting=meeting,
            case=case,
            position=position + offset,
            slot_minutes=minutes,
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            reason=entry.reason,
            added_by=actor,
        )
        # The foreign keys were checked above; only the values are validated here.
        item.full_clean(
            exclude=["meeting", "case", "added_by", "removed_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        items.append(item)
        start = item.ends_at
    needed = sum(item.slot_minutes for item in items)
    if planned + needed > meeting.duration_minutes:
        raise ValidationError({"cases": full_message(meeting, needed)})
    AgendaItem.objects.bulk_create(items)
    with audit_collect():
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="agenda",
            object_id=str(meeting.pk),
            cases=cases,
            detail={"meeting": str(meeting.pk), "added": len(items)},
        )
    invitations_sync(meeting=meeting)
    return items


@transaction.atomic
def agenda_item_update(
    *,
    actor: User,
    item: AgendaItem,
    slot_minutes: int | None = None,
    information_deadline: datetime | None = _UNSET,
) -> AgendaItem:
    """Change a slot's length or its own information deadline (None: the meeting's)."""
    meeting = item.meeting
    if not item.as_coordinator:
        raise PermissionDenied
    _locked(meeting)
    require_open(meeting)
    if slot_minutes is not None:
        if planned_minutes(meeting, without=item) + slot_minutes > meeting.duration_minutes:
            raise ValidationError({"slot_minutes": full_message(meeting, slot_minutes)})
        item.slot_minutes = slot_minutes
    if information_deadline is not _UNSET:
        if information_deadline is not None and information_deadline >= meeting.starts_at:
            raise ValidationError(
                {"information_deadline": _("The deadline must be before the meeting starts.")}
            )
        item.information_deadline = information_deadline
    item.full_clean(validate_constraints=False)
    item.save(update_fields=["slot_minutes", "information_deadline"])
    _changed(actor, meeting, item, AuditAction.CHANGE)
    item.refresh_from_db()
    return item


@transaction.atomic
def agenda_item_remove(*, actor: User, item: AgendaItem) -> AgendaItem:
    """Take a case off the agenda; organisations that were invited get a cancellation."""
    if not item.as_coordinator:
        raise PermissionDenied
    meeting = item.meeting
    _locked(meeting)
    require_open(meeting)
    item.removed_at, item.removed_by = timezone.now(), actor
    item.save(update_fields=["removed_at", "removed_by"])
    _changed(actor, meeting, item, AuditAction.CHANGE, removed=True)
    return item


@transaction.atomic
def agenda_reorder(*, actor: User, meeting: Meeting, item_ids: list[Any]) -> list[AgendaItem]:
    """Put the agenda in the order of *item_ids* (every current item, once)."""
    require_manager(meeting)
    meeting = _locked(meeting)
    require_open(meeting)
    items = {str(item.pk): item for item in meeting.items.current()}
    wanted = [str(pk) for pk in item_ids]
    if sorted(wanted) != sorted(items):
        raise ValidationError({"items": _("List every item of the agenda exactly once.")})
    for position, pk in enumerate(wanted):
        items[pk].position = position
    AgendaItem.objects.bulk_update(items.values(), ["position"])
    _retime(meeting)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type="agenda",
        object_id=str(meeting.pk),
        region=meeting.region,
        detail={"reordered": len(wanted)},
    )
    invitations_sync(meeting=meeting)
    return list(meeting.items.current().order_by("position"))


def agenda_item_move(
    *, actor: User, meeting: Meeting, item: AgendaItem, offset: int
) -> list[AgendaItem]:
    """Move an item up (-1) or down (+1): the web UI's buttons, on top of ``agenda_reorder``."""
    ids = list(meeting.items.current().order_by("position").values_list("pk", flat=True))
    index = ids.index(item.pk)
    target = min(max(index + offset, 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    return agenda_reorder(actor=actor, meeting=meeting, item_ids=ids)


@transaction.atomic
def agenda_publish(*, actor: User, meeting: Meeting) -> Meeting:
    """Publish the agenda: each organisation taking part in a case gets its invitations."""
    require_manager(meeting)
    meeting = _locked(meeting)
    require_open(meeting)
    if meeting.agenda_status == AgendaStatus.PUBLISHED:
        raise ValidationError(_("The agenda is published already."))
    if not meeting.items.current().exists():
        raise ValidationError(_("Put at least one case on the agenda before publishing it."))
    meeting.agenda_status = AgendaStatus.PUBLISHED
    meeting.agenda_published_at = timezone.now()
    meeting.save(update_fields=["agenda_status", "agenda_published_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type="agenda",
        object_id=str(meeting.pk),
        region=meeting.region,
        detail={"published": True},
    )
    invitations_sync(meeting=meeting)
    return meeting
