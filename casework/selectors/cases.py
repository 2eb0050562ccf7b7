"""Reads of the case register. Plaintext comes only from here, and every read is recorded."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Case as DbCase
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.query import BaseIterable
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.models import (
    AccessLevel,
    Agreement,
    AgreementStatus,
    Case,
    CaseStatus,
    HouseholdMember,
    Participation,
    SafetyPhase,
)
from casework.selectors.notes import NoteView, notes_for_case
from casework.selectors.participation import ParticipationView, participations_for_case
from casework.selectors.referral import KnownElsewhere, known_elsewhere
from mda import crypto
from mda.audit import audit_events_of_case, audit_record
from mda.blind_index import bsn_index, name_dob_index
from mda.models import AuditAction, AuditEvent, Membership, Organisation, Region, User


@dataclass
class CaseView:
    case: Case
    level: int
    as_coordinator: bool
    reason: str | None = None
    members: list[HouseholdMember] = field(default_factory=list)
    participations: list[ParticipationView] = field(default_factory=list)
    notes: list[NoteView] = field(default_factory=list)
    known_elsewhere: list[KnownElsewhere] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(AccessLevel(self.level).label)


def case_view(*, actor: User, case: Case) -> CaseView:
    """What *actor* may see of *case* (from access.access_case), with the read recorded."""
    # Annotations of casework.access.cases_visible_to (access_case always goes through it).
    view = CaseView(
        case=case,
        level=case.access_level,
        as_coordinator=case.as_coordinator,
    )
    if view.level >= AccessLevel.PROCESS:
        view.participations = participations_for_case(actor=actor, case=case)
    if view.level >= AccessLevel.FULL:
        view.reason = crypto.unseal(case, "reason_ct", case.data_key)
        view.members = list(case.members.all())
        view.notes = notes_for_case(actor=actor, case=case)
    if view.as_coordinator:
        view.known_elsewhere = known_elsewhere(case=case)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="case",
        object_id=str(case.pk),
        case=case,
        detail={"level": view.level},
    )
    return view


def access_log(*, actor: User, case: Case) -> QuerySet[AuditEvent]:
    """Who looked at what in *case*, and when: for the privacy officer (metadata only)."""
    events = audit_events_of_case(
        reference=case.reference, region_slug=case.region.slug
    ).select_related("user")
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="access_log",
        case=case,
    )
    return events.order_by("-occurred_at", "-id")


def member_of_case(*, case: Case, member_id: Any) -> HouseholdMember:
    from django.http import Http404

    member = case.members.filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


@dataclass
class RevealView:
    revealed_at: Any
    revealed_by: str
    member_label: str
    reason: str


def reveals_for_case(*, actor: User, case: Case) -> list[RevealView]:
    """Identity reveals in *case* with their reasons, for the privacy officer (read recorded)."""
    from casework.models import IdentityReveal

    rows = IdentityReveal.objects.filter(case=case).select_related("revealed_by", "member")
    key = case.data_key
    result = [
        RevealView(
            revealed_at=r.revealed_at,
            revealed_by=r.revealed_by.get_full_name() or r.revealed_by.get_username(),
            member_label=r.member.label,
            reason=crypto.unseal(r, "justification_ct", key),
        )
        for r in rows
    ]
    if result:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="reveal_reasons",
            case=case,
        )
    return result


# --- Finding a case --------------------------------------------------------------------------


class CaseSort(models.TextChoices):
    NEWEST = "newest", _("Newest first")
    OLDEST = "oldest", _("Oldest first")
    REFERENCE = "reference", _("Reference")
    STATUS = "status", _("Status")
    SAFETY_PHASE = "safety_phase", _("Safety phase")


# Each sort ends on the primary key, so a page never repeats or skips a row, and names only
# columns that are never NULL, so that keyset pages (``mda.pagination``) can follow it. Status and
# phase sort only what the viewer may see of them (level 1 and up): the rows where it is hidden
# (or, for the phase, not set yet) come last, among themselves newest first.
_INT: models.IntegerField[int, int] = models.IntegerField()
_ORDERINGS: dict[str, tuple[str, ...]] = {
    CaseSort.NEWEST: ("-created_at", "-pk"),
    CaseSort.OLDEST: ("created_at", "pk"),
    CaseSort.REFERENCE: ("reference", "pk"),
    CaseSort.STATUS: ("status_hidden", "shown_status", "-created_at", "-pk"),
    CaseSort.SAFETY_PHASE: ("phase_hidden", "shown_phase", "-created_at", "-pk"),
}


# What a row of the list shows, as the list reads it: these columns of the case and its director
# (no ciphertext), each under the name a ``CaseListEntry`` gives it, and no model instance made.
_ENTRY_COLUMNS = {
    "id": "id",
    "reference": "reference",
    "region_id": "region_id",
    "status": "status",
    "safety_phase": "safety_phase",
    "created_at": "created_at",
    "case_director_id": "case_director_id",
    "case_director__first_name": "director_first_name",
    "case_director__last_name": "director_last_name",
    "case_director__username": "director_username",
    "case_director_organisation__name": "director_organisation_name",
}


class CaseListEntry:
    """A case as the lists show it: the columns of its row, and what the reader may see of it
    (``access_level``, ``as_coordinator``, from the access policy). Read as values, not as a
    model: a page reads what it shows and makes no model instance (``bench/caselist.py``).

    The region comes from the reader's standing (every case one may see is in a region of one's
    memberships), so no join and no query reads it. The names match ``Case``'s where a template
    or serializer reads them (``pk``, ``reference``, ``region``, ``get_status_display``, ...)."""

    id: UUID
    reference: str
    region_id: int
    status: str
    safety_phase: int | None
    created_at: datetime
    case_director_id: int | None
    director_first_name: str | None
    director_last_name: str | None
    director_username: str | None
    director_organisation_name: str | None
    access_level: int
    as_coordinator: bool
    region: Region

    @property
    def pk(self) -> UUID:
        return self.id

    def get_status_display(self) -> str:
        return str(CaseStatus(self.status).label)

    def get_safety_phase_display(self) -> str | None:
        return None if self.safety_phase is None else str(SafetyPhase(self.safety_phase).label)

    @property
    def director_name(self) -> str | None:
        """The case director's full name (else user name), as ``User.get_full_name`` makes it."""
        if self.case_director_id is None:
            return None
        full = f"{self.director_first_name or ''} {self.director_last_name or ''}".strip()
        return full or self.director_username


