"""Writing the anonymous fact table (``mda.models.facts``) as things happen.

Services call ``fact_record(...)`` once, inside their own transaction, so a fact exists exactly
when the change it describes was committed. The writer takes what it needs from the case at that
moment (its region, its statistics token) and keeps nothing that points back at it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from django.db.models import DateField, F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from mda.bulk import rows_insert
from mda.crypto import data_key_derive
from mda.models.facts import SPELL_KINDS, Fact, FactKind
from mda.workdays import local_date

if TYPE_CHECKING:
    from mda.models import DataKey, Organisation, Region

#: The codes of casework's terminal statuses (the core imports no app; a test keeps them equal).
#: A case in one of them has no open status or safety-phase spell.
ENDED_STATUSES = frozenset({"closed", "declined", "advice_only", "acute_route"})
#: Kinds written once per case: a second call for the same case changes nothing.
ONCE_PER_CASE = frozenset({FactKind.REFERRAL, FactKind.PLAN, FactKind.FIRST_MEETING})

_TOKEN_PURPOSE = b"statistics-token"
_MEETING_NAMESPACE = uuid.UUID("6f1d8a52-3c1e-4d1b-9b7e-2f6a0c8e5d41")


class StatisticsCase(Protocol):
    """What the writer needs of a case (the core imports no app)."""

    @property
    def region_id(self) -> int: ...

    @property
    def data_key(self) -> DataKey: ...


def statistics_token(data_key: DataKey) -> uuid.UUID:
    """The case's statistics token: derived from its data key, so it cannot be computed from the
    reference or the id, and nobody can compute it once the key is shredded."""
    return uuid.UUID(bytes=data_key_derive(data_key, _TOKEN_PURPOSE)[:16], version=4)


def meeting_token(meeting_id: uuid.UUID | str) -> uuid.UUID:
    """The token of a meeting's own facts (a meeting is no personal data)."""
    return uuid.uuid5(_MEETING_NAMESPACE, str(meeting_id))


def month_of(moment: date | datetime | None = None) -> date:
    """The first day of the month of *moment* (a datetime in Amsterdam time; default now)."""
    if moment is None:
        moment = timezone.now()
    day = local_date(moment) if isinstance(moment, datetime) else moment
    return day.replace(day=1)


def fact_record(
    kind: str,
    *,
    case: StatisticsCase | None = None,
    region: Region | None = None,
    subject: uuid.UUID | None = None,
    on: date | datetime | None = None,
    category: str = "",
    organisation: Organisation | None = None,
    working_days: int | None = None,
    amount: int | None = None,
    count: int = 1,
    replaces: tuple[date, str] | None = None,
) -> Fact | None:
    """Record one fact of *kind* in the month of *on* (default: now), for *case* or *region*.

    Spells (``status``, ``safety_phase``) close the case's open spell of that kind first; a status
    in ``ENDED_STATUSES`` also closes the safety-phase spell and opens none. An ``agreement`` fact
    with *replaces* = (old due date, old state) first takes that state back (count -1). Kinds in
    ``ONCE_PER_CASE`` are written only once per case. Returns the fact, or None when nothing new
    was written.
    """
    if case is not None:
        region_id = case.region_id
        subject = statistics_token(case.data_key) if subject is None else subject
    elif region is not None:
        region_id = region.pk
    else:
        raise ValueError("A fact needs a case or a region.")
    month = month_of(on)
    once = kind in ONCE_PER_CASE and subject is not None
    if once and Fact.objects.filter(subject=subject, kind=kind).exists():
        return None
    if kind in SPELL_KINDS:
        return _spell_record(kind, region_id, subject, month, category)
    if replaces is not None:
        old_due, old_state = replaces
        Fact.objects.create(
            **_dimensions(kind, region_id, subject, organisation),
            month=month_of(old_due),
            category=old_state,
            count=-count,
        )
    return Fact.objects.create(
        **_dimensions(kind, region_id, subject, organisation),
        month=month,
        category=category,
        working_days=working_days,
        amount=amount,
        count=count,
    )


def facts_record_each(
    kind: str, *, cases: Iterable[tuple[StatisticsCase, str]], on: date | datetime | None = None
) -> int:
    """One plain fact of *kind* per (case, category) in *cases*, in one statement (``mda.bulk``):
    for a batch (the escalations a worker sends); how many. Spells and once-per-case kinds need
    their case's earlier facts, so they go through ``fact_record`` one at a time. Each case's data
    key should come with it (``select_related``): the statistics token is derived from it, once
    per key."""
    if kind in SPELL_KINDS or kind in ONCE_PER_CASE:
        raise ValueError(f"Facts of kind {kind!r} are recorded one at a time (fact_record).")
    month = month_of(on)
    tokens: dict[object, uuid.UUID] = {}
    rows = []
    for case, category in cases:
        key = case.data_key
        if key.pk not in tokens:
            tokens[key.pk] = statistics_token(key)
        rows.append((kind, case.region_id, tokens[key.pk], "", "", month, category, 1))
    rows_insert(Fact, _EACH_FIELDS, rows)
    return len(rows)


_EACH_FIELDS = (
    "kind",
    "region_id",
    "subject",
    "organisation_kind",
    "organisation_domain",
    "month",
    "category",
    "count",
)


def _dimensions(
    kind: str, region_id: int, subject: uuid.UUID | None, organisation: Organisation | None
) -> dict[str, object]:
    return {
        "kind": kind,
        "region_id": region_id,
        "subject": subject,
        "organisation_kind": organisation.kind if organisation is not None else "",
        "organisation_domain": organisation.domain if organisation is not None else "",
    }


def _spell_record(
    kind: str, region_id: int, subject: uuid.UUID | None, month: date, category: str
) -> Fact | None:
    if subject is None:
        raise ValueError("A spell belongs to a case.")
    open_spells = Fact.objects.filter(subject=subject, kind=kind, until_month__isnull=True)
    if open_spells.filter(category=category).exists():
        return None  # already in this status or phase: nothing happened
    # A spell ends in the month of the change, and never before the month it began: a change
    # dated earlier (a clock that disagrees across the turn of a month, a worker's behind the
    # web's) would otherwise fail the user's transition on the spell's check constraint.
    ends = Greatest(F("month"), Value(month, output_field=DateField()))
    open_spells.update(until_month=ends)
    ended = kind == FactKind.STATUS and category in ENDED_STATUSES
    if ended:
        Fact.objects.filter(
            subject=subject, kind=FactKind.SAFETY_PHASE, until_month__isnull=True
        ).update(until_month=ends)
    if not category:
        return None
    return Fact.objects.create(
        kind=kind,
        region_id=region_id,
        subject=subject,
        month=month,
        until_month=month if ended else None,
        category=category,
    )


def facts_unlink(case: StatisticsCase) -> int:
    """At destruction, before the data key is shredded: strip the statistics token from the
    case's facts, so nothing in them is shared between the rows of one case any more. The figures
    do not change (a destroyed case is closed, so it has no open spell left to close). Returns how
    many facts were unlinked."""
    return Fact.objects.filter(subject=statistics_token(case.data_key)).update(subject=None)
