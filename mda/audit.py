"""The audit trail: append-only, tamper-evident, metadata only (NEN 7513 style).

Every event is chained to the one before it::

    hash = HMAC-SHA256(MDA_AUDIT_KEY, prev_hash || canonical JSON of the event)

where the canonical JSON holds every column except the two hashes, *including the id* and
``occurred_at`` in ISO 8601 UTC. The first event's ``prev_hash`` is 64 zeros.

Chain design. The id is part of the hash, so it must be known before the insert (updates are
refused by the database). Under a chain-wide lock the writer reads the last event and inserts the
next one with the explicit id ``last.id + 1``. Ids are therefore dense, id order is chain order, and
the verifier can say exactly which event is missing. The lock is ``pg_advisory_xact_lock`` on
PostgreSQL and SQLite's database write lock, taken at BEGIN because the settings use
``transaction_mode = IMMEDIATE`` (checked here). The explicit id is also the last line of defence:
two writers that somehow read the same head collide on the primary key instead of forking.

The lock is held until the caller's transaction commits, so audited writes are serialised from
their audit row on. Keep the audit call late in a service and the transaction short.

What verification detects: a changed event (its hash no longer matches), a removed event (an id
is missing, or the next event's ``prev_hash`` does not match) and an inserted or forged event
(it cannot carry a valid HMAC without the key). What it cannot detect on its own: removal of the
*newest* events (truncation of the tail) by someone who can bypass the database triggers. Against
that, ``verify_audit`` prints the head (id and hash); kept outside the database (a log, a ticket)
it can be given back with ``--anchor ID:HASH`` to prove nothing after that point was cut off.

Database triggers (migration 0002) refuse UPDATE, DELETE and TRUNCATE on the table.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from mda.models import AuditEvent, Organisation, Region, User


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
# Arbitrary, fixed key of the PostgreSQL advisory lock that serialises appends ("NEN 7513").
CHAIN_LOCK_ID = 7513_0001
USER_AGENT_MAX = 300
CLIENT_ADDRESS_MAX = 64
VERIFY_CHUNK_SIZE = 2000
# A detail key containing any of these is refused: it smells of content, not metadata.
CONTENT_KEY_PARTS = ("body", "text", "content", "reason", "name", "bsn")
# The triggers of migration 0002, per vendor: verification fails when they are gone.
APPEND_ONLY_TRIGGERS = {
    "sqlite": ("mda_auditevent_no_update", "mda_auditevent_no_delete"),
    "postgresql": ("mda_auditevent_no_update_delete", "mda_auditevent_no_truncate"),
}
# Every column except the hashes, in the order they appear in the canonical JSON (sorted anyway).
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


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_json(values: Mapping[str, object]) -> bytes:
    """The hashed form of an event: its columns (not the hashes) as sorted, compact JSON."""
    data = {name: values[name] for name in HASHED_FIELDS}
    occurred_at = data["occurred_at"]
    assert isinstance(occurred_at, datetime)
    data["occurred_at"] = _iso_utc(occurred_at)
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def chain_hash(prev_hash: str, values: Mapping[str, object], key: bytes | None = None) -> str:
    message = prev_hash.encode("ascii") + canonical_json(values)
    return hmac.new(key or _audit_key(), message, hashlib.sha256).hexdigest()


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


# --- Recording --------------------------------------------------------------------------------


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


def _actor_organisation_role(
    actor: User, organisation: Organisation | None, role: str
) -> tuple[Organisation | None, str]:
    """Fill in the organisation and role from the actor's membership when it is unambiguous."""
    if organisation is not None and role:
        return organisation, role
    memberships = actor.memberships.select_related("organisation")
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    found = list(memberships[:2])
    if len(found) != 1:
        return organisation, role
    return organisation or found[0].organisation, role or found[0].role


# Not validated up front: the user (a query; the actor is given) and what is set under the lock.
_NOT_VALIDATED = {"user", "occurred_at", "prev_hash", "hash"}


