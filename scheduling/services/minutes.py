"""Running a meeting (from its day on): the confidentiality statement, the attendance checklist
per slot, the minutes of each case and their drafts (encrypted with the case's data key), the
agreements made and reviewed in it, and publishing the minutes to the participants at their levels.

Agreements go through ``casework.services`` (one owner of agreement rules); a meeting only passes
its id so an agreement records where it was made.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework import services as casework_services
from casework import statistics
from casework.access import access_case
from casework.models import Agreement, AgreementOrigin
from casework.selectors.lifecycle import director_candidates
from mda import crypto
from mda.access import PARTNER_ROLES
from mda.audit import audit_record
from mda.facts import fact_record, meeting_token
from mda.models import AuditAction, FactKind, Membership, Organisation, User
from mda.notifications import notification_send
from mda.workdays import local_date
from scheduling import access
from scheduling.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ItemMinutes,
    Meeting,
    MeetingStatus,
    MinutesDraft,
    SlotAttendance,
)
from scheduling.services.invitations import local

MAX_TEXT = 20000
#: The fields of the minutes form a draft keeps, as typed.
DRAFT_FIELDS = (
    "shared_views",
    "decisions",
    "case_director",
    "case_director_confirmed",
    "next_review_on",
)


def _require_runner(meeting: Meeting) -> None:
    """Coordinators and chairs run a meeting (from ``access.access_meeting(..., run=True)``)."""
    if not (meeting.as_coordinator or meeting.as_chair):
        raise PermissionDenied


def _audit(
    actor: User, action: str, object_type: str, obj: Any, meeting: Meeting, **kw: Any
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(obj.pk),
        case=kw.pop("case", None),
        region=meeting.region,
        detail={"meeting": str(meeting.pk), **kw},
    )


def _require_meeting_day(meeting: Meeting) -> None:
    """A meeting is run from its own day on (Amsterdam), never earlier: the run page says when
    it opens instead of offering forms that would be refused."""
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("This meeting was cancelled."))
    if not meeting.may_run_today:
        raise ValidationError(
            _("This meeting is run from %(day)s on.") % {"day": date_format(meeting.run_opens_on)}
        )


@transaction.atomic
def meeting_confidentiality_acknowledge(*, actor: User, meeting: Meeting) -> Meeting:
    """Record that the confidentiality statement was read at the start of the meeting."""
    _require_runner(meeting)
    _require_meeting_day(meeting)
    if meeting.confidentiality_read_at is None:
        meeting.confidentiality_read_at, meeting.confidentiality_read_by = timezone.now(), actor
        meeting.save(update_fields=["confidentiality_read_at", "confidentiality_read_by"])
        _audit(actor, AuditAction.CHANGE, "meeting", meeting, meeting, confidentiality=True)
    return meeting


@dataclass(frozen=True)
class SlotMark:
    """One line of the attendance checklist: an organisation's attendance at one slot."""

    item_id: uuid.UUID
    organisation_id: int
    status: str


@transaction.atomic
def attendance_checklist_record(
    *, actor: User, meeting: Meeting, marks: Sequence[SlotMark]
) -> list[SlotAttendance]:
    """Record the attendance checklist in one go: per slot, the organisations invited to it.
    Every line is checked before anything is written; the meeting's attendance per organisation
    follows from the slots; one audit event for the whole submit."""
    _require_runner(meeting)
    _require_meeting_day(meeting)
    if not marks:
        raise ValidationError(_("Mark the attendance of at least one organisation."))
    items = {i.pk: i for i in meeting.items.current()}
    invited = access.invited_organisations_of(i.case_id for i in items.values())
    for mark in marks:
        item = items.get(mark.item_id)
        if item is None or mark.organisation_id not in invited.get(item.case_id, set()):
            raise ValidationError(
                _("Mark only the organisations invited to a case on this agenda.")
            )
        if mark.status not in AttendanceStatus.values:
            raise ValidationError(_("Choose present, apology or absent."))
    recorded = [
        SlotAttendance.objects.update_or_create(
            item_id=mark.item_id,
            organisation_id=mark.organisation_id,
            defaults={"status": mark.status, "recorded_by": actor},
        )[0]
        for mark in marks
    ]
    _attendance_derive(actor, meeting, {m.organisation_id for m in marks})
    _audit(actor, AuditAction.CHANGE, "attendance", meeting, meeting, marks=len(marks))
    return recorded


