"""Celery tasks of scheduling. Thin: ids in, one service call, idempotent (see the exactly-once
notes in ``scheduling.services.escalation``). Time-driven work is the beat sweep, never ETA
tasks."""

from __future__ import annotations

import logging
import uuid

from celery import shared_task
from django.conf import settings

from mda.outbox import BROKER_DOWN
from scheduling import services
from scheduling.services import contributions, invitations, meetings

logger = logging.getLogger(__name__)

# Notices per delivery message, sent by the worker in one transaction: fewer messages and
# statements, and a crash rolls back at most this many (they stay pending and are queued again).
# Each batch pays a fixed part (the region's people and rungs, the commit); on bench/sweep.py with
# one worker, 1,000 delivers about a tenth faster than 500 (medians of eight rounds taken in turns:
# 6,150/s and 5,597/s), 500 a quarter faster than 250, and 2,000 no faster than 1,000. Its
# transaction holds the batch's agreements for 0.13-0.26 s. A backlog goes out in as many
# messages as it needs, so the workers share it. The sweep claims one message's worth at a time.
DELIVERY_BATCH = services.escalation.DISPATCH_BATCH


def delivery_batch() -> int:
    """Notices per delivery message: DELIVERY_BATCH, unless the settings name another number
    (``MDA_ESCALATION_DELIVERY_BATCH``; the crash tests use small batches, so that a worker
    killed while sending is killed between two of them)."""
    configured = getattr(settings, "MDA_ESCALATION_DELIVERY_BATCH", None)
    return DELIVERY_BATCH if configured is None else int(configured)


@shared_task(name="scheduling.tasks.sweep_escalations", ignore_result=True)
def sweep_escalations() -> None:
    """Every minute (beat): claim what is due, then hand the pending notices to workers."""
    result = services.escalations_sweep()
    queued = dispatch_pending()
    if result.claimed or result.cancelled or queued:
        logger.info(
            "escalation sweep: %d due, %d cancelled, %d queued",
            result.claimed,
            result.cancelled,
            queued,
        )


def dispatch_pending() -> int:
    """Queue every pending notice that needs it, batch by batch; stop when the broker fails
    (the notices stay pending and the next sweep tries again)."""
    queued = 0
    while True:
        ids = services.escalations_claim_for_dispatch()
        if not ids:
            return queued
        sent = publish(ids)
        queued += sent
        if sent < len(ids):
            services.escalations_unqueue(ids[sent:])
            return queued
        if len(ids) < services.escalation.DISPATCH_BATCH:
            return queued


def publish(ids: list[uuid.UUID]) -> int:
    """Hand the ids to workers, ``delivery_batch()`` per message; the number the broker took."""
    size = delivery_batch()
    for start in range(0, len(ids), size):
        chunk = [str(notice_id) for notice_id in ids[start : start + size]]
        try:
            deliver_escalations.apply_async((chunk,), retry=False)
        except BROKER_DOWN:
            logger.warning(
                "broker unavailable: %d escalation notices left for the next sweep",
                len(ids) - start,
            )
            return start
    return len(ids)


@shared_task(name="scheduling.tasks.deliver_escalations", ignore_result=True, acks_late=True)
def deliver_escalations(notice_ids: list[str]) -> dict[str, int]:
    """Send each notice once, the batch in one transaction (a crash rolls it back whole)."""
    return services.escalations_deliver(notice_ids=notice_ids)


@shared_task(name="scheduling.tasks.deliver_escalation", ignore_result=True, acks_late=True)
def deliver_escalation(notice_id: str) -> str:
    """One notice (a coordinator's manual escalation, queued when it is made)."""
    return services.escalation_deliver(notice_id=notice_id)


# --- Meetings ---


@shared_task(name="scheduling.tasks.sweep_meetings", ignore_result=True)
def sweep_meetings() -> None:
    """Every few minutes (beat): plan the series' meetings ahead, bring invitations in line with
    changed participations, and queue invitation e-mails that never reached a worker."""
    created = meetings.meetings_generate_all()
    synced = invitations.invitations_sync_upcoming()
    queued = invitations.OUTBOX.queue_pending()
    if created or synced or queued:
        logger.info(
            "meeting sweep: %d planned, %d e-mails made, %d queued", created, synced, queued
        )


@shared_task(
    name="scheduling.tasks.send_invitation_message",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_invitation_message(message_id: str) -> None:
    """Send one invitation e-mail (claimed once through the outbox; an OSError released the
    claim and retries with back-off)."""
    invitations.invitation_message_send(message_id=message_id)


# --- Partner contributions ---


@shared_task(name="scheduling.tasks.sweep_contribution_reminders", ignore_result=True)
def sweep_contribution_reminders() -> None:
    """Every few minutes (beat): remind, once per slot, the invited organisations that have not
    submitted their contribution, one working day before the information deadline."""
    reminded = contributions.contribution_reminders_sweep()
    if reminded:
        logger.info("contribution reminders: %d organisations reminded", reminded)
