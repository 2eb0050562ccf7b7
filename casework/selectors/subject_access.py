"""Reads of subject access: the privacy officer's view of a request while it is prepared, the
coordinator's review of one case, and the released report.

Only the released report holds the person's data (identity as held, the reason for the referral,
and the case's content: notes, agreements, the minutes of its meeting slots and the partners'
contributions); before release the privacy officer sees references, labels, organisations and the
withholdings, and the coordinator of a case sees its content as far as the notes' rules let them
read it. Every read is recorded in the audit trail of the cases concerned.

The content of meeting slots lives in the scheduling app, which casework does not import: a
*content provider* registered by scheduling when it is ready
(``subject_access_content_register``) adds those entries, for all the cases of a report at once.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from casework import access
from casework.models import (
    AccessLevel,
    Agreement,
    Case,
    ContentKind,
    Identity,
    LegalBasis,
    Note,
    Participation,
    SubjectAccessItem,
    SubjectAccessRequest,
    SubjectAccessStatus,
    Withholding,
)
from mda import crypto
from mda.access import supervised_regions
from mda.audit import audit_record
from mda.errors import Conflict
from mda.models import AuditAction, Organisation, User


@dataclass
class Recipient:
    """What one organisation received of a case: a weegmoment's level, basis and dates."""

    organisation: Organisation
    level: int
    legal_basis: str
    since: datetime
    until: datetime | None

    @property
    def level_label(self) -> str:
        return str(AccessLevel(self.level).label)

    @property
    def legal_basis_label(self) -> str:
        return str(LegalBasis(self.legal_basis).label)


@dataclass
class ContentEntry:
    """One entry of a case's content as held: a note, an agreement, a slot's minutes or a
    partner's contribution. *organisation* wrote or owns it (None for minutes: the meeting's);
    *fields* are its texts, labelled, decrypted. *readable* is False when the reader of the review
    may not read its text under the notes' rules (the text is then left out of the page)."""

    kind: str
    id: uuid.UUID
    on: datetime
    organisation: Organisation | None
    fields: list[tuple[str, str]]
    readable: bool = True

    @property
    def kind_label(self) -> str:
        return str(ContentKind(self.kind).label)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, str(self.id))

    @property
    def choice(self) -> str:
        """How a form names the entry: ``kind:id``."""
        return f"{self.kind}:{self.id}"

    @property
    def description(self) -> str:
        """The entry named without its text: kind, date, organisation."""
        parts = [self.kind_label, date_format(localtime(self.on))]
        if self.organisation is not None:
            parts.append(self.organisation.name)
        return " · ".join(parts)


#: Gives, for each of *cases* (all of one report), its entries of one or more kinds; with a
#: *reader* (a coordinator reviewing) each entry says whether the reader may read its text.
ContentProvider = Callable[[Sequence[Case], User | None], dict[Any, list[ContentEntry]]]

_PROVIDERS: list[ContentProvider] = []


def subject_access_content_register(provider: ContentProvider) -> None:
    """Add the entries of another app (scheduling registers its minutes and contributions)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def _casework_content(cases: Sequence[Case], reader: User | None) -> dict[Any, list[ContentEntry]]:
    """Notes and agreements of *cases*: two queries whatever their number."""
    by_case = {c.pk: c for c in cases}
    found: dict[Any, list[ContentEntry]] = {}
    readable: set[Any] | None = None
    if reader is not None:
        visible = access.notes_visible_to(reader).filter(case__in=cases)
        readable = set(visible.values_list("pk", flat=True))
    notes = Note.objects.filter(case__in=cases).select_related("author_organisation")
    for note in notes:
        key = by_case[note.case_id].data_key
        found.setdefault(note.case_id, []).append(
            ContentEntry(
                kind=ContentKind.NOTE,
                id=note.pk,
                on=note.created_at,
                organisation=note.author_organisation,
                fields=[(_("Text"), crypto.unseal(note, "body_ct", key))],
                readable=readable is None or note.pk in readable,
            )
        )
    agreements = Agreement.objects.filter(case__in=cases).select_related("owner_organisation")
    for agreement in agreements:
        found.setdefault(agreement.case_id, []).append(
            _agreement_entry(agreement, by_case[agreement.case_id])
        )
    return found


def _agreement_entry(agreement: Agreement, case: Case) -> ContentEntry:
    key = case.data_key
    fields = [
        (_("What"), crypto.unseal(agreement, "description_ct", key)),
        (_("Due date"), date_format(agreement.due_date)),
        (_("Status"), str(agreement.get_status_display())),
    ]
    if agreement.resolution_reason_ct is not None:
        fields.append((_("Reason"), crypto.unseal(agreement, "resolution_reason_ct", key)))
    return ContentEntry(
        kind=ContentKind.AGREEMENT,
        id=agreement.pk,
        on=agreement.created_at,
        organisation=agreement.owner_organisation,
        fields=fields,
    )


def case_content(
    cases: Sequence[Case], reader: User | None = None
) -> dict[Any, list[ContentEntry]]:
    """Every entry of *cases* by case, oldest first: casework's and the registered providers'.
    The cases need their ``data_key`` loaded. Queries: a constant number per provider."""
    if not cases:
        return {}
    merged: dict[Any, list[ContentEntry]] = {c.pk: [] for c in cases}
    for provider in [_casework_content, *_PROVIDERS]:
        for case_id, entries in provider(cases, reader).items():
            merged[case_id].extend(entries)
    for entries in merged.values():
        entries.sort(key=lambda e: (e.on, e.kind, str(e.id)))
    return merged


@dataclass
class WithholdingView:
    withholding: Withholding
    explanation: str
    entry: ContentEntry | None = None  # the entry withheld alone, when it is still held

    @property
    def scope(self) -> str:
        """What is withheld, in words: never the entry's text."""
        w = self.withholding
        if w.entry_id is not None:
            if self.entry is None:
                return str(ContentKind(w.entry_kind).label)
            return self.entry.description
        if w.organisation is not None:
            return _("What %(org)s received and wrote") % {"org": w.organisation.name}
        return _("The whole case")