class _CaseEntries(BaseIterable):
    """The rows of a ``values()`` queryset of cases as ``CaseListEntry`` (a subclass per list
    holds the reader's regions)."""

    regions: Mapping[int, Region] = {}

    def __iter__(self) -> Iterator[CaseListEntry]:
        query = self.queryset.query
        compiler = query.get_compiler(self.queryset.db)
        names = [_ENTRY_COLUMNS.get(name, name) for name in query.selected or ()]
        regions, new = self.regions, CaseListEntry.__new__
        for row in compiler.results_iter(
            chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size
        ):
            entry = new(CaseListEntry)
            entry.__dict__.update(zip(names, row, strict=True))
            region = regions.get(entry.region_id)
            entry.region = region if region is not None else Region.objects.get(pk=entry.region_id)
            yield entry


@functools.cache
def _entry_columns() -> QuerySet[Case, dict[str, Any]]:
    """All cases as the values a list entry reads: a template that is filtered for each list and
    never read itself (setting up the selection and its joins costs more than the rest of a
    page's query, so it is done once per process)."""
    return Case.objects.values(*_ENTRY_COLUMNS)


def _listed(actor: User, cases: QuerySet[Case, dict[str, Any]]) -> QuerySet[Case, CaseListEntry]:
    """*cases* (from ``_entry_columns``, through ``access.cases_visible_to``) as list entries."""
    regions = access.case_regions_of(actor)
    cases._iterable_class = type("CaseEntries", (_CaseEntries,), {"regions": regions})
    return cast("QuerySet[Case, CaseListEntry]", cases)


@dataclass(frozen=True)
class CaseFilters:
    """What a user asks of the case list. Every filter narrows the scoped list of
    ``access.cases_visible_to``; those on process facts (status, phase, case director) match only
    cases the user sees at level 1 or more, so a filter never tells what a row hides."""

    text: str = ""
    statuses: tuple[str, ...] = ()
    safety_phases: tuple[int, ...] = ()
    director_organisation: Organisation | None = None
    overdue: bool = False
    mine: bool = False
    region: Region | None = None
    sort: str = CaseSort.NEWEST


def case_find(
    *, actor: User, filters: CaseFilters, today: date | None = None
) -> QuerySet[Case, CaseListEntry]:
    """The cases *actor* may see that match *filters*, in the asked order, as list entries."""
    today = today or timezone.localdate()
    qs = access.cases_visible_to(actor, _entry_columns())
    if filters.region is not None:
        qs = qs.filter(region=filters.region)
    if filters.text.strip():
        qs = qs.filter(_reference_matches(filters.text))
    process = Q(access_level__gte=AccessLevel.PROCESS)
    if filters.statuses:
        qs = qs.filter(process, status__in=filters.statuses)
    if filters.safety_phases:
        qs = qs.filter(process, safety_phase__in=filters.safety_phases)
    if filters.director_organisation is not None:
        qs = qs.filter(process, case_director_organisation=filters.director_organisation)
    if filters.overdue:
        qs = qs.filter(Exists(_overdue(actor, today).filter(case=OuterRef("pk"))))
    if filters.mine:
        qs = qs.filter(_of_my_organisations(actor))
    sort = filters.sort if filters.sort in _ORDERINGS else CaseSort.NEWEST
    qs = _with_sort_keys(qs, sort, process)
    return _listed(actor, qs.order_by(*_ORDERINGS[sort]))


