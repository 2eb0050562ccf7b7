"""Writes of the escalation ladder: the default ladder, the sweep that claims what is due, the
delivery of one notice, a coordinator's manual escalation, and acknowledging.

Exactly once, and what that means here
--------------------------------------
1. **Claim.** The sweep computes, per rung of every region's ladder, the latest due date whose
   step is due (``timing``), finds in ONE query every open agreement up to it that has no
   :class:`EscalationNotice` for (agreement, ladder round, rung), and inserts those notices. The
   insert ignores conflicts and the unique constraint decides: two sweeps at once create each
   notice once. Nothing is derived from task state; a sweep that never ran (beat or Redis down) is
   caught up by the next one from the stored due dates. An agreement whose every active rung has
   its notice in the current round is marked complete (``ladder_completed_round``) by an UPDATE
   that checks exactly that, row by row; a new round (a new due date, a reopening) or a rung added
   or changed (``ladders_reopen``, from the rung's save signal) makes it pending again. The sweep
   reads only pending agreements, so a backlog at the top of its ladder costs it nothing.
2. **Hand over.** Pending notices that are due by the real clock are marked ``queued_at`` (rows
   locked ``SKIP LOCKED``, so two sweeps do not both queue them) and their ids go to the broker. A
   notice whose message was lost (Redis down, a worker killed) is queued again by a later sweep
   once ``REQUEUE_AFTER`` passed.
3. **Send.** Delivery messages carry a batch of ids (``tasks.DELIVERY_BATCH``). A worker locks the
   batch's notices by key (``SELECT ... FOR UPDATE SKIP LOCKED``; a locked row is read in its
   latest committed version, so one no longer pending is skipped), locks and re-checks their
   agreements (still open, same round), creates the in-app notifications and the recipient rows
   in bulk and marks the notices sent, all in ONE transaction. A second worker skips the locked
   rows or finds them sent; a worker killed mid-way rolls the whole batch back and its notices stay
   pending. So each notice and its in-app notifications happen exactly once, and nothing is sent
   for an agreement that was resolved first (the agreement's row lock orders the two).
   **Never early.** A notice is sent only once its ``due_at`` has passed by the worker's clock,
   whatever ``now`` the sweep that made it was given: one not due yet stays pending and unqueued,
   and is handed over when it is due.
4. **E-mail.** Each notification's e-mail is queued after commit and sent by ``mda.notifications``
   under its own outbox claim (``email_claimed_at``/``emailed_at``); mda's e-mail sweep queues
   those whose message was lost and retries stale claims. SMTP is outside any transaction, so
   e-mail is *at least once*: a worker killed between the SMTP hand-off and marking the row sent
   repeats that one e-mail after the claim timeout. We chose that over at-most-once: a missed
   escalation costs more than a duplicate e-mail.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from casework.access import require_coordinator
from casework.models import Agreement, AgreementStatus, Case
from mda import crypto
from mda.audit import audit_record
from mda.bulk import rows_insert
from mda.facts import fact_record, facts_record_each
from mda.models import (
    AuditAction,
    DataKey,
    FactKind,
    Membership,
    Notification,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
)
from mda.notifications import notification_acknowledge, notifications_create
from mda.outbox import task_queue
from mda.workdays import work_calendars
from scheduling.models import (
    EscalationNotice,
    EscalationRecipient,
    Ladder,
    NoticeStatus,
    OrganisationScope,
    Rung,
)
from scheduling.models.escalation import rung_label
from scheduling.timing import latest_due_date, rung_due_at

logger = logging.getLogger(__name__)

# A pending notice queued this long ago whose message never got to a worker (Redis lost it, a
# worker died holding it) is queued again. Tests of crashes shorten it in the worker's settings.
REQUEUE_AFTER = timedelta(minutes=5)
# Notices a sweep hands over per claim, and so per delivery message (tasks.DELIVERY_BATCH, which
# says why 1,000).
DISPATCH_BATCH = 1000
INSERT_BATCH = 2000
MIN_REASON = 10
NOTIFICATION_KIND_REMINDER = "agreement_reminder"
NOTIFICATION_KIND_ESCALATION = "agreement_escalation"
NOTIFICATION_KIND_MANUAL = "case_escalation"


# --- The default ladder (../shared/domain.md) -------------------------------------------------


@dataclass(frozen=True)
class RungSpec:
    number: int
    name: str  # the English label; the Dutch name is its translation (the Dutch catalogue)
    offset: int
    values: dict[str, Any]


DEFAULT_RUNGS = [
    RungSpec(0, gettext_noop("Reminder"), -2, {"notify_owner": True}),
    RungSpec(0, gettext_noop("Reminder on the due date"), 0, {"notify_owner": True}),
    RungSpec(
        1,
        gettext_noop("Team lead of the owner organisation"),
        2,
        {"organisation_scope": OrganisationScope.OWNER, "roles": [Role.ESCALATION_OFFICIAL]},
    ),
    RungSpec(
        2,
        gettext_noop("Veilig Thuis"),
        5,
        {
            "organisation_scope": OrganisationScope.KIND,
            "organisation_kind": OrganisationKind.VEILIG_THUIS,
            "roles": [Role.ESCALATION_OFFICIAL],
        },
    ),
    RungSpec(
        3,
        gettext_noop("Zorg- en Veiligheidshuis"),
        10,
        {
            "organisation_scope": OrganisationScope.KIND,
            "organisation_kind": OrganisationKind.SAFETY_HOUSE,
            "roles": [Role.COORDINATOR, Role.ESCALATION_OFFICIAL],
        },
    ),
    RungSpec(
        4,
        gettext_noop("Mayor and alderman for youth"),
        15,
        {
            "organisation_scope": OrganisationScope.KIND,
            "organisation_kind": OrganisationKind.MUNICIPALITY,
            "roles": [Role.ESCALATION_OFFICIAL],
        },
    ),
]


def ladder_of(region: Region | int) -> Ladder:
    """The region's ladder; the default one (domain.md) is created the first time it is asked."""
    region_id = region if isinstance(region, int) else region.pk
    ladder = Ladder.objects.filter(region_id=region_id).first()
    if ladder is not None:
        return ladder
    with transaction.atomic():
        ladder, created = Ladder.objects.get_or_create(region_id=region_id)
        if created:
            _default_rungs_create(ladder)
    return ladder


