"""One outbox for every e-mail the service sends: notifications and meeting invitations.

A message is a row, written in the same transaction as the event that causes it. After commit,
one Celery task per row is queued by its registered name (services never import tasks). The task
delivers the row:

1. claim it by a conditional update: not sent, and not claimed, or claimed longer than
   ``claim_timeout()`` ago (by a worker that died); only the worker whose update changed one row
   goes on;
2. send the e-mail;
3. mark the row sent.

An SMTP or network error (``OSError``) releases the claim and re-raises, so the task retries with
back-off. A sweep queues what is pending: rows never queued (the broker was down) and rows whose
claim went stale.

Exactly once for the row: one claim at a time, marked sent once. The e-mail itself is at least
once: a worker killed between SMTP and marking the row leaves a stale claim, and the mail goes out
again after ``claim_timeout()``. A repeated e-mail is better than a missing one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

# What a broker that is down raises on publish (redis-py's errors are OSError subclasses or
# wrapped in kombu's OperationalError).
BROKER_DOWN = (KombuError, OSError)


def claim_timeout() -> timedelta:
    """How long a claimed e-mail waits before another worker sends it (the first died between
    handing it to SMTP and marking it sent): ``MDA_EMAIL_CLAIM_TIMEOUT_SECONDS``."""
    return timedelta(seconds=settings.MDA_EMAIL_CLAIM_TIMEOUT_SECONDS)


def task_queue(name: str, *args: Any) -> bool:
    """Queue the Celery task *name*; False (logged) when the broker does not take it."""
    try:
        current_app.send_task(name, args=args, retry=False)
    except BROKER_DOWN:
        logger.warning("broker unavailable: %s left for its sweep", name)
        return False
    return True


@dataclass(frozen=True)
class Outbox:
    model: type[models.Model]
    task: str  # the registered name of the task that delivers one row
    claimed_field: str = "claimed_at"
    sent_field: str = "sent_at"
    # None: the setting MDA_EMAIL_CLAIM_TIMEOUT_SECONDS (default 10 minutes), read when used.
    claim_timeout: timedelta | None = None
    # Rows younger than this are left to the task queued on commit, not to the sweep.
    settle: timedelta = timedelta(minutes=1)
    batch: int = 500

    def _unsent(self) -> Q:
        return Q(**{f"{self.sent_field}__isnull": True})

    def _free(self) -> Q:
        stale = timezone.now() - (self.claim_timeout or claim_timeout())
        return Q(**{f"{self.claimed_field}__isnull": True}) | Q(
            **{f"{self.claimed_field}__lt": stale}
        )

    def claim(self, pk: Any) -> bool:
        claimed = self.model._default_manager.filter(self._free(), self._unsent(), pk=pk).update(
            **{self.claimed_field: timezone.now()}
        )
        return claimed == 1

    def release(self, pk: Any) -> None:
        self.model._default_manager.filter(self._unsent(), pk=pk).update(
            **{self.claimed_field: None}
        )

    def deliver(
        self,
        pk: Any,
        send: Callable[[], None],
        after: Callable[[], None] | None = None,
    ) -> bool:
        """Claim, *send*, mark sent (with *after* in the same transaction). False when there was
        nothing to do: sent already, or claimed by another worker less than claim_timeout ago."""
        if not self.claim(pk):
            return False
        try:
            send()
        except OSError:
            self.release(pk)
            raise
        with transaction.atomic():
            self.model._default_manager.filter(pk=pk).update(**{self.sent_field: timezone.now()})
            if after is not None:
                after()
        return True

    def pending(self) -> list[Any]:
        """Rows never sent whose claim is free or stale (broker down, worker died)."""
        settled = timezone.now() - self.settle
        return list(
            self.model._default_manager.filter(self._unsent(), self._free())
            .filter(created_at__lt=settled)
            .values_list("pk", flat=True)[: self.batch]
        )

    def queue(self, ids: Iterable[Any]) -> int:
        """Queue a delivery task per row; stop at the first broker error (the sweep catches up).
        Returns how many were queued."""
        queued = 0
        for pk in ids:
            if not task_queue(self.task, pk if isinstance(pk, int) else str(pk)):
                break
            queued += 1
        return queued

    def queue_on_commit(self, ids: list[Any]) -> None:
        transaction.on_commit(lambda: self.queue(ids))

    def queue_pending(self) -> int:
        """The sweep: queue what is pending."""
        return self.queue(self.pending())
