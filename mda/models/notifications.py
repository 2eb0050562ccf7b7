"""In-app notifications, also sent by e-mail. They carry no personal data: a reference, what
happened, and a link into the service, where the access policy decides what the reader sees."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mda.models.base import Model


class Notification(Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No index of its own: notification_inbox (recipient first) serves every look-up by recipient.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=2000)
    link = models.CharField(_("link"), max_length=300, blank=True)
    case_reference = models.CharField(_("case"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # A user's notifications newest first, page by page (keyset).
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.subject