def _default_rungs_create(ladder: Ladder) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        for spec in DEFAULT_RUNGS:
            rung = Rung(
                ladder=ladder,
                number=spec.number,
                name=_(spec.name),
                name_en=spec.name,
                offset_working_days=spec.offset,
                **spec.values,
            )
            rung.full_clean()
            rung.save()


# --- The sweep: claim what is due -------------------------------------------------------------


@dataclass
class SweepResult:
    claimed: int = 0  # due steps found without a notice (inserted, or by a concurrent sweep)
    cancelled: int = 0  # pending notices of agreements resolved or moved meanwhile


def escalations_sweep(*, now: datetime | None = None) -> SweepResult:
    """Find every (agreement, rung) that is due and has no notice yet, and create its notice.

    A constant few queries whatever the number of regions, rungs and agreements: the ladders
    (created where a region with open agreements has none yet), then ONE query over every region
    and rung for the due steps without a notice, then the inserts, then one statement that marks
    the agreements whose whole ladder is now sent. Both read the index of open agreements whose
    ladder is not complete, so with nothing due they find no row, however large the backlog of
    overdue agreements at the top of their ladder.
    """
    now = now or timezone.now()
    result = SweepResult(cancelled=escalations_cancel_stale())
    _ladders_create_missing()
    steps = _due_steps(now)
    if not steps:
        return result
    rows = _steps_without_notice(steps)
    result.claimed = _notices_insert(rows, steps)
    _ladders_mark_complete(steps)
    return result


@dataclass(frozen=True)
class _Step:
    """One active rung as the sweep needs it (plain values: a sweep that finds nothing due
    should not build a model instance per rung of every region)."""

    rung_id: int
    number: int
    name: str
    name_en: str
    offset_working_days: int
    send_time: time
    region_id: int
    cutoff: date  # every open agreement due on or before this date has this step due


def _ladders_create_missing() -> None:
    """The default ladder for each region that has open agreements and no ladder yet."""
    open_agreement = Agreement.objects.open().filter(case_id=OuterRef("pk"))
    busy_case = Case.objects.filter(region_id=OuterRef("pk")).filter(Exists(open_agreement))
    missing = Region.objects.filter(escalation_ladder__isnull=True).filter(Exists(busy_case))
    for region_id in missing.values_list("pk", flat=True):
        ladder_of(region_id)


