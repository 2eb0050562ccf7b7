"""The audit trail: append-only, tamper-evident, metadata only (NEN 7513 style).

Writing never waits for another request
---------------------------------------
An event is inserted in the transaction of what it records, like any other row, and takes no
lock: its id comes from the table's sequence (PostgreSQL; in blocks of ``ID_BLOCK`` per
connection, so most appends are one INSERT) or from ``MAX(id) + 1`` under SQLite's one write lock
(SQLite has a single writer anyway). Before the insert the writer knows the id and
stores ``mac = HMAC-SHA256(MDA_AUDIT_KEY, canonical JSON of every column and the id)``. An INSERT
takes no row lock that another transaction waits for, and the table has no foreign keys or unique
index that a concurrent insert could contend on, so an append can neither wait for another
request's commit nor be part of a deadlock. (The old design chained under
``pg_advisory_xact_lock`` held until commit: every audited write waited for every other, and a
service that had already locked a case row could deadlock against one waiting for the chain.)

Chaining happens afterwards, in order
-------------------------------------
One sealer (``audit_seal``, a Celery task that beat starts every few seconds; single-flight through
``pg_try_advisory_xact_lock`` on PostgreSQL, the write lock on SQLite) gives each committed event
its place in the chain, in a separate insert-only table::

    seal.hash = HMAC-SHA256(key, seal.prev_hash || "|position|event_id|event.mac")

Positions are dense (1, 2, 3 ...) and are assigned in the order events are sealed, which is id
order within a run. The chain's order is therefore *the seal positions*, not the ids: the sealer
never has to put an event *before* one it already sealed, so it never has to wait for a
transaction that may still commit, and it can never be "overtaken" by one. What it must
guarantee is that it never seals an event that may still roll back (it only sees committed rows,
or, in a test, its own transaction's rows, which commit or vanish together with their seals) and
that it never misses one that commits late. On PostgreSQL that second part is how it knows
where to look:

* a trigger stamps every new event with its transaction id (``txid``, from
  ``pg_current_xact_id()``, whatever the INSERT said);
* before it reads, the sealer takes the *horizon*: ``pg_snapshot_xmin(pg_current_snapshot())``,
  the oldest transaction still running anywhere in the cluster (or its own transaction, if it
  has one and it is older). Every transaction below the horizon has finished, so each of their
  committed events is visible to the sealer's next statement; every transaction that is still
  running, or has not started, has an id at or above it;
* it seals every unsealed committed event with ``txid >= `` the horizon stored on the previous
  seal, then stores the new horizon on the seals it makes.

A late commit (a long request whose id was handed out early) therefore has a ``txid`` at or above
the stored horizon and is found on a later run; the search is an index range, not a scan. An
event still unsealed *below* the newest horizon cannot happen by the application: verification
reports it as inserted behind the sealer's back. On SQLite the single writer makes ids follow
commit order, so unsealed events are exactly those after the last sealed id. A long-running
transaction anywhere in the cluster holds the horizon back: sealing goes on, only the search range
stays wider until it ends.

An event whose MAC is wrong (inserted without the key) is never sealed; the sealer logs it and
verification names it.

One event per request
---------------------
A request (``mda.transactions.RequestTransactionMiddleware``) runs in one transaction and opens a
collector: every ``audit_record`` in it is gathered and written once, at the end, inside the same
transaction, as one event that says everything the request read or changed. The strongest action
leads (among equals the last record, which is the page's own: a case page records itself after
its notes); the rest are listed in ``detail["also"]``, details are merged, and several cases are
listed in ``detail["cases"]`` and indexed in ``AuditEventCase`` for each case's access log.
Records made inside a savepoint that rolled back are dropped with it. Outside a request (tasks,
commands, the shell) ``audit_record`` writes at once, or once per ``audit_collect()`` block.

What verification detects (``verify_audit``, mda/audit_verify.py)
-------------------------------------------------------------------
A changed event (its MAC, and so its seal, no longer match), a removed event (a missing position,
a seal without its event, or a broken ``prev_hash`` link), an inserted or forged event (no valid MAC
without the key; an unsealed event below the horizon), and, against the latest anchor (the head
written every few minutes by beat where the application cannot rewrite it), a cut-off tail. It
reports events not yet sealed as pending. Each seal carries its predecessor's hash, so ranges of
positions are verified in parallel processes.

The database refuses UPDATE, DELETE and TRUNCATE on all three tables (migration 0004), and in
production the application's role has only INSERT and SELECT on them (``manage.py
grant_app_role``; the README's "Database roles").
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from weakref import WeakKeyDictionary

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from mda.memberships import memberships_held

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from mda.models import AuditEvent, Organisation, Region, User

logger = logging.getLogger(__name__)


class AuditedCase(Protocol):
    """What the trail needs of a case: its reference and its region (the core imports no app)."""

    @property
    def reference(self) -> str: ...

    @property
    def region(self) -> Region: ...


GENESIS_HASH = "0" * 64
KEY_MIN_BYTES = 32
AUDIT_KEY_FORMAT = (
    "Expected MDA_AUDIT_KEY (or MDA_AUDIT_KEY_FILE): urlsafe base64 of at least 32 random bytes, "
    'kept apart from the encryption keys. Generate one with: python -c "import base64, os; '
    'print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
)
# Arbitrary, fixed key of the PostgreSQL advisory lock that makes the sealer single-flight.
SEALER_LOCK_ID = 7513_0002
SEAL_BATCH = 5000
USER_AGENT_MAX = 300
CLIENT_ADDRESS_MAX = 64
# A detail key containing any of these is refused: it smells of content, not metadata.
CONTENT_KEY_PARTS = ("body", "text", "content", "reason", "name", "bsn")
# Every column the MAC covers, in canonical JSON (sorted anyway).
HASHED_FIELDS = (
    "id",
    "occurred_at",
    "user_id",
    "username",
    "organisation_name",
    "organisation_id_snapshot",
    "role",
    "on_behalf_of",
    "action",
    "object_type",
    "object_id",
    "case_reference",
    "region_slug",
    "client_address",
    "user_agent",
    "detail",
)
# Which action leads an event that records several things (the strongest first).
ACTION_RANK = ("reveal", "disclose", "export", "create", "change", "revoke", "login", "logout")


# --- The key ----------------------------------------------------------------------------------


def _decode_key(value: str) -> bytes | None:
    text = value.strip()
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    return key if len(key) >= KEY_MIN_BYTES else None


def check_audit_key(value: str) -> str:
    """For the settings: return *value* if it is a usable audit key, else stop the start-up."""
    if not value.strip():
        raise ImproperlyConfigured(f"MDA_AUDIT_KEY is not set. {AUDIT_KEY_FORMAT}")
    if _decode_key(value) is None:
        raise ImproperlyConfigured(f"MDA_AUDIT_KEY is malformed or too short. {AUDIT_KEY_FORMAT}")
    return value.strip()


def _audit_key() -> bytes:
    key = _decode_key(getattr(settings, "MDA_AUDIT_KEY", "") or "")
    if key is None:
        raise ImproperlyConfigured(f"MDA_AUDIT_KEY is missing or malformed. {AUDIT_KEY_FORMAT}")
    return key


# --- Hashing ----------------------------------------------------------------------------------


# One encoder for all (json.dumps with options builds a new one per call: verification makes
# millions of these).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def canonical_json(values: Mapping[str, object]) -> bytes:
    """The MAC'd form of an event: its columns (and id) as sorted, compact JSON."""
    data = {name: values[name] for name in HASHED_FIELDS}
    occurred_at = data["occurred_at"]
    assert isinstance(occurred_at, datetime)
    data["occurred_at"] = occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    return _CANONICAL.encode(data).encode("utf-8")


