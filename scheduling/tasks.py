"""Celery tasks of scheduling. Thin: ids in, one service call, idempotent (see the exactly-once
notes in ``scheduling.services.escalation``). Time-driven work is the beat sweep, never ETA
tasks."""

from __future__ import annotations

import logging
import uuid

from celery import shared_task
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

# What a broker that is down raises on publish (redis-py's errors are OSError subclasses or wrapped
# in kombu's OperationalError).
BROKER_DOWN = (KombuError, OSError)


@shared_task(name="scheduling.tasks.sweep_escalations", ignore_result=True)
def sweep_escalations() -> None:
    """Every minute (beat): claim what is due, then hand the pending notices to workers."""
    from scheduling import services

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
    from scheduling import services

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
    """Send a delivery task per id; the number the broker took."""
    for count, notice_id in enumerate(ids):
        try:
            deliver_escalation.apply_async((str(notice_id),), retry=False)
        except BROKER_DOWN:
            logger.warning(
                "broker unavailable: %d escalation notices left for the next sweep",
                len(ids) - count,
            )
            return count
    return len(ids)


@shared_task(name="scheduling.tasks.deliver_escalation", ignore_result=True, acks_late=True)
def deliver_escalation(notice_id: str) -> str:
    from scheduling.services import escalation_deliver

    return escalation_deliver(notice_id=notice_id)
