"""Celery tasks of the core. Thin: ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from mda.notifications import notification_email, notification_emails_queue_pending
from mda.services import heartbeat_record


@shared_task(name="mda.tasks.record_heartbeat", ignore_result=True)
def record_heartbeat() -> None:
    """Scheduled by beat, run by a worker: proves the whole beat -> broker -> worker path."""
    heartbeat_record(name="worker")


@shared_task(name="mda.tasks.seal_audit", ignore_result=True)
def seal_audit() -> None:
    """Scheduled by beat: chain the audit events that committed since the last run. A run that
    finds another sealer busy returns at once (single-flight, mda/audit.py)."""
    from mda.audit import audit_seal_all

    audit_seal_all()


@shared_task(
    name="mda.tasks.send_notification_email",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(OSError,),  # the outbox released the claim: retry with back-off
    retry_backoff=True,
    max_retries=5,
)
def send_notification_email(notification_id: int) -> None:
    notification_email(notification_id=notification_id)


@shared_task(name="mda.tasks.sweep_notification_emails", ignore_result=True)
def sweep_notification_emails() -> None:
    """Catch up e-mails that were never queued (broker down) or whose worker died mid-send."""
    notification_emails_queue_pending()
