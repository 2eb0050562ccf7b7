"""Sending notifications: a row per recipient in the same transaction as the event, and its
e-mail through the outbox (``mda.outbox``): after commit, claimed once, a sweep for the rest."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from mda.bulk import rows_insert
from mda.models import Notification, User
from mda.outbox import Outbox

OUTBOX = Outbox(
    model=Notification,
    task="mda.tasks.send_notification_email",
    claimed_field="email_claimed_at",
    sent_field="emailed_at",
)


def notification_send(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    case_reference: str = "",
) -> list[Notification]:
    """Notify *recipients* (deduplicated). Subject and body must hold no personal data."""
    rows = []
    seen: set[int] = set()
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        note = Notification(
            recipient=user,
            kind=kind,
            subject=subject[:200],
            body=body,
            link=link,
            case_reference=case_reference,
        )
        note.full_clean()
        rows.append(note)
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None] or [
        n.pk for n in Notification.objects.filter(uuid__in=[r.uuid for r in rows])
    ]
    OUTBOX.queue_on_commit(ids)
    return created


#: What a ready-made notification gives (``notifications_create``), in this order.
NOTIFICATION_FIELDS = ("recipient_id", "kind", "subject", "body", "link", "case_reference")


def notifications_create(
    rows: Sequence[tuple[int, str, str, str, str, str]], *, now: datetime
) -> list[int]:
    """Insert ready-made notifications of one batch (reminders), each the values of
    ``NOTIFICATION_FIELDS``, created at *now*, in one statement (``mda.bulk``); their ids in the
    order of *rows*. Their e-mails are queued after commit. The caller deduplicates and keeps
    subjects within 200 characters."""
    ids = rows_insert(
        Notification,
        ("uuid", *NOTIFICATION_FIELDS, "created_at"),
        [(uuid.uuid4(), *row, now) for row in rows],
        keys=True,
    )
    OUTBOX.queue_on_commit(ids)
    return ids


def notification_email(*, notification_id: int | str) -> bool:
    """Send one notification's e-mail, once (``Outbox.deliver``). False when nothing to do."""

    def send() -> None:
        note = Notification.objects.select_related("recipient").get(pk=notification_id)
        if note.recipient.email:
            link = f"{settings.MDA_BASE_URL}{note.link}" if note.link else settings.MDA_BASE_URL
            send_mail(
                subject=f"[MDA++] {note.subject}",
                message=f"{note.body}\n\n{link}\n",
                from_email=None,
                recipient_list=[note.recipient.email],
            )

    return OUTBOX.deliver(notification_id, send)


def notification_emails_pending() -> list[int]:
    """Notifications whose e-mail was never sent or whose claim went stale (a crashed worker)."""
    return OUTBOX.pending()


def notification_emails_queue_pending() -> int:
    """The sweep: queue every e-mail that is pending."""
    return OUTBOX.queue_pending()


@transaction.atomic
def notification_acknowledge(*, actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionError("not the recipient")
    if notification.acknowledged_at is None:
        notification.acknowledged_at = timezone.now()
        notification.save(update_fields=["acknowledged_at"])
    return notification
