"""The disclosure log ("Monitoren samenwerking"): per case and per partner organisation, the
weegmomenten (granted, changed, expired, revoked, with legal basis and level) and what the
partner read, from the audit trail. For the privacy officer: metadata only, never the written
justification of a weegmoment nor anything the partner read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import AccessLevel, Case, LegalBasis, Participation
from mda.audit import audit_events_of_case, audit_record
from mda.models import AuditAction, AuditEvent, AuditEventCase, Organisation, User

READ_ACTIONS = (AuditAction.VIEW, AuditAction.EXPORT, AuditAction.REVEAL)
# A participation revoked this close to a new one for the same organisation was changed.
CHANGE_WINDOW = timedelta(minutes=1)
STATES = {
    "active": _("active"),
    "changed": _("changed by a new weegmoment"),
    "expired": _("expired"),
    "revoked": _("revoked"),
}


@dataclass
class Weegmoment:
    level: int
    legal_basis: str
    decided_at: datetime
    decided_by: str
    expires_at: datetime | None
    ended_at: datetime | None
    state: str

    @property
    def level_label(self) -> str:
        return str(AccessLevel(self.level).label)

    @property
    def legal_basis_label(self) -> str:
        return str(LegalBasis(self.legal_basis).label)

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])


@dataclass
class Reads:
    object_type: str
    count: int
    first: datetime
    last: datetime


@dataclass
class PartnerDisclosure:
    organisation: str
    domain: str
    weegmomenten: list[Weegmoment] = field(default_factory=list)
    reads: list[Reads] = field(default_factory=list)

    @property
    def read_count(self) -> int:
        return sum(r.count for r in self.reads)


def _state(p: Participation, following: Participation | None, now: datetime) -> str:
    if p.revoked_at is None:
        return "expired" if p.expires_at is not None and p.expires_at <= now else "active"
    if p.expires_at is not None and p.expires_at <= p.revoked_at:
        return "expired"  # closed when a new weegmoment followed an expired one
    if following is not None and abs(following.decided_at - p.revoked_at) <= CHANGE_WINDOW:
        return "changed"
    return "revoked"


def _weegmomenten(case: Case) -> dict[int, list[Weegmoment]]:
    """Per organisation, its weegmomenten in *case*."""
    return {org: found for (_case, org), found in _grouped(Participation.objects.filter(case=case))}


def _grouped(
    participations: QuerySet[Participation],
) -> list[tuple[tuple[object, int], list[Weegmoment]]]:
    """The weegmomenten of *participations* per (case id, organisation id), oldest first; a
    weegmoment's state needs the one that followed it for the same organisation in its case."""
    rows = list(
        participations.select_related("decided_by").order_by(
            "case_id", "organisation_id", "decided_at"
        )
    )
    now = timezone.now()
    result: dict[tuple[object, int], list[Weegmoment]] = {}
    for index, p in enumerate(rows):
        nxt = rows[index + 1] if index + 1 < len(rows) else None
        same = nxt is not None and (nxt.case_id, nxt.organisation_id) == (
            p.case_id,
            p.organisation_id,
        )
        following = nxt if same else None
        result.setdefault((p.case_id, p.organisation_id), []).append(
            Weegmoment(
                level=p.level,
                legal_basis=p.legal_basis,
                decided_at=p.decided_at,
                decided_by=p.decided_by.get_full_name() or p.decided_by.get_username(),
                expires_at=p.expires_at,
                ended_at=p.revoked_at,
                state=_state(p, following, now),
            )
        )
    return list(result.items())


