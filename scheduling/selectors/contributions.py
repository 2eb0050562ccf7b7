"""Reads of partner contributions: the contents a reader may see (each read recorded), and per
slot of an agenda which invited organisations have contributed (process context, no content).

For the meeting pack and any other page: ``contributions_for_item(*, actor, item)`` and
``contributions_for_items(*, actor, items)``. *item*/*items* must come from the access policy
(``scheduling.access.access_agenda_item`` / ``agenda_items_visible_to``), as every agenda read
does; the contents returned are those ``scheduling.access.contributions_visible_to`` allows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from mda import crypto
from mda.audit import audit_record
from mda.models import AuditAction, Organisation, User
from scheduling import access
from scheduling.models import AgendaItem, Contribution, ContributionStatus
from scheduling.models.contributions import CONTRIBUTION_FIELDS
from scheduling.selectors.agendas import partner_organisation_ids


@dataclass
class ContributionView:
    """One contribution's contents as its reader may see them; ``own``: the reader's
    organisation wrote it (and may change it until the deadline)."""

    contribution: Contribution
    known_since: str
    involvement: str
    risks: str
    proposals: str
    own: bool = False

    @property
    def organisation(self) -> Organisation:
        return self.contribution.organisation

    @property
    def is_submitted(self) -> bool:
        return self.contribution.is_submitted


def contributions_for_items(
    *, actor: User, items: Sequence[AgendaItem]
) -> dict[Any, list[ContributionView]]:
    """The contributions *actor* may read on *items*, per item id (in organisation order): one
    query for all, decrypted with each case's key, the read recorded once per case."""
    if not items:
        return {}
    rows = list(
        access.contributions_visible_to(actor)
        .filter(item__in=[item.pk for item in items])
        .select_related("organisation", "author", "case__data_key", "case__region")
        .order_by("organisation__name", "pk")
    )
    found: dict[Any, list[ContributionView]] = defaultdict(list)
    for view in contribution_views(actor=actor, contributions=rows):
        found[view.contribution.item_id].append(view)
    return dict(found)


def contribution_views(
    *, actor: User, contributions: Sequence[Contribution]
) -> list[ContributionView]:
    """Decrypt *contributions* (rows of ``access.contributions_visible_to(actor)``, with
    ``case__data_key`` loaded) and record the read: for a page of the API's list."""
    own = set(partner_organisation_ids(actor))
    views = []
    for row in contributions:
        key = row.case.data_key
        texts = {name: crypto.unseal(row, f"{name}_ct", key) for name in CONTRIBUTION_FIELDS}
        views.append(ContributionView(contribution=row, own=row.organisation_id in own, **texts))
    _record_reads(actor, list(contributions))
    return views


def contributions_for_item(*, actor: User, item: AgendaItem) -> list[ContributionView]:
    """The contributions *actor* may read on one slot (see ``contributions_for_items``)."""
    return contributions_for_items(actor=actor, items=[item]).get(item.pk, [])


def _record_reads(actor: User, rows: list[Contribution]) -> None:
    by_case: dict[Any, list[Contribution]] = defaultdict(list)
    for row in rows:
        by_case[row.case_id].append(row)
    for contributions in by_case.values():
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="contribution",
            case=contributions[0].case,
            detail={"contribution_ids": [str(c.pk) for c in contributions]},
        )


# --- Which organisations contributed (the agenda) ------------------------------------------------


@dataclass
class SlotContributions:
    """Process context of one slot: who contributed, how many were invited, and the reader's own
    organisation's state (``None``: nothing written yet)."""

    submitted: list[str] = field(default_factory=list)  # organisation names
    invited: int = 0
    own_status: str | None = None
    may_contribute: bool = False
    deadline: datetime | None = None

    @property
    def open(self) -> bool:
        return self.deadline is None or timezone.now() < self.deadline

    @property
    def own_is_draft(self) -> bool:
        return self.own_status == ContributionStatus.DRAFT


def agenda_contributions(
    *, actor: User, items: Iterable[AgendaItem]
) -> dict[Any, SlotContributions]:
    """Per visible slot (item id): which invited organisations have submitted, and the reader's
    own draft. Three queries for the whole agenda, whatever its length."""
    items = list(items)
    if not items:
        return {}
    own = set(partner_organisation_ids(actor))
    invited = access.invited_organisations_of(item.case_id for item in items)
    rows = (
        Contribution.objects.filter(item__in=[item.pk for item in items])
        .filter(Q(status=ContributionStatus.SUBMITTED) | Q(organisation_id__in=own))
        .order_by("organisation__name")
        .values_list("item_id", "organisation_id", "organisation__name", "status")
    )
    slots = {
        item.pk: SlotContributions(
            invited=len(invited.get(item.case_id, ())),
            may_contribute=bool(own & invited.get(item.case_id, set())),
            deadline=item.deadline,
        )
        for item in items
    }
    case_of = {item.pk: item.case_id for item in items}
    for item_id, organisation_id, name, status in rows:
        if organisation_id not in invited.get(case_of[item_id], set()):
            continue  # no longer taking part: its contribution left the agenda with it
        slot = slots[item_id]
        if status == ContributionStatus.SUBMITTED:
            slot.submitted.append(name)
        if organisation_id in own:
            slot.own_status = status
    return slots
