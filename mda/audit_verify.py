"""Verifying the audit trail, in parallel, and anchoring its head outside the database.

The chain is checked in ranges of seal positions: every seal carries its predecessor's hash, so a
range needs nothing from the ranges before it except, at the end, that its first ``prev_hash``
equals the last hash of the range before. Ranges run in worker processes (one per core) when the
caller is outside a transaction (the workers are other connections and see only committed rows).

Anchors: beat writes the sealed head every few minutes (``MDA_AUDIT_ANCHOR_SECONDS``) as one JSON
line to its standard output and, when set, appends it to ``MDA_AUDIT_ANCHOR_PATH``: a file the
web and worker containers do not mount (docker-compose.yml), or anything an operator ships
elsewhere. ``verify_audit`` checks against the latest line of that file by default, so removing
the newest events is caught without a hand-kept anchor.
"""

from __future__ import annotations

import hmac
import json
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from mda.audit import (
    GENESIS_HASH,
    HASHED_FIELDS,
    _audit_key,
    chain_head,
    event_mac,
    row_values,
    seal_hash,
)

logger = logging.getLogger(__name__)

RANGE_SIZE = 25_000
PARALLEL_FROM = 2 * RANGE_SIZE  # fewer events: one process is quicker than starting more
_SEAL_COLUMNS = ("position", "event_id", "prev_hash", "hash")
_EVENT_COLUMNS = (*HASHED_FIELDS, "mac")


@dataclass(frozen=True)
class Problem:
    position: int | None  # where in the chain (None: outside it, e.g. a pending event)
    event_id: int | None
    text: str


@dataclass(frozen=True)
class RangeResult:
    first: int
    last: int
    first_prev: str
    last_hash: str
    checked: int
    problem: Problem | None


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    first_bad_id: int | None
    problem: str
    head_id: int | None = None
    head_hash: str = ""
    head_position: int = 0
    pending: int = 0
    anchor: tuple[int, str] | None = None


# --- One range --------------------------------------------------------------------------------


def _range_rows(first: int, last: int) -> list[tuple[Any, ...]]:
    from mda.models import AuditEvent, AuditSeal

    seals, events = AuditSeal._meta.db_table, AuditEvent._meta.db_table
    columns = ", ".join([*(f"s.{c}" for c in _SEAL_COLUMNS), *(f"e.{c}" for c in _EVENT_COLUMNS)])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {seals} s LEFT JOIN {events} e ON e.id = s.event_id "  # noqa: S608
            "WHERE s.position BETWEEN %s AND %s ORDER BY s.position",
            [first, last],
        )
        return cursor.fetchall()


def _seal_problem(
    position: int, seal: Sequence[Any], event: dict[str, Any], prev: str, key: bytes
) -> Problem | None:
    event_id = int(seal[1])
    if event["id"] is None:
        return Problem(position, event_id, f"event #{event_id} is missing: it was removed")
    if seal[2] != prev:
        return Problem(
            position,
            event_id,
            f"event #{event_id} does not follow the event before it in the chain: an event "
            "between them was removed or inserted",
        )
    if not hmac.compare_digest(str(event["mac"]), event_mac(row_values(event), key)):
        return Problem(
            position,
            event_id,
            f"event #{event_id} does not match its MAC: it was changed, or forged without the key",
        )
    if not hmac.compare_digest(
        str(seal[3]), seal_hash(prev, position, event_id, event["mac"], key)
    ):
        return Problem(position, event_id, f"the seal of event #{event_id} does not match")
    return None