def _due_steps(now: datetime) -> dict[int, _Step]:
    """Every active rung with its cutoff at *now*, by rung id, in the working-day calendar of
    its ladder's region (whose closing days count too)."""
    cutoffs: dict[tuple[int, Any, int], date] = {}
    steps = {}
    calendars = work_calendars()
    rows = Rung.objects.filter(active=True).values_list(
        "pk",
        "number",
        "name",
        "name_en",
        "offset_working_days",
        "ladder__send_time",
        "ladder__region_id",
    )
    for rung_id, number, name, name_en, offset, send_time, region_id in rows:
        timing_key = (offset, send_time, region_id)
        if timing_key not in cutoffs:
            cutoffs[timing_key] = latest_due_date(
                now, offset, send_time, calendar=calendars(region_id)
            )
        steps[rung_id] = _Step(
            rung_id, number, name, name_en, offset, send_time, region_id, cutoffs[timing_key]
        )
    return steps


# An open agreement with a step of its ladder still to come: the predicate of the partial index
# ``agreement_ladder_pending`` (casework), written the same way so PostgreSQL uses that index.
_LADDER_PENDING = "(a.ladder_completed_round IS NULL OR a.ladder_completed_round < a.ladder_round)"


def _steps_without_notice(steps: dict[int, _Step]) -> list[tuple[Any, ...]]:
    """(agreement id, case id, ladder round, due date, rung id) of every due step without a
    notice, in one query: the rungs' cutoffs joined to the open agreements up to the latest."""
    vendor = connection.vendor
    values = ", ".join(["(%s, %s, %s)"] * len(steps))
    params: list[Any] = []
    for rung_id, step in steps.items():
        params += [rung_id, step.region_id, _sql_date(step.cutoff, vendor)]
    latest = max(step.cutoff for step in steps.values())
    # Only placeholders are formatted in: one "(%s, %s, %s)" per rung.
    sql = f"""
        WITH step (rung_id, region_id, cutoff) AS (VALUES {values})
        SELECT a.id, a.case_id, a.ladder_round, a.due_date, step.rung_id
        FROM casework_agreement a
        JOIN casework_case c ON c.id = a.case_id
        JOIN step ON step.region_id = c.region_id AND a.due_date <= step.cutoff
        WHERE a.status = %s AND a.due_date <= %s
          AND {_LADDER_PENDING}
          AND NOT EXISTS (
            SELECT 1 FROM scheduling_escalationnotice n
            WHERE n.agreement_id = a.id AND n.ladder_round = a.ladder_round
              AND n.rung_id = step.rung_id AND NOT n.manual
          )
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, AgreementStatus.OPEN, _sql_date(latest, vendor)])
        rows = cursor.fetchall()
    return [(_uuid(a), _uuid(c), r, _date(d), s) for a, c, r, d, s in rows]


def _ladders_mark_complete(steps: dict[int, _Step]) -> int:
    """Mark the open agreements whose every active rung has its notice in the current round (the
    sweep's index then leaves them out); the number marked.

    Only agreements up to their region's last cutoff can be complete, so the statement reads the
    same index range as the sweep and, at rest, finds nothing. Whether every rung has its notice is
    decided inside the UPDATE, row by row, so a due date moved or a rung added meanwhile (a new
    round, or a reset by ``ladders_reopen``) is never marked complete without its notices.
    """
    vendor = connection.vendor
    last: dict[int, date] = {}
    for step in steps.values():
        last[step.region_id] = min(step.cutoff, last.get(step.region_id, step.cutoff))
    values = ", ".join(["(%s, %s)"] * len(last))
    params: list[Any] = []
    for region_id, cutoff in last.items():
        params += [region_id, _sql_date(cutoff, vendor)]
    # Only placeholders are formatted in: one "(%s, %s)" per region.
    sql = f"""
        WITH last (region_id, cutoff) AS (VALUES {values})
        UPDATE casework_agreement SET ladder_completed_round = ladder_round
        WHERE id IN (
            SELECT a.id FROM casework_agreement a
            JOIN casework_case c ON c.id = a.case_id
            JOIN last ON last.region_id = c.region_id AND a.due_date <= last.cutoff
            WHERE a.status = %s AND a.due_date <= %s AND {_LADDER_PENDING}
        )
        AND NOT EXISTS (
            SELECT 1 FROM scheduling_rung r
            JOIN scheduling_ladder l ON l.id = r.ladder_id
            JOIN casework_case c ON c.region_id = l.region_id
            WHERE c.id = casework_agreement.case_id AND r.active
              AND NOT EXISTS (
                SELECT 1 FROM scheduling_escalationnotice n
                WHERE n.agreement_id = casework_agreement.id
                  AND n.ladder_round = casework_agreement.ladder_round
                  AND n.rung_id = r.id AND NOT n.manual
              )
        )
    """  # noqa: S608
    latest = max(last.values())
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, AgreementStatus.OPEN, _sql_date(latest, vendor)])
        return int(cursor.rowcount)


def ladders_reopen(*, region_id: int) -> int:
    """A rung of the region's ladder was added or changed: its open agreements are checked again
    by the next sweep (steps already sent stay sent); the number of agreements."""
    return Agreement.objects.filter(
        status=AgreementStatus.OPEN,
        case__region_id=region_id,
        ladder_completed_round__isnull=False,
    ).update(ladder_completed_round=None)


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))  # SQLite: hex text


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _sql_date(day: date, vendor: str) -> Any:
    # SQLite keeps dates as ISO text; PostgreSQL needs a typed date in the VALUES list.
    return day.isoformat() if vendor == "sqlite" else day


def _notices_insert(rows: list[tuple[Any, ...]], steps: dict[int, _Step]) -> int:
    moments: dict[tuple[date, int], datetime] = {}
    calendars = work_calendars()
    for start in range(0, len(rows), INSERT_BATCH):
        notices = []
        for agreement_id, case_id, ladder_round, due_date, rung_id in rows[
            start : start + INSERT_BATCH
        ]:
            rung = steps[rung_id]
            if (due_date, rung_id) not in moments:
                moments[due_date, rung_id] = rung_due_at(
                    due_date,
                    rung.offset_working_days,
                    rung.send_time,
                    calendar=calendars(rung.region_id),
                )
            notices.append(
                EscalationNotice(
                    id=uuid.uuid4(),
                    case_id=case_id,
                    agreement_id=agreement_id,
                    ladder_round=ladder_round,
                    rung_id=rung_id,
                    rung_number=rung.number,
                    rung_name=rung.name,
                    rung_name_en=rung.name_en,
                    due_at=moments[due_date, rung_id],
                    agreement_due_date=due_date,
                )
            )
        with transaction.atomic():
            EscalationNotice.objects.bulk_create(notices, ignore_conflicts=True)
    return len(rows)


def escalations_cancel_stale(*, agreement: Agreement | None = None) -> int:
    """Cancel pending automatic notices whose agreement is no longer open or moved on to a new
    ladder round (the worker checks this too; this keeps the queue clean)."""
    current = Agreement.objects.filter(
        pk=OuterRef("agreement_id"),
        status=AgreementStatus.OPEN,
        ladder_round=OuterRef("ladder_round"),
    )
    stale = EscalationNotice.objects.filter(status=NoticeStatus.PENDING, manual=False).exclude(
        Exists(current)
    )
    if agreement is not None:
        stale = stale.filter(agreement=agreement)
    return stale.update(status=NoticeStatus.CANCELLED, cancelled_at=timezone.now())


def escalations_claim_for_dispatch(
    *, now: datetime | None = None, limit: int = DISPATCH_BATCH
) -> list[uuid.UUID]:
    """Pending notices that are due, never handed to the broker or handed over long enough ago
    that the message must be lost: mark them queued (rows locked, skipping those a worker
    holds)."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            EscalationNotice.objects.select_for_update(skip_locked=True)
            # Due by the real clock, whatever *now* the caller (or the sweep) was given.
            .filter(status=NoticeStatus.PENDING, due_at__lte=timezone.now())
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - requeue_after()))
            .order_by("created_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            EscalationNotice.objects.filter(pk__in_array=ids).update(queued_at=now)
    return ids


def requeue_after() -> timedelta:
    seconds = getattr(settings, "MDA_ESCALATION_REQUEUE_SECONDS", None)
    return REQUEUE_AFTER if seconds is None else timedelta(seconds=seconds)


def escalations_unqueue(ids: Iterable[uuid.UUID]) -> None:
    """The broker did not take these: let the next sweep queue them at once."""
    EscalationNotice.objects.filter(pk__in=list(ids), status=NoticeStatus.PENDING).update(
        queued_at=None
    )


# --- Delivery, in batches ----------------------------------------------------------------------


def escalation_deliver(*, notice_id: uuid.UUID | str) -> str:
    """Send one notice, once: 'sent', 'cancelled' (agreement resolved or moved), 'not_due' (left
    pending until its time) or 'skipped' (another worker has it, or it was handled already)."""
    outcomes = escalations_deliver(notice_ids=[notice_id])
    return next(iter(outcomes))


def escalations_deliver(*, notice_ids: Iterable[uuid.UUID | str]) -> dict[str, int]:
    """Send a batch of notices in one transaction (see the exactly-once notes above); how many
    were 'sent', 'cancelled', 'not_due' and 'skipped'."""
    ids = list(dict.fromkeys(str(i) for i in notice_ids))
    now = timezone.now()
    with transaction.atomic():
        locked = _notices_locked(ids, now)
        notices = [n for n in locked if n.status == NoticeStatus.PENDING]
        early = [n for n in notices if not n.is_due]
        if early:  # never before its time: back to the sweep, which queues it once due
            EscalationNotice.objects.filter(pk__in_array=[n.pk for n in early]).update(
                queued_at=None
            )
        due = [n for n in notices if n.is_due]
        agreements = _agreements_locked(due)
        stale = [n for n in due if not n.manual and not agreements[n.agreement_id].due(n)]
        if stale:
            EscalationNotice.objects.filter(pk__in_array=[n.pk for n in stale]).update(
                status=NoticeStatus.CANCELLED, cancelled_at=now
            )
        stale_ids = {n.pk for n in stale}
        sending = [n for n in due if n.pk not in stale_ids]
        if sending:
            _send_all(sending, agreements, now)
    outcomes = {
        "sent": len(sending),
        "cancelled": len(stale),
        "not_due": len(early),
        "skipped": len(ids) - len(notices),
    }
    return {outcome: count for outcome, count in outcomes.items() if count}


@dataclass(frozen=True, slots=True)
class _NoticeCase:
    """What delivery needs of a notice's case (an ``mda.facts.StatisticsCase``): the data key
    only to derive the statistics token, never to decrypt."""

    region_id: int
    reference: str
    data_key: DataKey


@dataclass(frozen=True, slots=True)
class _Notice:
    """A notice as delivery reads it: values, not model instances (a batch reads hundreds, and
    making three instances a row cost as much as the database's work). No text it does not send,
    no ciphertext at all."""

    pk: uuid.UUID
    agreement_id: uuid.UUID | None
    ladder_round: int
    rung_id: int
    rung_number: int
    rung_name: str
    rung_name_en: str
    manual: bool
    organisation_id: int | None
    agreement_due_date: date | None
    status: str
    is_due: bool  # compared in the database: loading a timestamp costs more than the rest
    case: _NoticeCase

    @property
    def rung_label(self) -> str:
        return rung_label(self.rung_name, self.rung_name_en)


_NOTICE_FIELDS = tuple(f.name for f in fields(_Notice) if f.name not in ("pk", "is_due", "case"))
_KEY_FIELDS = ("id", "wrapped_key", "master_key_version", "shredded_at")


def _notices_locked(ids: list[str], now: datetime) -> list[_Notice]:
    """The notices of *ids* that no other worker holds, locked, in key order."""
    rows = (
        EscalationNotice.objects.select_for_update(skip_locked=True, of=("self",))
        .annotate(is_due=ExpressionWrapper(Q(due_at__lte=now), output_field=BooleanField()))
        # By key alone: with "pending" in the filter PostgreSQL may walk the index of every
        # pending notice (a backlog) for each batch. The caller skips those no longer pending.
        .filter(pk__in_array=ids)
        .order_by("pk")
        .values_list(
            "pk",
            "is_due",
            *_NOTICE_FIELDS,
            "case__region_id",
            "case__reference",
            *(f"case__data_key__{name}" for name in _KEY_FIELDS),
        )
    )
    keys: dict[Any, DataKey] = {}
    notices = []
    for row in rows:
        pk, is_due, *values = row[: 2 + len(_NOTICE_FIELDS)]
        region_id, reference, key_id, *key = row[2 + len(_NOTICE_FIELDS) :]
        if key_id not in keys:
            keys[key_id] = DataKey(**dict(zip(_KEY_FIELDS, (key_id, *key), strict=True)))
        notice = dict(zip(_NOTICE_FIELDS, values, strict=True))
        case = _NoticeCase(region_id, reference, keys[key_id])
        notices.append(_Notice(pk=pk, is_due=bool(is_due), case=case, **notice))
    return notices


@dataclass(frozen=True)
class _Locked:
    """What delivery needs of an agreement it locked: whether the notice is still due, and who
    owns it."""

    status: str
    ladder_round: int
    owner_id: int | None
    owner_active: bool
    owner_organisation_id: int | None

    def due(self, notice: _Notice) -> bool:
        return self.status == AgreementStatus.OPEN and self.ladder_round == notice.ladder_round


def _agreements_locked(notices: list[_Notice]) -> dict[Any, _Locked]:
    ids = sorted({n.agreement_id for n in notices if n.agreement_id is not None}, key=str)
    if not ids:
        return {}
    # NO KEY: the sweep's inserts (a foreign key share lock) need not wait for this.
    locked = (
        Agreement.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in_array=ids)
        .order_by("pk")
        .values_list(
            "pk", "status", "ladder_round", "owner_id", "owner__is_active", "owner_organisation_id"
        )
    )
    return {
        pk: _Locked(status, ladder_round, owner_id, bool(active), organisation_id)
        for pk, status, ladder_round, owner_id, active, organisation_id in locked
    }


