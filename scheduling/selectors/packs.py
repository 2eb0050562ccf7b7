"""Reads for print: the meeting pack (the agenda with, per slot, what the reader may see), the
printable minutes, and the coordinator's overview of invitations and answers.

A pack holds only the slots of cases the reader may see (``access.agenda_items_visible_to``), each
at the reader's level on that case (``casework.access.cases_visible_to``): level 2 reads the open
agreements, the decisions of the case's last published minutes and the latest Signs of Safety
readings; level 1 only the process (reference, time, reason, the organisations invited). The pack
costs the same number of queries whatever the length of the agenda.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from casework.access import FULL, agreements_visible_to, cases_visible_to
from casework.models import Agreement, AgreementStatus, SafetyScore
from casework.selectors import ScaleChart, scale_chart
from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, Organisation, User
from scheduling import access
from scheduling.models import (
    AgendaItem,
    Invitation,
    InvitationMessage,
    InvitationResponse,
    ItemMinutes,
    Meeting,
)
from scheduling.selectors.contributions import contributions_for_items
from scheduling.selectors.minutes import MinutesView, minutes_view


@dataclass
class PackAgreement:
    agreement: Agreement
    description: str


@dataclass
class PackSlot:
    item: AgendaItem
    level: int
    invited: list[Organisation] = field(default_factory=list)
    # The partners' contributions to this slot that the reader may read (ContributionView).
    contributions: list[Any] = field(default_factory=list)
    open_agreements: list[PackAgreement] = field(default_factory=list)
    last_minutes: ItemMinutes | None = None
    last_decisions: str = ""
    readings: ScaleChart | None = None

    @property
    def full(self) -> bool:
        return self.level >= FULL


@dataclass
class MeetingPack:
    meeting: Meeting
    reader: User
    printed_at: datetime
    slots: list[PackSlot]

    @property
    def reader_name(self) -> str:
        return reader_name(self.reader)


def reader_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _visible_items(actor: User, meeting: Meeting) -> list[AgendaItem]:
    return list(
        access.agenda_items_visible_to(actor)
        .filter(meeting=meeting)
        .select_related("case__data_key", "case__region", "meeting")
        .order_by("position")
    )


def meeting_pack(*, actor: User, meeting: Meeting, fmt: str) -> MeetingPack:
    """The pack of *meeting* (from ``access.access_meeting``) for *actor*; the export is recorded
    (*fmt*: ``print`` or ``pdf``) with every case it holds."""
    items = _visible_items(actor, meeting)
    case_ids = [item.case_id for item in items]
    visible = cases_visible_to(actor).filter(pk__in=case_ids).only("pk", "region_id")
    levels = {case.pk: int(case.access_level) for case in visible}
    slots = [
        PackSlot(item=item, level=levels[item.case_id]) for item in items if item.case_id in levels
    ]
    _add_invited(slots)
    full = [slot for slot in slots if slot.full]
    _add_contributions(actor, full)
    _add_open_agreements(actor, full)
    _add_last_decisions(meeting, full)
    _add_readings(full)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="meeting_pack",
        object_id=str(meeting.pk),
        cases=[slot.item.case for slot in slots],
        region=None if slots else meeting.region,
        detail={"format": fmt, "slots": len(slots), "full_slots": len(full)},
    )
    return MeetingPack(meeting=meeting, reader=actor, printed_at=timezone.now(), slots=slots)


def _add_invited(slots: list[PackSlot]) -> None:
    invited = access.invited_organisations_of(slot.item.case_id for slot in slots)
    ids = {pk for organisation_ids in invited.values() for pk in organisation_ids}
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=ids).order_by("name")}
    for slot in slots:
        own = invited.get(slot.item.case_id, set())
        slot.invited = [o for pk, o in organisations.items() if pk in own]


def _add_contributions(actor: User, slots: list[PackSlot]) -> None:
    """The partners' contributions the reader may read, for all *slots* at once."""
    found = contributions_for_items(actor=actor, items=[slot.item for slot in slots])
    for slot in slots:
        slot.contributions = found.get(slot.item.pk, [])


def _add_open_agreements(actor: User, slots: list[PackSlot]) -> None:
    by_case: dict[Any, list[PackAgreement]] = defaultdict(list)
    agreements = (
        agreements_visible_to(actor)
        .filter(case_id__in=[slot.item.case_id for slot in slots], status=AgreementStatus.OPEN)
        .select_related("case__data_key", "owner_organisation", "owner")
        .order_by("due_date", "created_at")
    )
    for agreement in agreements:
        text = crypto.unseal(agreement, "description_ct", agreement.case.data_key)
        by_case[agreement.case_id].append(PackAgreement(agreement, text))
    for slot in slots:
        slot.open_agreements = by_case[slot.item.case_id]


