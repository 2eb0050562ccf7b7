from __future__ import annotations

from celery import shared_task

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
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_email(notification_id: int) -> None:
    from mda.notifications import notification_email

    try:
        notification_email(notification_id=notification_id)
    except OSError:
        # Release the claim so the retry (or the sweep) can send it.
        from mda.models import Notification

        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
            email_claimed_at=None
        )
        raise


@shared_task(name="mda.tasks.sweep_notification_emails", ignore_result=True)
def sweep_notification_emails() -> None:
    """Catch up e-mails that were never queued (broker down) or whose worker died mid-send."""
    from mda.notifications import notification_emails_pending

    for notification_id in notification_emails_pending():
        send_notification_email.delay(notification_id)
