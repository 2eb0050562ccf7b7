from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core import mail

from mda.models import Notification
from mda.notifications import (
    notification_email,
    notification_emails_pending,
    notification_send,
    notifications_create,
)
from tests.conftest import Cast


def _send(cast: Cast, django_capture_on_commit_callbacks: Any) -> list[Notification]:
    with django_capture_on_commit_callbacks(execute=False):
        return notification_send(
            recipients=[cast.police.user, cast.police.user, cast.care.user],
            kind="test",
            subject="Triage decision for MDA-2026-0001",
            body="A decision was made.",
            link="/cases/",
            case_reference="MDA-2026-0001",
        )


def test_a_notification_reaches_each_recipient_once(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    sent = _send(cast, django_capture_on_commit_callbacks)
    assert sorted(n.recipient.username for n in sent) == ["care", "police"]


def test_its_email_is_sent_exactly_once_with_a_link(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    sent = _send(cast, django_capture_on_commit_callbacks)
    assert notification_email(notification_id=sent[0].pk) is True
    assert notification_email(notification_id=sent[0].pk) is False
    assert len(mail.outbox) == 1
    assert "MDA-2026-0001" in mail.outbox[0].subject
    assert "/cases/" in mail.outbox[0].body


def test_unsent_emails_are_caught_up_by_the_sweep(
    cast: Cast, time_machine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    time_machine.move_to("2026-11-23 10:00:00+00:00")
    sent = _send(cast, django_capture_on_commit_callbacks)
    time_machine.move_to("2026-11-23 10:05:00+00:00")
    assert set(notification_emails_pending()) == {n.pk for n in sent}


@pytest.mark.parametrize("channel", ["api", "web"])
def test_only_the_recipient_sees_and_acknowledges_a_notification(
    channel: str, cast: Cast, api: Any, web: Any, django_capture_on_commit_callbacks: Any
) -> None:
    note = _send(cast, django_capture_on_commit_callbacks)[0]
    owner, other = note.recipient.username, "coordinator"
    if channel == "api":
        assert api(other).get("/api/v1/notifications/").json()["results"] == []
        url = f"/api/v1/notifications/{note.uuid}/acknowledge/"
        assert api(other).post(url).status_code == 404
        assert api(owner).post(url).status_code == 200
    else:
        assert note.subject not in web(other).get("/notifications/").content.decode()
        url = f"/notifications/{note.uuid}/acknowledge/"
        assert web(other).post(url).status_code == 404
        assert web(owner).post(url).status_code == 302
    note.refresh_from_db()
    assert note.acknowledged_at is not None


@pytest.mark.parametrize(("timeout_seconds", "sent_again"), [(600, False), (60, True)])
def test_an_email_whose_worker_died_in_smtp_is_sent_again_after_the_claim_timeout(
    timeout_seconds: int,
    sent_again: bool,
    cast: Cast,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    time_machine: Any,
) -> None:
    settings.MDA_EMAIL_CLAIM_TIMEOUT_SECONDS = timeout_seconds
    time_machine.move_to("2026-06-01T10:00:00+02:00", tick=False)
    note = _send(cast, django_capture_on_commit_callbacks)[0]
    # A worker claimed it and died before marking it sent, two minutes ago.
    Notification.objects.filter(pk=note.pk).update(email_claimed_at=note.created_at)
    time_machine.move_to("2026-06-01T10:02:00+02:00", tick=False)

    assert (note.pk in notification_emails_pending()) is sent_again
    assert notification_email(notification_id=note.pk) is sent_again


def test_workers_and_beat_keep_retrying_the_broker_from_start_up_on() -> None:
    from config.celery import app

    assert app.conf.broker_connection_retry_on_startup is True
    assert app.conf.broker_connection_retry is True
    assert app.conf.broker_connection_max_retries is None  # Celery's default gives up after 100


def test_a_batch_of_ready_made_notifications_gets_its_ids_in_order_and_queues_its_emails(
    cast: Cast, django_capture_on_commit_callbacks: Any, time_machine: Any
) -> None:
    """The batch path of the escalation workers (``mda.bulk``: COPY on PostgreSQL)."""
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    rows = [
        (user.pk, "agreement_reminder", f"Reminder {i}", f"Body {i}", f"/e/{i}/", f"MDA-{i}")
        for i, user in enumerate([cast.police.user, cast.care.user, cast.police.user])
    ]
    # What COPY's text format escapes arrives as it was written.
    rows[2] = (*rows[2][:3], "Tab\there,\nline \\N and \\. é", *rows[2][4:])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        ids = notifications_create(rows, now=now)
    stored = Notification.objects.in_bulk(ids)
    assert len(set(ids)) == 3
    for note_id, (user_id, kind, subject, body, link, reference) in zip(ids, rows, strict=True):
        note = stored[note_id]
        assert (note.recipient_id, note.kind, note.subject, note.body) == (
            user_id,
            kind,
            subject,
            body,
        )
        assert (note.link, note.case_reference, note.created_at) == (link, reference, now)
    assert len(queued) == 1  # their e-mails are handed to the worker after commit
    time_machine.move_to(datetime(2026, 12, 3, 9, 5, tzinfo=UTC), tick=False)
    assert set(notification_emails_pending()) == set(ids)
    assert notification_email(notification_id=ids[1]) is True
    assert mail.outbox[0].subject == "[MDA++] Reminder 1"
    assert notifications_create([], now=now) == []