@dataclass
class ItemView:
    item: SubjectAccessItem
    recipients: list[Recipient]
    withholdings: list[WithholdingView]
    content: list[ContentEntry] = field(default_factory=list)

    @property
    def case(self) -> Case:
        return self.item.case

    @property
    def withheld_whole(self) -> bool:
        return any(
            w.withholding.organisation_id is None and w.withholding.entry_id is None
            for w in self.withholdings
        )

    @property
    def withheld_organisations(self) -> set[Any]:
        return {
            w.withholding.organisation_id
            for w in self.withholdings
            if w.withholding.organisation_id is not None
        }

    @property
    def withheld_entries(self) -> set[tuple[str, str]]:
        return {
            (w.withholding.entry_kind, str(w.withholding.entry_id))
            for w in self.withholdings
            if w.withholding.entry_id is not None
        }

    def is_withheld(self, entry: ContentEntry) -> bool:
        if self.withheld_whole or entry.key in self.withheld_entries:
            return True
        return entry.organisation is not None and entry.organisation.pk in (
            self.withheld_organisations
        )

    @property
    def entries(self) -> list[tuple[ContentEntry, bool]]:
        """The content with, for each entry, whether a withholding covers it (the review page)."""
        return [(e, self.is_withheld(e)) for e in self.content]

    @property
    def disclosed(self) -> list[ContentEntry]:
        return [e for e in self.content if not self.is_withheld(e)]


@dataclass
class ReportCase:
    """One case in the released report: what is held about the person and who received it."""

    case: Case
    label: str
    role: str
    identity: dict[str, Any]
    reason: str
    recipients: list[Recipient] = field(default_factory=list)
    content: list[ContentEntry] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[ContentEntry]:
        return [e for e in self.content if e.kind == kind]

    @property
    def notes(self) -> list[ContentEntry]:
        return self.of_kind(ContentKind.NOTE)

    @property
    def agreements(self) -> list[ContentEntry]:
        return self.of_kind(ContentKind.AGREEMENT)

    @property
    def minutes(self) -> list[ContentEntry]:
        return self.of_kind(ContentKind.MINUTES)

    @property
    def contributions(self) -> list[ContentEntry]:
        return self.of_kind(ContentKind.CONTRIBUTION)


def recipients_of(case: Case) -> list[Recipient]:
    """Every weegmoment of *case* (the history included), oldest first; from the participations
    prefetched with the case when they are."""
    rows = sorted(case.participations.all(), key=lambda p: p.decided_at)
    return [
        Recipient(
            organisation=p.organisation,
            level=p.level,
            legal_basis=p.legal_basis,
            since=p.decided_at,
            until=p.revoked_at or p.expires_at,
        )
        for p in rows
    ]


def _item_views(
    items: Sequence[SubjectAccessItem], *, reader: User | None = None, content: bool = True
) -> list[ItemView]:
    """The views of *items* (from ``_items``): a constant number of queries for any number."""
    cases = [item.case for item in items]
    contents = case_content(cases, reader) if content else {}
    views = []
    for item in items:
        key = item.case.data_key
        entries = contents.get(item.case.pk, [])
        by_key = {e.key: e for e in entries}
        withholdings = [
            WithholdingView(
                w,
                crypto.unseal(w, "explanation_ct", key),
                by_key.get((w.entry_kind, str(w.entry_id))),
            )
            for w in item.withholdings.all()
        ]
        views.append(
            ItemView(
                item=item,
                recipients=recipients_of(item.case),
                withholdings=withholdings,
                content=entries,
            )
        )
    return views