def _send_all(notices: list[_Notice], agreements: dict[Any, _Locked], now: datetime) -> None:
    """Notifications, recipient rows and the sent mark of *notices*, each in one statement."""
    rungs = Rung.objects.in_bulk({n.rung_id for n in notices})
    people = _People.of_regions({n.case.region_id for n in notices}, rungs.values())
    sent: list[tuple[_Notice, int, bool]] = []
    notes: list[tuple[int, str, str, str, str, str]] = []
    with translation.override(settings.LANGUAGE_CODE):
        messages = _Messages()
        for notice in notices:
            recipients, fallback = people.recipients(
                notice, rungs[notice.rung_id], agreements.get(notice.agreement_id)
            )
            kind, subject, body = messages.of(notice)
            link = messages.link(notice)
            reference = notice.case.reference
            for user_id in recipients:
                sent.append((notice, user_id, fallback))
                notes.append((user_id, kind, subject[:200], body, link, reference))
    created = notifications_create(notes, now=now)
    rows_insert(
        EscalationRecipient,
        ("notice_id", "user_id", "notification_id", "fallback"),
        [
            (notice.pk, user_id, note_id, fallback)
            for (notice, user_id, fallback), note_id in zip(sent, created, strict=True)
        ],
    )
    EscalationNotice.objects.filter(pk__in_array=[n.pk for n in notices]).update(
        status=NoticeStatus.SENT, sent_at=now
    )
    facts_record_each(
        FactKind.ESCALATION, cases=[(n.case, str(n.rung_number)) for n in notices], on=now
    )