def _attendance_derive(actor: User, meeting: Meeting, organisation_ids: set[int]) -> None:
    """An organisation's attendance at the meeting: present at any slot, else an apology at any
    slot, else absent."""
    statuses: dict[int, set[str]] = defaultdict(set)
    for organisation_id, status in SlotAttendance.objects.filter(
        item__meeting=meeting, item__removed_at__isnull=True, organisation_id__in=organisation_ids
    ).values_list("organisation_id", "status"):
        statuses[organisation_id].add(status)
    for organisation_id, seen in statuses.items():
        status = next(s for s in _ATTENDANCE_ORDER if s in seen)
        Attendance.objects.update_or_create(
            meeting=meeting,
            organisation_id=organisation_id,
            defaults={"status": status, "recorded_by": actor},
        )


_ATTENDANCE_ORDER = (AttendanceStatus.PRESENT, AttendanceStatus.APOLOGY, AttendanceStatus.ABSENT)


def _clean(text: str, field: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("Use at most %d characters.") % MAX_TEXT})
    return text


@transaction.atomic
def minutes_save(
    *,
    actor: User,
    item: AgendaItem,
    shared_views: str,
    decisions: str,
    case_director: User | None = None,
    case_director_confirmed: bool = False,
    next_review_on: date | None = None,
) -> ItemMinutes:
    """A coordinator records (or corrects, until publication) the minutes of one case."""
    meeting = item.meeting
    if not item.as_coordinator:
        raise PermissionDenied
    _require_meeting_day(meeting)
    _check_minutes_open(meeting)
    errors: dict[str, str] = {}
    if (
        case_director is not None
        and not director_candidates(case=item.case).filter(pk=case_director.pk).exists()
    ):
        errors["case_director"] = _("The case director must work at an organisation at level 2.")
    if next_review_on is not None and next_review_on <= timezone.localdate():
        errors["next_review_on"] = _("The next review must be after today.")
    if errors:
        raise ValidationError(errors)
    minutes = ItemMinutes.objects.filter(item=item).first()
    created = minutes is None
    minutes = minutes or ItemMinutes(id=uuid.uuid4(), item=item, recorded_by=actor)
    key = item.case.data_key
    crypto.seal(minutes, "shared_views_ct", _clean(shared_views, "shared_views"), key)
    crypto.seal(minutes, "decisions_ct", _clean(decisions, "decisions"), key)
    minutes.case_director = case_director
    minutes.case_director_confirmed = bool(case_director and case_director_confirmed)
    minutes.next_review_on = next_review_on
    minutes.recorded_by = actor
    minutes.full_clean()
    minutes.save()
    action = AuditAction.CREATE if created else AuditAction.CHANGE
    _audit(actor, action, "minutes", minutes, meeting, case=item.case)
    MinutesDraft.objects.filter(item=item).delete()
    return minutes


@transaction.atomic
def minutes_draft_save(
    *, actor: User, item: AgendaItem, content: Mapping[str, Any]
) -> MinutesDraft:
    """Keep what a coordinator typed into a slot's minutes form, as typed (nothing is checked but
    its size), until the minutes are saved. Saved while typing and when a save is refused."""
    if not item.as_coordinator:
        raise PermissionDenied
    if item.meeting.status != MeetingStatus.SCHEDULED or item.meeting.minutes_published_at:
        raise ValidationError(_("The minutes of this meeting can no longer be changed."))
    typed = {name: str(content.get(name) or "") for name in DRAFT_FIELDS}
    if any(len(value) > 2 * MAX_TEXT for value in typed.values()):
        raise ValidationError(_("Use at most %d characters.") % MAX_TEXT)
    draft = MinutesDraft.objects.select_for_update().filter(item=item).first()
    created = draft is None
    draft = draft or MinutesDraft(id=uuid.uuid4(), item=item, saved_by=actor)
    crypto.seal(draft, "content_ct", json.dumps(typed), item.case.data_key)
    draft.saved_by = actor
    draft.full_clean()
    draft.save()
    action = AuditAction.CREATE if created else AuditAction.CHANGE
    _audit(actor, action, "minutes_draft", draft, item.meeting, case=item.case)
    return draft


def _check_minutes_open(meeting: Meeting) -> None:
    if meeting.confidentiality_read_at is None:
        raise ValidationError(
            _("First record that the confidentiality statement was read at the start.")
        )
    if meeting.minutes_published_at is not None:
        raise ValidationError(_("The minutes of this meeting are published already."))