def _with_sort_keys(
    qs: QuerySet[Case, dict[str, Any]], sort: str, process: Q
) -> QuerySet[Case, dict[str, Any]]:
    """The keys of a sort on process facts, only for that sort: each reads the row's access
    level once (an annotation that refers to another is inlined by the ORM, so nested cases keep
    the statement small). Rows seen at level 0 sort together, at the end, whatever they hide."""
    if sort == CaseSort.STATUS:
        rank = DbCase(  # in the order of a case's life, as CaseStatus lists them
            *[When(status=status, then=Value(n)) for n, status in enumerate(CaseStatus.values)],
            default=Value(0),
            output_field=_INT,
        )
        return qs.annotate(
            status_hidden=DbCase(When(process, then=Value(0)), default=Value(1), output_field=_INT),
            shown_status=DbCase(When(process, then=rank), default=Value(0), output_field=_INT),
        )
    if sort == CaseSort.SAFETY_PHASE:
        known = process & Q(safety_phase__isnull=False)
        return qs.annotate(
            phase_hidden=DbCase(When(known, then=Value(0)), default=Value(1), output_field=_INT),
            shown_phase=DbCase(
                When(known, then=F("safety_phase")), default=Value(0), output_field=_INT
            ),
        )
    return qs


def _reference_matches(text: str) -> Q:
    """A whole reference ("MDA-2026-0042"), its number ("2026-0042", "0042" or "42")."""
    wanted = text.strip().upper()
    if wanted.isdigit():
        return Q(reference__endswith=f"-{int(wanted):04d}") | Q(reference__endswith=wanted)
    return Q(reference__iexact=wanted) | Q(reference__iendswith=f"-{wanted}")


def _overdue(actor: User, today: date) -> QuerySet[Agreement]:
    """The open agreements past their due date that *actor* may see."""
    return access.agreements_visible_to(actor).filter(
        status=AgreementStatus.OPEN, due_date__lt=today
    )


def _of_my_organisations(actor: User) -> Q:
    """Cases an organisation of *actor* takes part in, referred or directs, or that they direct."""
    organisations = Membership.objects.filter(user=actor).values("organisation_id")
    taking_part = Participation.objects.active().filter(
        case=OuterRef("pk"), organisation_id__in=organisations
    )
    return (
        Exists(taking_part)
        | Q(referring_organisation_id__in=organisations)
        | Q(case_director_organisation_id__in=organisations)
        | Q(case_director=actor)
    )


@dataclass
class CaseRow:
    """One row of the case list, with what *actor* may see of it."""

    case: CaseListEntry
    overdue_agreements: int = 0
    next_meeting: Any = None  # filled in by the layer that owns meetings

    @property
    def level(self) -> int:
        return self.case.access_level

    @property
    def director_label(self) -> str:
        """ "Name, organisation" of the case director (level 1 and up), as people are named."""
        director = self.director
        if director is None:
            return ""
        organisation = director["organisation"]
        return f"{director['name']}, {organisation}" if organisation else str(director["name"])

    @property
    def director(self) -> dict[str, str | None] | None:
        """The case director's name and organisation (level 1 and up), for the API."""
        name = self.case.director_name
        if name is None or self.level < AccessLevel.PROCESS:
            return None
        return {"name": name, "organisation": self.case.director_organisation_name}


def case_rows(*, actor: User, cases: Any, today: date | None = None) -> list[CaseRow]:
    """The rows of one page (list entries): overdue agreements counted in one query for the
    page's cases."""
    today = today or timezone.localdate()
    page: list[CaseListEntry] = list(cases)
    counts = dict(
        _overdue(actor, today)
        .filter(case__in=[c.pk for c in page])
        .values_list("case")
        .annotate(n=Count("pk"))
        .values_list("case", "n")
    )
    return [CaseRow(case=c, overdue_agreements=counts.get(c.pk, 0)) for c in page]


class IdentityNotSearchable(PermissionDenied):
    """Only coordinators search by BSN or name and date of birth."""


def case_search_identity(
    *, actor: User, bsn: str = "", name: str = "", date_of_birth: date | None = None
) -> QuerySet[Case, CaseListEntry]:
    """Cases of *actor*'s coordinated regions with a household member whose BSN, or name and date
    of birth, match exactly (through the blind index: nothing is decrypted). The search itself is
    recorded in the audit trail, with how it searched and how many cases it found, never the
    BSN or the name."""
    if not access.can_triage(actor):
        raise IdentityNotSearchable
    if bsn:
        found = Q(bsn_index=bsn_index(bsn))
        by = "bsn"
    elif name and date_of_birth is not None:
        found = Q(name_dob_index=name_dob_index(name, date_of_birth))
        by = "name_date_of_birth"
    else:
        raise ValidationError(_("Give a BSN, or a name and a date of birth."))
    identities = access.identities_searchable_by(actor).filter(found)
    cases = access.cases_coordinated_by(actor, _entry_columns()).filter(
        pk__in=identities.values("member__case_id")
    )
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        object_type="case_search",
        detail={"by": by, "found": cases.count()},
    )
    return _listed(actor, cases.order_by("-created_at", "-pk"))