def event_mac(values: Mapping[str, object], key: bytes | None = None) -> str:
    return hmac.digest(key or _audit_key(), canonical_json(values), "sha256").hex()


def seal_hash(
    prev_hash: str, position: int, event_id: int, mac: str, key: bytes | None = None
) -> str:
    message = f"{prev_hash}|{position}|{event_id}|{mac}".encode("ascii")
    return hmac.digest(key or _audit_key(), message, "sha256").hex()


# --- Where the request came from --------------------------------------------------------------


@dataclass(frozen=True)
class RequestOrigin:
    client_address: str = ""
    user_agent: str = ""


_origin: ContextVar[RequestOrigin | None] = ContextVar("mda_audit_origin", default=None)


def origin_of(request: HttpRequest) -> RequestOrigin:
    """Client address (REMOTE_ADDR, or the first X-Forwarded-For entry behind a trusted proxy)."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "MDA_TRUST_X_FORWARDED_FOR", False):
        address = forwarded.split(",")[0].strip()
    agent = request.META.get("HTTP_USER_AGENT", "") or ""
    return RequestOrigin(address.strip()[:CLIENT_ADDRESS_MAX], agent[:USER_AGENT_MAX])


class AuditContextMiddleware:
    """Makes the client address and user agent of the current request known to audit_record."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _origin.set(origin_of(request))
        try:
            return self.get_response(request)
        finally:
            _origin.reset(token)