@transaction.atomic
def minutes_agreement_add(
    *,
    actor: User,
    item: AgendaItem,
    description: str,
    owner_organisation: Organisation,
    due_date: date,
    owner: User | None = None,
) -> Agreement:
    """A new agreement made in the meeting, through the agreements service."""
    if not item.as_coordinator:
        raise PermissionDenied
    _require_meeting_day(item.meeting)
    _check_minutes_open(item.meeting)
    return casework_services.agreement_create(
        actor=actor,
        case=access_case(actor, item.case_id),
        description=description,
        owner_organisation=owner_organisation,
        due_date=due_date,
        owner=owner,
        origin=AgreementOrigin.MEETING,
        meeting_id=item.meeting_id,
    )


@transaction.atomic
def minutes_agreement_review(
    *,
    actor: User,
    item: AgendaItem,
    agreement: Agreement,
    outcome: str,
    reason: str = "",
    due_date: date | None = None,
) -> Agreement:
    """The review of an open agreement of the slot's case, with an explicit outcome, through the
    agreements service (which leaves out the agreements made in this meeting)."""
    if not item.as_coordinator:
        raise PermissionDenied
    _require_meeting_day(item.meeting)
    _check_minutes_open(item.meeting)
    if agreement.case_id != item.case_id:
        raise PermissionDenied
    return casework_services.agreement_review(
        actor=actor,
        agreement=agreement,
        outcome=outcome,
        reason=reason,
        due_date=due_date,
        meeting_id=item.meeting_id,
    )


@transaction.atomic
def minutes_publish(*, actor: User, meeting: Meeting) -> Meeting:
    """Publish the minutes: each participant reads them at its level from now on, and the
    professionals of the organisations invited are told (reference and a link only)."""
    if not meeting.as_coordinator:
        raise PermissionDenied
    _require_meeting_day(meeting)
    _check_minutes_open(meeting)
    items = list(meeting.items.current().select_related("case__data_key"))
    missing = [i.case.reference for i in items if not ItemMinutes.objects.filter(item=i).exists()]
    if missing:
        raise ValidationError(
            _("Record the minutes of every case first: %(references)s")
            % {"references": ", ".join(missing)}
        )
    meeting.minutes_published_at, meeting.minutes_published_by = timezone.now(), actor
    meeting.save(update_fields=["minutes_published_at", "minutes_published_by"])
    _audit(actor, AuditAction.CHANGE, "meeting", meeting, meeting, minutes_published=True)
    _facts_record(meeting, items)
    _apply_directors(actor, items)
    _notify_minutes(meeting, items)
    return meeting


def _facts_record(meeting: Meeting, items: list[AgendaItem]) -> None:
    """The figures: a meeting held with its number of cases, each case discussed with its slot
    minutes, and a case's first meeting after acceptance with the working days it took."""
    held_on = local_date(meeting.starts_at)
    fact_record(
        FactKind.MEETING_HELD,
        region=meeting.region,
        subject=meeting_token(meeting.pk),
        on=held_on,
        amount=len(items),
    )
    for item in items:
        fact_record(FactKind.CASE_DISCUSSED, case=item.case, on=held_on, amount=item.slot_minutes)
        days = statistics.working_days_since_acceptance(item.case, held_on)
        if days is not None:
            fact_record(FactKind.FIRST_MEETING, case=item.case, on=held_on, working_days=days)


def _apply_directors(actor: User, items: list[AgendaItem]) -> None:
    """A case director confirmed in the minutes becomes the case's director (through the
    lifecycle service, with its checks, timeline entry and notification)."""
    from casework.transitions import ACTIVE

    confirmed = ItemMinutes.objects.filter(
        item__in=items, case_director_confirmed=True, case_director__isnull=False
    ).select_related("case_director", "item")
    for record in confirmed:
        case = access_case(actor, record.item.case_id)
        director = record.case_director
        if director is not None and case.case_director_id != director.pk and case.status in ACTIVE:
            casework_services.case_director_assign(actor=actor, case=case, director=director)


def _notify_minutes(meeting: Meeting, items: list[AgendaItem]) -> None:
    references: dict[int, list[str]] = defaultdict(list)
    for item in items:
        for organisation_id in access.invited_organisations(item.case_id).values_list(
            "pk", flat=True
        ):
            references[organisation_id].append(item.case.reference)
    link = reverse("scheduling:meeting-detail", args=[meeting.pk])
    for organisation_id, refs in references.items():
        users = User.objects.filter(
            memberships__in=Membership.objects.filter(
                organisation_id=organisation_id, role__in=PARTNER_ROLES
            )
        ).distinct()
        notification_send(
            recipients=users,
            kind="minutes_published",
            subject=_("Minutes published: meeting of %(when)s")
            % {"when": local(meeting.starts_at)},
            body=_("The minutes of these cases are published: %(references)s")
            % {"references": ", ".join(refs)},
            link=link,
        )