@dataclass
class _People:
    """Who is who in a batch's regions, read once: active members by organisation and role, the
    organisations by kind, and the rungs' named users. Recipients are resolved from this per
    (rung, organisation), never per notice from the database."""

    members: dict[int, dict[str, set[int]]]  # organisation -> role -> user ids
    kinds: dict[tuple[int, str], set[int]]  # (region, kind) -> organisation ids
    coordinators: dict[int, set[int]]  # region -> user ids
    named: dict[int, set[int]]  # rung -> user ids
    resolved: dict[tuple[int, Any], set[int]]

    @classmethod
    def of_regions(cls, region_ids: set[int], rungs: Collection[Rung]) -> _People:
        """The people of *region_ids* that *rungs* may name: members in a role one of the rungs
        asks for, escalation officials (an inactive owner's stand-in) and coordinators (the
        fallback). Most members are professionals, whom no rung names: they are not read."""
        people = cls({}, {}, {}, {}, {})
        rung_ids = {rung.pk for rung in rungs}
        roles = {Role.ESCALATION_OFFICIAL, Role.COORDINATOR}
        for rung in rungs:
            roles.update(rung.roles or [])
        organisations = Organisation.objects.filter(region_id__in=region_ids).order_by()
        for org_id, region_id, kind in organisations.values_list("pk", "region_id", "kind"):
            people.kinds.setdefault((region_id, kind), set()).add(org_id)
        for user_id, org_id, region_id, role in Membership.objects.filter(
            organisation__region_id__in=region_ids, role__in=roles, user__is_active=True
        ).values_list("user_id", "organisation_id", "organisation__region_id", "role"):
            people.members.setdefault(org_id, {}).setdefault(role, set()).add(user_id)
            if role == Role.COORDINATOR:
                people.coordinators.setdefault(region_id, set()).add(user_id)
        named = Rung.users.through.objects.filter(rung_id__in=rung_ids, user__is_active=True)
        for rung_id, user_id in named.values_list("rung_id", "user_id"):
            people.named.setdefault(rung_id, set()).add(user_id)
        return people

    def recipients(
        self, notice: _Notice, rung: Rung, agreement: _Locked | None
    ) -> tuple[list[int], bool]:
        """Who *rung* tells for *notice* (user ids); when that is nobody, the region's
        coordinators (so a step is never lost to a gap in the configuration) and ``True``."""
        region_id = notice.case.region_id
        owner_org = agreement.owner_organisation_id if agreement else notice.organisation_id
        users: set[int] = set()
        if rung.notify_owner:
            if agreement is not None and agreement.owner_id is not None and agreement.owner_active:
                users.add(agreement.owner_id)
            elif owner_org is not None:
                users |= self._with_roles([owner_org], [Role.ESCALATION_OFFICIAL])
        key = (rung.pk, owner_org)
        if key not in self.resolved:
            organisations = _rung_organisation_ids(rung, region_id, owner_org, self.kinds)
            self.resolved[key] = self._with_roles(organisations, rung.roles or [])
            self.resolved[key] |= self.named.get(rung.pk, set())
        users |= self.resolved[key]
        if users:
            return sorted(users), False
        return sorted(self.coordinators.get(region_id, set())), True

    def _with_roles(self, organisations: Iterable[int], roles: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for org_id in organisations:
            by_role = self.members.get(org_id, {})
            for role in roles:
                found |= by_role.get(role, set())
        return found


def _rung_organisation_ids(
    rung: Rung, region_id: int, owner_org: int | None, kinds: dict[tuple[int, str], set[int]]
) -> set[int]:
    scope = rung.organisation_scope
    if scope == OrganisationScope.OWNER:
        return {owner_org} if owner_org else set()
    if scope == OrganisationScope.KIND:
        return kinds.get((region_id, rung.organisation_kind), set())
    if scope == OrganisationScope.ORGANISATION and rung.organisation_id is not None:
        return {rung.organisation_id}
    return set()


# A notice's address, made once per batch: the path reversed for a placeholder id, which each
# notice's own id then replaces (what ``reverse`` would give for it, without resolving the pattern
# for every notice).
_LINK_PLACEHOLDER = uuid.UUID(int=0)


class _Messages:
    """Kind, subject, body and link of the notices of one batch: a reference, the rung, a date.
    Never content or names. Each wording is translated and each date formatted once per batch."""

    def __init__(self) -> None:
        self._dates: dict[date, str] = {}
        self._texts: dict[str, tuple[str, str]] = {}
        self._link = reverse("scheduling:escalation-detail", args=[_LINK_PLACEHOLDER])

    def link(self, notice: _Notice) -> str:
        return self._link.replace(str(_LINK_PLACEHOLDER), str(notice.pk))

    def of(self, notice: _Notice) -> tuple[str, str, str]:
        due = notice.agreement_due_date
        if due is not None and due not in self._dates:
            self._dates[due] = date_format(due, "DATE_FORMAT")
        values = {
            "reference": notice.case.reference,
            "rung": f"{notice.rung_number} ({notice.rung_label})",
            "due": self._dates[due] if due is not None else "",
        }
        if notice.manual:
            kind = NOTIFICATION_KIND_MANUAL
        elif notice.rung_number == 0:
            kind = NOTIFICATION_KIND_REMINDER
        else:
            kind = NOTIFICATION_KIND_ESCALATION
        if kind not in self._texts:
            self._texts[kind] = _wording(kind)
        subject, body = self._texts[kind]
        return kind, subject % values, body % values


def _wording(kind: str) -> tuple[str, str]:
    """The subject and body of a notification of *kind*, in the active language."""
    if kind == NOTIFICATION_KIND_MANUAL:
        return _("Escalation by hand to rung %(rung)s: case %(reference)s"), _(
            "A coordinator escalated case %(reference)s by hand to rung %(rung)s of the "
            "escalation ladder because cooperation stalls. The reason is in the service; "
            "please acknowledge this escalation there."
        )
    if kind == NOTIFICATION_KIND_REMINDER:
        return _("Reminder: an agreement in case %(reference)s is due on %(due)s"), _(
            "An agreement in case %(reference)s is due on %(due)s. Open the service to see it "
            "and mark it done when it is."
        )
    return _("Escalation, rung %(rung)s: an agreement in case %(reference)s was due on %(due)s"), _(
        "An agreement in case %(reference)s was due on %(due)s and is still open. It has "
        "reached rung %(rung)s of the escalation ladder. Open the service to see what you "
        "may of it and acknowledge this escalation."
    )


# --- By hand, and acknowledging ---------------------------------------------------------------


@transaction.atomic
def escalation_raise(
    *,
    actor: User,
    case: Case,
    rung: Rung,
    reason: str,
    organisation: Organisation | None = None,
    agreement: Agreement | None = None,
) -> EscalationNotice:
    """A coordinator escalates *case* by hand (stagnating cooperation) to any rung, with a reason.
    Sent like the automatic ones, by a worker; never folded into them (no unique step)."""
    require_coordinator(actor, case)
    errors = _manual_errors(case, rung, reason, organisation, agreement)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    notice = EscalationNotice(
        id=uuid.uuid4(),
        case=case,
        agreement=agreement,
        ladder_round=agreement.ladder_round if agreement else 0,
        rung=rung,
        rung_number=rung.number,
        rung_name=rung.name,
        rung_name_en=rung.name_en,
        manual=True,
        organisation=organisation or (agreement.owner_organisation if agreement else None),
        raised_by=actor,
        due_at=now,
        agreement_due_date=agreement.due_date if agreement else None,
        queued_at=now,
    )
    crypto.seal(notice, "reason_ct", reason.strip(), case.data_key)
    notice.full_clean()
    notice.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="escalation",
        object_id=str(notice.pk),
        case=case,
        detail={"rung": rung.number, "manual": True},
    )
    notice_id = notice.pk
    transaction.on_commit(lambda: _enqueue_one(notice_id), robust=True)
    return notice