# --- Detail -----------------------------------------------------------------------------------


def _check_detail_value(key: str, value: object) -> None:
    items = value if isinstance(value, list | tuple) else [value]
    for item in items:
        if item is not None and not isinstance(item, str | int):  # bool is an int
            raise ValueError(
                f"Audit detail {key!r} must be a string, integer, boolean or null, or a list of "
                "these (no floats or nested objects)."
            )
        if isinstance(item, str) and "\x00" in item:
            raise ValueError(f"Audit detail {key!r} contains a NUL character.")


def clean_detail(detail: Mapping[str, object] | None) -> dict[str, object]:
    """Return *detail* as plain JSON, or raise ValueError when it could carry content.

    The error names the key, never the value (which might be exactly the content to keep out).
    """
    if not detail:
        return {}
    if not isinstance(detail, Mapping):
        raise ValueError("Audit detail must be a mapping of metadata.")
    for key, value in detail.items():
        if not isinstance(key, str) or not key:
            raise ValueError("Audit detail keys must be non-empty strings.")
        if any(part in key.lower() for part in CONTENT_KEY_PARTS):
            raise ValueError(
                f"Audit detail key {key!r} looks like content; the audit trail holds metadata only."
            )
        _check_detail_value(key, value)
    return json.loads(json.dumps(dict(detail)))


def _merge_detail(into: dict[str, object], detail: Mapping[str, object]) -> None:
    """Add *detail* to *into*; a key both have with different values becomes their list."""
    for key, value in detail.items():
        if key not in into or into[key] == value:
            into[key] = value
            continue
        merged: list[object] = []
        for part in (into[key], value):
            for item in part if isinstance(part, list) else [part]:
                if item not in merged:
                    merged.append(item)
        into[key] = merged


# --- Recording --------------------------------------------------------------------------------


@dataclass
class _Item:
    """One audit_record call, before it becomes (part of) an event."""

    actor: User | None
    action: str
    object_type: str
    object_id: str
    cases: list[tuple[str, str]]  # (reference, region slug)
    region_slug: str
    organisation: Organisation | None
    role: str
    on_behalf_of: str
    detail: dict[str, object]
    occurred_at: datetime
    marker: Callable[[], None] | None = None

    def group(self) -> tuple[object, ...]:
        return (self.actor.pk if self.actor is not None else None), self.on_behalf_of

    def summary(self) -> str:
        return " ".join(part for part in (self.action, self.object_type, self.object_id) if part)


def _rank(action: str) -> int:
    return ACTION_RANK.index(action) if action in ACTION_RANK else len(ACTION_RANK)