def _items(queryset: QuerySet[SubjectAccessItem]) -> list[SubjectAccessItem]:
    participations = Participation.objects.select_related("organisation")
    withholdings = Withholding.objects.select_related("organisation", "decided_by")
    return list(
        queryset.select_related(
            "case__region",
            "case__data_key",
            "case__referring_organisation",
            "member__identity",
            "confirmed_by",
        )
        .prefetch_related(
            Prefetch("case__participations", queryset=participations),
            Prefetch("withholdings", queryset=withholdings),
        )
        .order_by("case__reference")
    )


def subject_access_request_view(*, actor: User, request: SubjectAccessRequest) -> list[ItemView]:
    """A request (from ``access_subject_access_request``) as its privacy officer prepares it:
    no identity data, no case content (an entry withheld alone is named by kind, date and
    organisation); withholdings with their explanation. Read recorded."""
    views = _item_views(_items(request.items.all()))
    for view in views:
        view.content = []  # what the entries say is not the privacy officer's to read
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="subject_access_request",
        object_id=str(request.pk),
        cases=[v.case for v in views],
        region=None if views else supervised_regions(actor).first(),
    )
    return views


def subject_access_review_view(*, actor: User, item: SubjectAccessItem) -> ItemView:
    """One case of a request for its coordinator (from ``access_subject_access_review``): what
    the report would hold of it, the texts the coordinator may read under the notes' rules."""
    loaded = _items(SubjectAccessItem.objects.filter(pk=item.pk))[0]
    view = _item_views([loaded], reader=actor)[0]
    for entry in view.content:
        if not entry.readable:
            entry.fields = []
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="subject_access_item",
        object_id=str(item.pk),
        case=item.case,
        detail={"entries": len([e for e in view.content if e.readable])},
    )
    return view


def subject_access_entry_keys(item: SubjectAccessItem) -> set[tuple[str, str]]:
    """The (kind, id) of every entry of the item's case: what may be withheld alone."""
    return {e.key for e in case_content([item.case]).get(item.case.pk, [])}


def subject_access_entry_choices(item: SubjectAccessItem) -> list[tuple[str, str]]:
    """The entries of the item's case for a form's choice, named without their text."""
    return [(e.choice, e.description) for e in case_content([item.case]).get(item.case.pk, [])]


def _identity(identity: Identity | None, case: Case) -> dict[str, Any]:
    """The identity as held; the date of birth as a date, so the page shows it in words."""
    data: dict[str, Any] = {}
    if identity is not None:
        for attr in ("name", "bsn", "date_of_birth", "address"):
            if getattr(identity, f"{attr}_ct") is not None:
                data[attr] = crypto.unseal(identity, f"{attr}_ct", case.data_key)
    if data.get("date_of_birth"):
        with contextlib.suppress(ValueError):  # otherwise shown as held
            data["date_of_birth"] = date.fromisoformat(data["date_of_birth"])
    return data


def _held_identity(item: SubjectAccessItem) -> Identity | None:
    try:
        return item.member.identity
    except Identity.DoesNotExist:
        return None


def subject_access_report(
    *, actor: User, request: SubjectAccessRequest, download: bool = False
) -> list[ReportCase]:
    """The released report: per case not withheld, the person's data as held, the case's content
    not withheld (alone, or as written or owned by a withheld organisation) and what each
    organisation not withheld received. 409 before release. Recorded as a disclosure read.
    A constant number of queries, whatever the number of cases."""
    if request.status != SubjectAccessStatus.RELEASED:
        raise Conflict(_("The report is not released yet."))
    report = []
    for view in _item_views(_items(request.items.all())):
        if view.withheld_whole:
            continue
        withheld = view.withheld_organisations
        case, member = view.case, view.item.member
        report.append(
            ReportCase(
                case=case,
                label=member.label,
                role=str(member.get_role_display()),
                identity=_identity(_held_identity(view.item), case),
                reason=crypto.unseal(case, "reason_ct", case.data_key),
                recipients=[r for r in view.recipients if r.organisation.pk not in withheld],
                content=view.disclosed,
            )
        )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT if download else AuditAction.VIEW,
        object_type="subject_access_report",
        object_id=str(request.pk),
        cases=[r.case for r in report],
        region=None if report else supervised_regions(actor).first(),
    )
    return report