def _manual_errors(
    case: Case,
    rung: Rung,
    reason: str,
    organisation: Organisation | None,
    agreement: Agreement | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if rung.ladder.region_id != case.region_id or not rung.active:
        errors["rung"] = _("Choose a rung of this region's ladder.")
    if len(reason.strip()) < MIN_REASON:
        errors["reason"] = _("Give a reason of at least %d characters.") % MIN_REASON
    if organisation is not None and organisation.region_id != case.region_id:
        errors["organisation"] = _("The organisation must belong to the case's region.")
    if agreement is not None and agreement.case_id != case.pk:
        errors["agreement"] = _("The agreement must belong to this case.")
    if (
        rung.organisation_scope == OrganisationScope.OWNER
        and organisation is None
        and agreement is None
    ):
        errors["organisation"] = _(
            "This rung tells the team lead of an organisation: say which organisation's "
            "cooperation stalls, or choose an agreement."
        )
    return errors


def _enqueue_one(notice_id: uuid.UUID) -> None:
    task_queue("scheduling.tasks.deliver_escalation", str(notice_id))


@transaction.atomic
def escalation_acknowledge(*, actor: User, notice: EscalationNotice) -> Notification | None:
    """The recipient acknowledges a notice (its in-app notification); None if not a recipient.
    The figures count a notice as acknowledged once, at its first acknowledgement (the row lock
    orders recipients acknowledging at the same time)."""
    EscalationNotice.objects.select_for_update().filter(pk=notice.pk).first()
    delivery = notice.deliveries.filter(user=actor).select_related("notification").first()
    if delivery is None or delivery.notification is None:
        return None
    first = not notice.deliveries.filter(notification__acknowledged_at__isnull=False).exists()
    notification = notification_acknowledge(actor=actor, notification=delivery.notification)
    if first and notice.sent_at is not None:
        fact_record(
            FactKind.ESCALATION_ACKNOWLEDGED,
            case=notice.case,
            on=notice.sent_at,
            category=str(notice.rung_number),
        )
    return notification