def _published_minutes_before(meeting: Meeting) -> QuerySet[ItemMinutes]:
    return ItemMinutes.objects.filter(
        item__removed_at__isnull=True,
        item__meeting__minutes_published_at__isnull=False,
        item__meeting__starts_at__lt=meeting.starts_at,
    )


def _add_last_decisions(meeting: Meeting, slots: list[PackSlot]) -> None:
    """The decisions of each case's last published minutes before this meeting (level 2 reads
    published minutes whole, ``access.minutes_level``)."""
    latest = (
        _published_minutes_before(meeting)
        .filter(item__case_id=OuterRef("item__case_id"))
        .order_by("-item__meeting__starts_at")
        .values("pk")[:1]
    )
    found = (
        _published_minutes_before(meeting)
        .filter(item__case_id__in=[slot.item.case_id for slot in slots], pk=Subquery(latest))
        .select_related("item__meeting")
    )
    by_case = {minutes.item.case_id: minutes for minutes in found}
    for slot in slots:
        minutes = by_case.get(slot.item.case_id)
        if minutes is None:
            continue
        slot.last_minutes = minutes
        if minutes.decisions_ct:
            slot.last_decisions = crypto.unseal(minutes, "decisions_ct", slot.item.case.data_key)


def _add_readings(slots: list[PackSlot]) -> None:
    by_case: dict[Any, list[SafetyScore]] = defaultdict(list)
    scores = (
        SafetyScore.objects.filter(case_id__in=[slot.item.case_id for slot in slots])
        .select_related("organisation", "member")
        .order_by("scored_on", "created_at")
    )
    for score in scores:
        by_case[score.case_id].append(score)
    for slot in slots:
        slot.readings = scale_chart(slot.item.case, by_case[slot.item.case_id])


# --- Printable minutes ---------------------------------------------------------------------------


@dataclass
class MinutesPrint:
    meeting: Meeting
    reader: User
    printed_at: datetime
    views: list[MinutesView]

    @property
    def reader_name(self) -> str:
        return reader_name(self.reader)


def minutes_print(*, actor: User, meeting: Meeting, fmt: str) -> MinutesPrint:
    """The minutes of every slot *actor* may read, each at the reader's level (``minutes_view``,
    which records each read of plaintext); the print is recorded as an export."""
    views = [
        view
        for view in (
            minutes_view(actor=actor, item=item) for item in _visible_items(actor, meeting)
        )
        if view is not None
    ]
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="minutes",
        object_id=str(meeting.pk),
        cases=[view.item.case for view in views],
        region=None if views else meeting.region,
        detail={"format": fmt, "slots": len(views)},
    )
    return MinutesPrint(meeting=meeting, reader=actor, printed_at=timezone.now(), views=views)


# --- Invitations and answers (coordinators) ------------------------------------------------------


@dataclass
class OrganisationAnswers:
    organisation: Organisation
    invitations: list[Invitation] = field(default_factory=list)
    messages_sent: int = 0
    messages_waiting: int = 0
    last_sent_at: datetime | None = None

    def _count(self, response: str) -> int:
        return sum(1 for i in self.invitations if not i.cancelled and i.response == response)

    @property
    def attending(self) -> int:
        return self._count(InvitationResponse.ATTENDING)

    @property
    def apologies(self) -> int:
        return self._count(InvitationResponse.APOLOGY)

    @property
    def in_writing(self) -> int:
        return self._count(InvitationResponse.WRITTEN)

    @property
    def unanswered(self) -> int:
        return sum(1 for i in self.invitations if not i.cancelled and not i.response)


def invitation_overview(*, meeting: Meeting) -> list[OrganisationAnswers]:
    """Per invited organisation, what it was sent about each slot of *meeting* and its answer.
    For coordinators (``access.access_meeting(..., manage=True)``): the meeting's whole agenda.
    Removed slots keep their (cancelled) invitation, so the overview says who was told."""
    invitations = (
        Invitation.objects.filter(item__meeting=meeting)
        .select_related("organisation", "item__case", "responded_by")
        .order_by("organisation__name", "item__starts_at")
    )
    by_organisation: dict[int, OrganisationAnswers] = {}
    for invitation in invitations:
        row = by_organisation.setdefault(
            invitation.organisation_id, OrganisationAnswers(invitation.organisation)
        )
        row.invitations.append(invitation)
    messages = InvitationMessage.objects.filter(meeting=meeting).values_list(
        "organisation_id", "sent_at"
    )
    for organisation_id, sent_at in messages:
        told = by_organisation.get(organisation_id)
        if told is None:
            continue
        if sent_at is None:
            told.messages_waiting += 1
            continue
        told.messages_sent += 1
        if told.last_sent_at is None or sent_at > told.last_sent_at:
            told.last_sent_at = sent_at
    return list(by_organisation.values())