def verify_range(first: int, last: int) -> RangeResult:
    """Check seal positions *first*..*last* (inclusive) on their own."""
    key = _audit_key()
    rows = _range_rows(first, last)
    first_prev = str(rows[0][2]) if rows else GENESIS_HASH
    prev, expected, checked = first_prev, first, 0
    width = len(_SEAL_COLUMNS)
    for row in rows:
        position = int(row[0])
        if position != expected:
            text = f"the event at chain position {expected} is missing: it was removed"
            return RangeResult(
                first, last, first_prev, prev, checked, Problem(expected, None, text)
            )
        event = dict(zip(_EVENT_COLUMNS, row[width:], strict=True))
        problem = _seal_problem(position, row[:width], event, prev, key)
        if problem is not None:
            return RangeResult(first, last, first_prev, prev, checked, problem)
        prev, expected, checked = str(row[3]), expected + 1, checked + 1
    if expected <= last:
        text = f"the event at chain position {expected} is missing: it was removed"
        return RangeResult(first, last, first_prev, prev, checked, Problem(expected, None, text))
    return RangeResult(first, last, first_prev, prev, checked, None)


def _verify_range_in_worker(bounds: tuple[int, int]) -> RangeResult:
    try:
        return verify_range(*bounds)
    finally:
        connection.close()


# --- The whole chain --------------------------------------------------------------------------


def _ranges(head: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size - 1, head)) for start in range(1, head + 1, size)]


def _run_ranges(ranges: list[tuple[int, int]], workers: int) -> list[RangeResult]:
    if workers <= 1 or len(ranges) <= 1:
        return [verify_range(*bounds) for bounds in ranges]
    connections.close_all()  # the forked workers must not share the parent's connections
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_verify_range_in_worker, ranges))


def _first_problem(results: Iterable[RangeResult]) -> tuple[Problem | None, int]:
    """The first problem in chain order, and how many events before it were good."""
    checked, prev = 0, GENESIS_HASH
    for result in results:
        if result.checked and result.first_prev != prev:
            text = "an event between two ranges of the chain was removed or inserted"
            return Problem(result.first, None, text), checked
        checked += result.checked
        if result.problem is not None:
            return result.problem, checked
        prev = result.last_hash
    return None, checked


def _default_workers() -> int:
    if connection.in_atomic_block:
        return 1  # uncommitted rows: other connections would not see them
    return max(1, min(os.cpu_count() or 1, 8))


def _pending_problem(horizon: int, last_event_id: int) -> tuple[Problem | None, int]:
    """Check the events not sealed yet; (a problem, how many are pending)."""
    from mda.models import AuditEvent, AuditSeal

    events, seals = AuditEvent._meta.db_table, AuditSeal._meta.db_table
    key = _audit_key()
    columns = ", ".join(f"e.{c}" for c in (*_EVENT_COLUMNS, "txid"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {events} e WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {seals} s WHERE s.event_id = e.id) ORDER BY e.id"
        )
        rows = cursor.fetchall()
    for row in rows:
        event = row_values(dict(zip((*_EVENT_COLUMNS, "txid"), row, strict=True)))
        event_id = int(event["id"])
        late = (
            (event["txid"] is None or int(event["txid"]) < horizon)
            if connection.vendor == "postgresql"
            else event_id < last_event_id
        )
        if not hmac.compare_digest(str(event["mac"]), event_mac(event, key)):
            text = f"event #{event_id} (not sealed yet) does not match its MAC: changed or forged"
            return Problem(None, event_id, text), len(rows)
        if late:
            text = (
                f"event #{event_id} was never sealed although the chain has moved past it: it "
                "was inserted behind the sealer's back"
            )
            return Problem(None, event_id, text), len(rows)
    return None, len(rows)


def _anchor_problem(anchor: tuple[int, str]) -> Problem | None:
    from mda.models import AuditSeal

    position, digest = anchor
    seal = AuditSeal.objects.filter(position=position).values_list("event_id", "hash").first()
    if seal is None or not hmac.compare_digest(seal[1], digest):
        event_id = seal[0] if seal else None
        text = (
            f"the anchored head (chain position {position}) is gone or different: the newest "
            "events were cut off or the chain was rewritten"
        )
        return Problem(position, event_id, text)
    return None