def _reads(case: Case) -> dict[int, list[Reads]]:
    events = (
        audit_events_of_case(reference=case.reference, region_slug=case.region.slug)
        .filter(action__in=READ_ACTIONS, organisation_id_snapshot__isnull=False)
        .values("organisation_id_snapshot", "object_type")
        .annotate(count=Count("id"), first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by("organisation_id_snapshot", "object_type")
    )
    result: dict[int, list[Reads]] = {}
    for row in events:
        result.setdefault(row["organisation_id_snapshot"], []).append(
            Reads(row["object_type"], row["count"], row["first"], row["last"])
        )
    return result


def _reads_in(cases: list[Case], organisation: Organisation) -> dict[tuple[str, str], list[Reads]]:
    """What *organisation* read in each of *cases*, by (reference, region slug), in two
    queries: the events about one case, and the links of events about several. An event about
    several cases also names its first case itself; its link to that case is not counted twice."""
    keys = {(case.reference, case.region.slug) for case in cases}
    references = [reference for reference, _slug in keys]
    direct = (
        AuditEvent.objects.filter(
            case_reference__in=references,
            action__in=READ_ACTIONS,
            organisation_id_snapshot=organisation.pk,
        )
        .values_list("case_reference", "region_slug", "object_type")
        .annotate(Count("id"), Min("occurred_at"), Max("occurred_at"))
        .order_by()
    )
    linked = _linked_reads(references, organisation)
    merged: dict[tuple[str, str], dict[str, Reads]] = {}
    for reference, slug, object_type, count, first, last in [*direct, *linked]:
        if (reference, slug) not in keys:
            continue  # the same reference in another region
        per_type = merged.setdefault((reference, slug), {})
        seen = per_type.get(object_type)
        if seen is None:
            per_type[object_type] = Reads(object_type, count, first, last)
        else:
            seen.count += count
            seen.first, seen.last = min(seen.first, first), max(seen.last, last)
    return {key: [per_type[name] for name in sorted(per_type)] for key, per_type in merged.items()}


def _linked_reads(references: list[str], organisation: Organisation) -> list[tuple[Any, ...]]:
    """(reference, region slug, object type, count, first, last) of the reads by *organisation*
    recorded as events about several cases, through their links (the link table holds the event's
    id, not a foreign key, so the join is written out)."""
    if not references:
        return []
    link, event = AuditEventCase._meta.db_table, AuditEvent._meta.db_table
    sql = f"""
        SELECT l.case_reference, l.region_slug, e.object_type,
               COUNT(*), MIN(e.occurred_at), MAX(e.occurred_at)
        FROM {link} l JOIN {event} e ON e.id = l.event_id
        WHERE l.case_reference IN ({", ".join(["%s"] * len(references))})
          AND e.action IN ({", ".join(["%s"] * len(READ_ACTIONS))})
          AND e.organisation_id_snapshot = %s
          AND NOT (e.case_reference = l.case_reference AND e.region_slug = l.region_slug)
        GROUP BY l.case_reference, l.region_slug, e.object_type
    """  # noqa: S608 (only table names and placeholders are formatted in)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*references, *READ_ACTIONS, organisation.pk])
        rows = cursor.fetchall()
    return [(r, s, t, n, _moment(first), _moment(last)) for r, s, t, n, first, last in rows]


def _moment(value: Any) -> datetime:
    """A timestamp from a raw query (SQLite gives text)."""
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def disclosure_log(*, actor: User, case: Case, record: bool = True) -> list[PartnerDisclosure]:
    """Per partner organisation of *case* (from ``access_supervised_case``): its weegmomenten
    and its reads. Organisations that only read (coordinators, the chair) are listed too."""
    weegmomenten, reads = _weegmomenten(case), _reads(case)
    organisations = Organisation.objects.filter(pk__in=set(weegmomenten) | set(reads))
    log = [
        PartnerDisclosure(
            organisation=org.name,
            domain=str(org.get_domain_display()),
            weegmomenten=weegmomenten.get(org.pk, []),
            reads=reads.get(org.pk, []),
        )
        for org in organisations.order_by("name")
    ]
    if record:
        audit_record(actor=actor, action=AuditAction.VIEW, object_type="disclosure_log", case=case)
    return log


@dataclass
class CaseDisclosure:
    """One case in a partner's disclosure log: its weegmomenten and its reads there."""

    case: Case
    weegmomenten: list[Weegmoment]
    reads: list[Reads]

    @property
    def read_count(self) -> int:
        return sum(r.count for r in self.reads)


def partner_cases(*, organisation: Organisation, cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases of *cases* (the privacy officer's, from ``cases_supervised_by``) in which
    *organisation* ever had a weegmoment, newest first; destroyed cases have none left."""
    taken_part = Participation.objects.filter(organisation=organisation).values("case_id")
    return (
        cases.filter(pk__in=taken_part, destroyed_at__isnull=True)
        .select_related("region")
        .order_by("-created_at", "-pk")
    )


def partner_disclosure_log(
    *, actor: User, organisation: Organisation, cases: list[Case]
) -> list[CaseDisclosure]:
    """*organisation*'s weegmomenten and reads in each of *cases* (one page of
    ``partner_cases``), recorded as a read of the disclosure log. A constant four queries
    whatever the page holds."""
    weegmomenten = dict(
        _grouped(Participation.objects.filter(case__in=cases, organisation=organisation))
    )
    reads = _reads_in(cases, organisation)
    log = [
        CaseDisclosure(
            case=case,
            weegmomenten=weegmomenten.get((case.pk, organisation.pk), []),
            reads=reads.get((case.reference, case.region.slug), []),
        )
        for case in cases
    ]
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="disclosure_log",
        object_id=str(organisation.uuid),
        cases=cases,
        region=organisation.region if not cases else None,
    )
    return log
