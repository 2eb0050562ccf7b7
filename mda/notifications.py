"""Sending notifications: a row per recipient in the same transaction as the event, and the
e-mail after commit by a Celery task that claims the row first (a sweep retries stale claims)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from mda.models import Notification, User

CLAIM_TIMEOUT = timedelta(minutes=10)


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
    transaction.on_commit(lambda: _enqueue(ids))
    return created


def notifications_create(rows: list[Notification]) -> list[Notification]:
    """Insert ready-made notifications in one statement (a batch of reminders); their e-mails are
    queued after commit. The caller deduplicates and keeps subjects within 200 characters."""
    created = Notification.objects.bulk_create(rows)
    if any(n.pk is None for n in created):  # a backend that does not return ids
        ids = dict(
            Notification.objects.filter(uuid__in=[n.uuid for n in rows]).values_list("uuid", "pk")
        )
        for note in created:
            note.pk = ids[note.uuid]
    ids_sent = [n.pk for n in created]
    transaction.on_commit(lambda: _enqueue(ids_sent))
    return created


def _enqueue(ids: list[int]) -> None:
    from mda.tasks import send_notification_email

    for notification_id in ids:
        send_notification_email.delay(notification_id)


def notification_email(*, notification_id: int) -> bool:
    """Send one notification's e-mail, once: claim, send, mark. False when nothing to do."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - CLAIM_TIMEOUT),
        pk=notification_id,
        emailed_at__isnull=True,
    ).update(email_claimed_at=now)
    if claimed != 1:
        return False
    note = Notification.objects.select_related("recipient").get(pk=notification_id)
    if note.recipient.email:
        link = f"{settings.MDA_BASE_URL}{note.link}" if note.link else settings.MDA_BASE_URL
        send_mail(
            subject=f"[MDA++] {note.subject}",
            message=f"{note.body}\n\n{link}\n",
            from_email=None,
            recipient_list=[note.recipient.email],
        )
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
    return True


def notification_emails_pending() -> list[int]:
    """Notifications whose e-mail was never sent or whose claim went stale (a crashed worker)."""
    stale = timezone.now() - CLAIM_TIMEOUT
    return list(
        Notification.objects.filter(emailed_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale))
        .filter(created_at__lt=timezone.now() - timedelta(minutes=1))
        .values_list("pk", flat=True)[:500]
    )


@transaction.atomic
def notification_acknowledge(*, actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionError("not the recipient")
    if notification.acknowledged_at is None:
        notification.acknowledged_at = timezone.now()
        notification.save(update_fields=["acknowledged_at"])
    return notification


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at")