def missing_triggers() -> list[str]:
    """The append-only triggers of migration 0004 that are not (or no longer) in the database."""
    import importlib

    triggers = importlib.import_module("mda.migrations.0005_audit_seals").TRIGGERS
    expected: Sequence[str] = triggers[connection.vendor].names
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid IN ('mda_auditevent'::regclass, "
                "'mda_auditseal'::regclass, 'mda_auditeventcase'::regclass) "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in expected if name not in present]


def audit_verify(
    *, anchor: tuple[int, str] | None = None, workers: int | None = None, range_size: int = 0
) -> AuditVerification:
    """Check the whole chain, the pending events, the triggers and *anchor* (position, hash): a
    head noted earlier outside the database that must still be there. Reports the first event
    that was changed, removed or inserted."""
    head = chain_head()
    size = range_size or RANGE_SIZE
    workers = workers or (_default_workers() if head.position >= PARALLEL_FROM else 1)
    found, checked = _first_problem(_run_ranges(_ranges(head.position, size), workers))
    pending = 0
    if found is None:
        found, pending = _pending_problem(head.horizon, head.event_id)
    if found is None and anchor is not None:
        found = _anchor_problem(anchor)
    missing = missing_triggers()
    if found is None and missing:
        text = f"the append-only triggers are missing ({', '.join(missing)}): run migrate"
        found = Problem(None, None, text)
    head_id = head.event_id or None
    return AuditVerification(
        ok=found is None,
        checked=checked,
        first_bad_id=found.event_id if found else None,
        problem=found.text if found else "",
        head_id=head_id,
        head_hash=head.hash if head_id else "",
        head_position=head.position,
        pending=pending,
        anchor=anchor,
    )


# --- Anchors ----------------------------------------------------------------------------------


def anchor_line() -> str | None:
    """The sealed head as one JSON line, or None while nothing is sealed."""
    head = chain_head()
    if not head.position:
        return None
    at = timezone.now().isoformat(timespec="seconds")
    data = {"at": at, "position": head.position, "event": head.event_id, "hash": head.hash}
    return json.dumps(data, sort_keys=True)


def audit_anchor(
    *, path: str | os.PathLike[str] | None = None, stream: TextIO | None = None
) -> str:
    """Write the head to *stream* (standard output) and append it to *path* (default
    ``MDA_AUDIT_ANCHOR_PATH``, when set). Returns the line ("" when nothing is sealed yet)."""
    line = anchor_line()
    if line is None:
        return ""
    target = path if path is not None else getattr(settings, "MDA_AUDIT_ANCHOR_PATH", "")
    out = stream or sys.stdout
    out.write(f"audit-anchor {line}\n")
    out.flush()
    if target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    return line


def latest_anchor(path: str | os.PathLike[str] | None = None) -> tuple[int, str] | None:
    """The last anchor in *path* (default ``MDA_AUDIT_ANCHOR_PATH``), or None without one."""
    target = path if path is not None else getattr(settings, "MDA_AUDIT_ANCHOR_PATH", "")
    if not target or not Path(target).is_file():
        return None
    last = None
    with Path(target).open(encoding="utf-8") as handle:
        for text in handle:
            if text.strip():
                last = text
    if last is None:
        return None
    data = json.loads(last)
    return int(data["position"]), str(data["hash"])


class AnchorThread(threading.Thread):
    """Runs in the beat process: writes the head every *interval* seconds until stopped."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="mda-audit-anchor", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                audit_anchor()
            except Exception:  # the next round tries again; beat must keep scheduling
                logger.exception("Could not write the audit anchor")
            finally:
                connection.close()


def start_anchoring(**_kwargs: object) -> AnchorThread | None:
    """For celery's beat_init signal: anchor every ``MDA_AUDIT_ANCHOR_SECONDS`` (0: never)."""
    interval = float(getattr(settings, "MDA_AUDIT_ANCHOR_SECONDS", 0) or 0)
    if interval <= 0:
        return None
    thread = AnchorThread(interval)
    thread.start()
    return thread