@dataclass
class AuditCollector:
    """Gathers the audit records of one request (or one ``audit_collect`` block)."""

    items: list[_Item] = field(default_factory=list)

    def add(self, item: _Item) -> None:
        if connection.in_atomic_block:
            # A no-op on_commit callback: Django drops it when the savepoint it was registered in
            # rolls back, which tells flush() that this record was undone with its transaction.
            item.marker = lambda: None
            transaction.on_commit(item.marker)
        self.items.append(item)

    def surviving(self) -> list[_Item]:
        pending = {id(entry[1]) for entry in connection.run_on_commit}
        return [i for i in self.items if i.marker is None or id(i.marker) in pending]

    def flush(self) -> list[AuditEvent]:
        """Write what was gathered as one event per actor, inside the current transaction."""
        items, self.items = self.surviving(), []
        groups: dict[tuple[object, ...], list[_Item]] = {}
        for item in items:
            groups.setdefault(item.group(), []).append(item)
        return _append([_merge(group) for group in groups.values()])


_collector: ContextVar[AuditCollector | None] = ContextVar("mda_audit_collector", default=None)


@contextmanager
def audit_collect() -> Iterator[AuditCollector]:
    """Everything recorded inside the block becomes one event (per actor), written at its end in
    the same transaction. Nested blocks join the outer one."""
    outer = _collector.get()
    if outer is not None:
        yield outer
        return
    collector = AuditCollector()
    token = _collector.set(collector)
    try:
        with transaction.atomic():
            yield collector
            if not connection.needs_rollback:  # e.g. DRF's set_rollback() for a refused request
                collector.flush()
    finally:
        _collector.reset(token)


def _merge(items: list[_Item]) -> AuditEvent:
    """One event for *items* (same actor): the strongest action leads, the rest are listed."""
    # The last of the strongest: a page's own record comes after those of what it shows (a case
    # page records the case after its notes), and a write outranks the reads around it.
    strongest = min(_rank(item.action) for item in items)
    lead = [item for item in items if _rank(item.action) == strongest][-1]
    detail: dict[str, object] = {}
    for item in [lead, *(i for i in items if i is not lead)]:
        _merge_detail(detail, item.detail)
    also = [i.summary() for i in items if i is not lead]
    if also:
        detail["also"] = list(dict.fromkeys(also))
    cases = list(dict.fromkeys(case for item in items for case in item.cases))
    if len(cases) > 1:
        detail["cases"] = [reference for reference, _region in cases]
    # The organisation and role the actor acted in: the lead's, else the first one named.
    named = [lead, *items]
    organisation = next((i.organisation for i in named if i.organisation is not None), None)
    role = next((i.role for i in named if i.role), "")
    lead = replace(lead, organisation=organisation, role=role)
    event = _event(lead, cases[0] if cases else None, detail)
    event.audit_cases = cases if len(cases) > 1 else ()
    event.occurred_at = min(item.occurred_at for item in items)
    return event


def _event(
    item: _Item, case: tuple[str, str] | None, detail: dict[str, object], *, complete: bool = True
) -> AuditEvent:
    """The event for *item*; *complete* also looks up the actor's organisation and role."""
    from mda.models import AuditEvent

    actor, organisation, role = item.actor, item.organisation, item.role
    if actor is not None and complete:
        organisation, role = _actor_organisation_role(actor, organisation, role)
    origin = _origin.get() or RequestOrigin()  # none outside a request (tasks, commands)
    return AuditEvent(
        occurred_at=item.occurred_at,
        user_id=actor.pk if actor is not None else None,
        username=actor.get_username() if actor is not None else "",
        organisation_name=organisation.name if organisation is not None else "",
        organisation_id_snapshot=organisation.pk if organisation is not None else None,
        role=role,
        on_behalf_of=item.on_behalf_of,
        action=item.action,
        object_type=item.object_type,
        object_id=item.object_id,
        case_reference=case[0] if case else "",
        region_slug=case[1] if case else item.region_slug,
        client_address=origin.client_address,
        user_agent=origin.user_agent,
        detail=detail,
    )


def _actor_organisation_role(
    actor: User, organisation: Organisation | None, role: str
) -> tuple[Organisation | None, str]:
    """Fill in the organisation and role from the actor's membership when it is unambiguous."""
    if organisation is not None and role:
        return organisation, role
    found = [
        m
        for m in memberships_held(actor)
        if organisation is None or m.organisation_id == organisation.pk
    ]
    if len(found) != 1:
        return organisation, role
    return organisation or found[0].organisation, role or found[0].role