def _lock_chain() -> tuple[int, str]:
    """Take the chain-wide lock for this transaction; return the last (id, hash)."""
    from mda.models import AuditEvent

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])
    elif connection.vendor == "sqlite":
        mode = connection.settings_dict.get("OPTIONS", {}).get("transaction_mode")
        if str(mode).upper() not in {"IMMEDIATE", "EXCLUSIVE"}:
            raise ImproperlyConfigured(
                "The audit chain needs SQLite's OPTIONS['transaction_mode'] = 'IMMEDIATE', so that "
                "concurrent writers cannot read the same last event."
            )
    else:
        raise ImproperlyConfigured(f"The audit chain does not support {connection.vendor}.")
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    return last or (0, GENESIS_HASH)


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    case: AuditedCase | None = None,
    region: Region | None = None,
    organisation: Organisation | None = None,
    role: str = "",
    on_behalf_of: str = "",
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    """Append one event (metadata only) to the audit trail, inside the caller's transaction.

    *case* gives the event its case reference and region; *region* alone marks a region's event
    that concerns no single case (a meeting, an agenda). Client address and user agent come from
    the request (AuditContextMiddleware). Raises ValueError when *detail* looks like content,
    ValidationError on a malformed field.
    """
    from mda.models import AuditEvent

    cleaned = clean_detail(detail)
    if actor is not None and actor.pk is None:  # AnonymousUser: nobody logged in
        actor = None
    if actor is not None:
        organisation, role = _actor_organisation_role(actor, organisation, role)
    origin = _origin.get() or RequestOrigin()  # none outside a request (tasks, commands)
    event = AuditEvent(
        user_id=actor.pk if actor is not None else None,
        username=actor.get_username() if actor is not None else "",
        organisation_name=organisation.name if organisation is not None else "",
        organisation_id_snapshot=organisation.pk if organisation is not None else None,
        role=role,
        on_behalf_of=on_behalf_of,
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_reference=case.reference if case is not None else "",
        region_slug=_region_slug(case, region),
        client_address=origin.client_address,
        user_agent=origin.user_agent,
        detail=cleaned,
    )
    # Validated before the lock, so lengths and choices fail alike on SQLite and PostgreSQL.
    event.full_clean(exclude=_NOT_VALIDATED, validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        last_id, last_hash = _lock_chain()
        event.id = last_id + 1
        event.occurred_at = timezone.now()  # under the lock: time never goes back along the chain
        event.prev_hash = last_hash
        event.hash = chain_hash(last_hash, _values(event))
        event.save(force_insert=True)
    return event


def _region_slug(case: AuditedCase | None, region: Region | None) -> str:
    if case is not None:
        return case.region.slug
    return region.slug if region is not None else ""


def _values(event: AuditEvent) -> dict[str, object]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


# --- Verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    first_bad_id: int | None
    problem: str
    head_id: int | None = None
    head_hash: str = ""


def _event_problem(
    row: Mapping[str, object], prev_id: int, prev_hash: str, key: bytes
) -> tuple[int, str] | None:
    """(first bad id, what is wrong) for *row* given the event before it, or None when fine."""
    row_id = row["id"]
    assert isinstance(row_id, int)
    if row_id != prev_id + 1:
        return prev_id + 1, f"event #{prev_id + 1} is missing: it was removed"
    if row["prev_hash"] != prev_hash:
        return row_id, (
            f"event #{row_id} does not follow event #{prev_id}: an event between them was "
            "removed or inserted"
        )
    if not hmac.compare_digest(str(row["hash"]), chain_hash(prev_hash, row, key)):
        return row_id, (
            f"event #{row_id} does not match its hash: it was changed, or forged without the key"
        )
    return None


def _rows() -> Iterable[dict[str, object]]:
    from mda.models import AuditEvent

    columns = (*HASHED_FIELDS, "prev_hash", "hash")
    values = AuditEvent.objects.order_by("id").values_list(*columns)
    for row in values.iterator(chunk_size=VERIFY_CHUNK_SIZE):
        yield dict(zip(columns, row, strict=True))


def missing_triggers() -> list[str]:
    """The append-only triggers of migration 0002 that are not (or no longer) in the database."""
    from mda.models import AuditEvent

    table = AuditEvent._meta.db_table
    expected: Sequence[str] = APPEND_ONLY_TRIGGERS.get(connection.vendor, ())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'",
                [table],
            )
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in expected if name not in present]


def audit_verify(*, anchor: tuple[int, str] | None = None) -> AuditVerification:
    """Walk the whole chain in id order; report the first event that was changed, removed or
    inserted. *anchor* (id, hash), a head noted earlier outside the database, must still be there.
    """
    key = _audit_key()
    checked, prev_id, prev_hash = 0, 0, GENESIS_HASH
    anchor_seen = anchor is None
    for row in _rows():
        found = _event_problem(row, prev_id, prev_hash, key)
        if found is not None:
            return AuditVerification(False, checked, found[0], found[1])
        checked += 1
        prev_id, prev_hash = int(row["id"]), str(row["hash"])  # type: ignore[call-overload]
        anchor_seen = anchor_seen or (prev_id, prev_hash) == anchor
    head = (prev_id or None, prev_hash if prev_id else "")
    if not anchor_seen:
        assert anchor is not None
        problem = f"event #{anchor[0]} (the anchor) is gone or different: the trail was cut off"
        return AuditVerification(False, checked, anchor[0], problem, *head)
    missing = missing_triggers()
    if missing:
        problem = f"the append-only triggers are missing ({', '.join(missing)}): run migrate"
        return AuditVerification(False, checked, None, problem, *head)
    return AuditVerification(True, checked, None, "", *head)
