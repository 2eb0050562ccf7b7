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
# Notices per delivery message, sent by the worker in one transaction: fewer messages and
# statements, and a crash rolls back at most this many (they stay pending and are queued again).
DELIVERY_BATCH = 100


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
    """Hand the ids to workers, DELIVERY_BATCH per message; the number the broker took."""
    for start in range(0, len(ids), DELIVERY_BATCH):
        chunk = [str(notice_id) for notice_id in ids[start : start + DELIVERY_BATCH]]
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
    from scheduling.services import escalations_deliver

    return escalations_deliver(notice_ids=notice_ids)


@shared_task(name="scheduling.tasks.deliver_escalation", ignore_result=True, acks_late=True)
def deliver_escalation(notice_id: str) -> str:
    """One notice (a coordinator's manual escalation, queued when it is made)."""
    from scheduling.services import escalation_deliver

    return escalation_deliver(notice_id=notice_id)


# --- Meetings (issue 5) ---


@shared_task(name="scheduling.tasks.sweep_meetings", ignore_result=True)
def sweep_meetings() -> None:
    """Every few minutes (beat): plan the series' meetings ahead, bring invitations in line with
    changed participations, and queue invitation e-mails that never reached a worker."""
    from scheduling.services import invitations, meetings

    created = meetings.meetings_generate_all()
    synced = invitations.invitations_sync_upcoming()
    queued = 0
    for message_id in invitations.invitation_messages_pending():
        try:
            send_invitation_message.apply_async((str(message_id),), retry=False)
        except BROKER_DOWN:
            logger.warning("broker unavailable: invitation e-mails left for the next sweep")
            break
        queued += 1
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
    """Send one invitation e-mail (claimed once; see ``scheduling.services.invitations``)."""
    from scheduling.models import InvitationMessage
    from scheduling.services.invitations import invitation_message_send

    try:
        invitation_message_send(message_id=message_id)
    except OSError:
        # Release the claim so the retry (or the sweep) can send it.
        InvitationMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
            claimed_at=None
        )
        raise