# Not validated up front: the user (a query; the actor is given) and what the append sets.
_NOT_VALIDATED = {"user", "occurred_at", "mac", "txid"}


# PostgreSQL hands out event ids in blocks: the sequence steps by ID_BLOCK (migration 0009), and
# one nextval reserves a block that the connection which took it uses id by id. A connection takes
# its first block with a nextval of its own; after that, whenever fewer than ID_BLOCK // 2 ids are
# left, the append's INSERT reserves the next block in its RETURNING clause. So an append of up to
# that many events is exactly one INSERT, and a request's statements do not depend on where in
# its block the connection is. Ids then follow neither time nor commit order across connections,
# which the chain never relied on: its order is the seal positions, and the sealer's search is
# bounded by transaction ids. A block left unused (a process ends) is a gap, as a rolled-back id
# always was.
ID_BLOCK = 32


@dataclass
class _IdBlock:
    pid: int  # the process that took it (a forked child must not use its parent's)
    ids: list[int] = field(default_factory=list)


# Per raw database connection: Django's connections are per thread, and a reconnect or another
# database (a test database) starts afresh.
_id_blocks: WeakKeyDictionary[object, _IdBlock] = WeakKeyDictionary()


def _next_ids(count: int) -> list[int]:
    """*count* new event ids. PostgreSQL: from this connection's block of the sequence, without
    waiting for anyone. SQLite: after the largest, under the write lock this transaction holds."""
    from mda.models import AuditEvent

    table = AuditEvent._meta.db_table
    if connection.vendor == "postgresql":
        return _ids_from_blocks(count)
    if connection.vendor != "sqlite":
        raise ImproperlyConfigured(f"The audit trail does not support {connection.vendor}.")
    mode = connection.settings_dict.get("OPTIONS", {}).get("transaction_mode")
    if str(mode).upper() not in {"IMMEDIATE", "EXCLUSIVE"}:
        raise ImproperlyConfigured(
            "The audit trail needs SQLite's OPTIONS['transaction_mode'] = 'IMMEDIATE', so "
            "that the write lock is held from the start of a transaction."
        )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our table
        last = int(cursor.fetchone()[0])
    return list(range(last + 1, last + 1 + count))


def _id_block() -> _IdBlock:
    """This connection's block (in this process): a reconnect or a forked child starts afresh."""
    connection.ensure_connection()
    raw, pid = connection.connection, os.getpid()
    block = _id_blocks.get(raw)
    if block is None or block.pid != pid:
        block = _id_blocks[raw] = _IdBlock(pid=pid)
    return block


def _reserve(block: _IdBlock, blocks: int) -> None:
    from mda.models import AuditEvent

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [AuditEvent._meta.db_table, blocks],
        )
        for (start,) in cursor.fetchall():
            block.ids.extend(range(start, start + ID_BLOCK))


def _ids_from_blocks(count: int) -> list[int]:
    block = _id_block()
    missing = count - len(block.ids)
    if missing > 0:  # a connection's first append, or one of many events
        _reserve(block, -(-missing // ID_BLOCK))
    taken, block.ids = block.ids[:count], block.ids[count:]
    return taken


def audit_ids_reserve() -> None:
    """Give this connection its first block of event ids now rather than at its first append
    (PostgreSQL; a no-op elsewhere). The tests call it so that statement counts compare alike."""
    if connection.vendor == "postgresql":
        block = _id_block()
        if not block.ids:
            _reserve(block, 1)


def _append(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Insert *events* with their ids and MACs; link multi-case events to each case."""
    from mda.models import AuditEvent, AuditEventCase

    if not events:
        return []
    key = _audit_key()
    # No savepoint of its own: a failed append must fail the transaction it records.
    with transaction.atomic(savepoint=False):
        for event, event_id in zip(events, _next_ids(len(events)), strict=True):
            event.id = event_id
            event.mac = event_mac(_values(event), key)
        block = _id_block() if connection.vendor == "postgresql" else None
        returning = ""
        if block is not None and len(block.ids) < ID_BLOCK // 2:
            # Reserve the next block in the same statement, on the last row only.
            table = AuditEvent._meta.db_table
            returning = (
                f" RETURNING CASE WHEN id = {int(events[-1].id)} THEN "
                f"nextval(pg_get_serial_sequence('{table}', 'id')) END"
            )
        for (start,) in _insert(AuditEvent, events, returning=returning):
            if block is not None and start is not None:
                block.ids.extend(range(start, start + ID_BLOCK))
        links = [
            AuditEventCase(event_id=event.id, case_reference=reference, region_slug=region)
            for event in events
            for reference, region in event.audit_cases
        ]
        if links:
            AuditEventCase.objects.bulk_create(links)
    return list(events)


_INSERT_BATCH = 500


def _insert(model: type[Model], rows: Sequence[Model], *, returning: str = "") -> list[Any]:
    """INSERT *rows* (their ids set), as ``bulk_create`` would, without the ORM's compiler: an
    append is on the path of every request, and compiling cost more than the insert. Every value
    still goes through its field's ``get_db_prep_save`` (JSON, datetimes). *returning* (a
    RETURNING clause) applies to the last statement; its rows are returned."""
    fields = model._meta.concrete_fields
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
    result: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _INSERT_BATCH):  # under both databases' parameter limits
            batch = rows[start : start + _INSERT_BATCH]
            last = start + _INSERT_BATCH >= len(rows)
            params = [
                f.get_db_prep_save(getattr(instance, f.attname), connection)
                for instance in batch
                for f in fields
            ]
            statement = sql + ", ".join([row] * len(batch)) + (returning if last else "")
            cursor.execute(statement, params)
            if last and returning:
                result = cursor.fetchall()
    return result


def _values(event: AuditEvent) -> dict[str, object]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def _case_of(case: AuditedCase | None, cases: Sequence[AuditedCase]) -> list[tuple[str, str]]:
    every = ([case] if case is not None else []) + list(cases)
    return list(dict.fromkeys((c.reference, c.region.slug) for c in every))


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    case: AuditedCase | None = None,
    cases: Sequence[AuditedCase] = (),
    region: Region | None = None,
    organisation: Organisation | None = None,
    role: str = "",
    on_behalf_of: str = "",
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    """Record one thing an actor read or did (metadata only), inside the caller's transaction.

    *case* gives the event its case reference and region; *cases* adds more cases (each case's
    access log finds the event); *region* alone marks a region's event that concerns no single
    case. Client address and user agent come from the request (AuditContextMiddleware). In a
    request (or an ``audit_collect`` block) the record joins the one event written at its end,
    and the returned event is not saved yet; elsewhere it is written at once. Raises ValueError
    when *detail* looks like content, ValidationError on a malformed field.
    """
    if actor is not None and actor.pk is None:  # AnonymousUser: nobody logged in
        actor = None
    item = _Item(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        cases=_case_of(case, cases),
        region_slug=region.slug if region is not None else "",
        organisation=organisation,
        role=role,
        on_behalf_of=on_behalf_of,
        detail=clean_detail(detail),
        occurred_at=timezone.now(),
    )
    event = _event(item, item.cases[0] if item.cases else None, item.detail, complete=False)
    # Validated now, so lengths and choices fail alike on SQLite and PostgreSQL, at the caller.
    event.full_clean(exclude=_NOT_VALIDATED, validate_unique=False, validate_constraints=False)
    collector = _collector.get()
    if collector is not None:
        collector.add(item)
        return event
    return _append([_merge([item])])[0]


def audit_events_of_case(*, reference: str, region_slug: str) -> QuerySet[AuditEvent]:
    """Every event about one case, sealed or pending: its own, and those about several cases."""
    from mda.models import AuditEvent, AuditEventCase

    linked = AuditEventCase.objects.filter(case_reference=reference, region_slug=region_slug)
    return AuditEvent.objects.filter(
        Q(case_reference=reference, region_slug=region_slug) | Q(pk__in=linked.values("event_id"))
    )


# --- Sealing ----------------------------------------------------------------------------------

_EVENT_COLUMNS = ", ".join(f"e.{name}" for name in (*HASHED_FIELDS, "mac"))


@dataclass(frozen=True)
class ChainHead:
    position: int
    event_id: int
    hash: str
    horizon: int


def chain_head() -> ChainHead:
    """The last seal (position 0 and the genesis hash when nothing is sealed yet)."""
    from mda.models import AuditSeal

    last = (
        AuditSeal.objects.order_by("-position")
        .values_list("position", "event_id", "hash", "horizon")
        .first()
    )
    return ChainHead(*last) if last else ChainHead(0, 0, GENESIS_HASH, 0)


def _take_sealer_lock() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite: this transaction holds the database's one write lock
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEALER_LOCK_ID])
        return bool(cursor.fetchone()[0])


def _horizon() -> int:
    """PostgreSQL: a transaction id below which every transaction has finished (see above)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT LEAST(pg_snapshot_xmin(pg_current_snapshot()), COALESCE("
            "pg_current_xact_id_if_assigned(), pg_snapshot_xmax(pg_current_snapshot())))"
            "::text::bigint"
        )
        return int(cursor.fetchone()[0])


def unsealed_rows(head: ChainHead, limit: int | None = None) -> list[dict[str, Any]]:
    """Committed events without a seal that the sealer may take, in id order."""
    from mda.models import AuditEvent, AuditSeal

    events, seals = AuditEvent._meta.db_table, AuditSeal._meta.db_table
    if connection.vendor == "postgresql":
        where, params = "e.txid >= %s", [head.horizon]
    else:
        where, params = "e.id > %s", [head.event_id]
    sql = (
        f"SELECT {_EVENT_COLUMNS} FROM {events} e WHERE {where} AND NOT EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {seals} s WHERE s.event_id = e.id) ORDER BY e.id"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [*HASHED_FIELDS, "mac"]
        return [row_values(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def row_values(row: dict[str, Any]) -> dict[str, Any]:
    """A row as read with a raw cursor, typed like the model's values (SQLite returns text)."""
    if isinstance(row["detail"], str):
        row["detail"] = json.loads(row["detail"])
    moment = row["occurred_at"]
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # SQLite stores UTC without an offset
        row["occurred_at"] = moment.replace(tzinfo=UTC)
    return row


def audit_seal(*, limit: int = SEAL_BATCH) -> int:
    """Give up to *limit* committed, unsealed events their place in the chain; return how many.

    Single-flight: while another sealer runs this returns 0 at once instead of waiting.
    """
    from mda.models import AuditSeal

    key = _audit_key()
    with transaction.atomic():
        if not _take_sealer_lock():
            return 0
        head = chain_head()
        horizon = _horizon()  # before reading: see the module's docstring
        rows = unsealed_rows(head, limit + 1)
        if len(rows) > limit:
            rows, horizon = rows[:limit], head.horizon  # more to do: keep the old horizon
        position, prev, now, seals = head.position, head.hash, timezone.now(), []
        for row in rows:
            if not hmac.compare_digest(str(row["mac"]), event_mac(row, key)):
                logger.error("Audit event #%s does not match its MAC; not sealed.", row["id"])
                continue
            position += 1
            digest = seal_hash(prev, position, row["id"], row["mac"], key)
            seals.append(
                AuditSeal(
                    position=position,
                    event_id=row["id"],
                    prev_hash=prev,
                    hash=digest,
                    sealed_at=now,
                    horizon=horizon,
                )
            )
            prev = digest
        AuditSeal.objects.bulk_create(seals)
    return len(seals)


def audit_seal_all(*, limit: int = SEAL_BATCH, rounds: int = 100) -> int:
    """Seal in batches until nothing is left (or *rounds* batches); return how many."""
    total = 0
    for _ in range(rounds):
        sealed = audit_seal(limit=limit)
        total += sealed
        if sealed < limit:
            break
    return total
