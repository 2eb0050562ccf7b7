"""Invitations per organisation and agenda slot, the e-mails that carry them and personal
calendar feeds.

What each organisation was sent about a slot is an :class:`Invitation` (stable iCalendar UID per
item, SEQUENCE per organisation, a fingerprint of what it was told); each e-mail is an
:class:`InvitationMessage` (a row of the outbox, ``mda.outbox``) holding one
:class:`InvitationLine` (one .ics attachment) per slot.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mda.models import Organisation
from mda.models.base import Model
from scheduling.models.agendas import AgendaItem
from scheduling.models.meetings import Meeting


class InvitationResponse(models.TextChoices):
    ATTENDING = "attending", _("Attending")
    APOLOGY = "apology", _("Apology")
    WRITTEN = "written", _("Information sent in writing")


class Invitation(Model):
    """What one organisation was last sent about one slot, and its answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meeting_invitations"
    )
    sequence = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64)
    cancelled = models.BooleanField(default=False)
    response = models.CharField(
        _("response"), max_length=20, choices=InvitationResponse.choices, blank=True
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["item", "organisation"], name="invitation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.item}"


class InvitationMethod(models.TextChoices):
    REQUEST = "REQUEST", _("Invitation or update")
    CANCEL = "CANCEL", _("Cancellation")


class InvitationMessage(Model):
    """One e-mail to one organisation; sent once by a worker after a claim."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="messages")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="invitation_unsent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.meeting}"


class InvitationLine(Model):
    """One calendar attachment of a message: a REQUEST or CANCEL for one slot."""

    message = models.ForeignKey(InvitationMessage, on_delete=models.CASCADE, related_name="lines")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="lines")
    method = models.CharField(max_length=10, choices=InvitationMethod.choices)
    sequence = models.PositiveIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            # The last line of defence: each revision is sent to an organisation once.
            models.UniqueConstraint(fields=["invitation", "sequence"], name="invitation_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.sequence} · {self.invitation}"


class CalendarFeed(Model):
    """A personal calendar subscription. Only a SHA-256 digest of the secret token is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendar_feed_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
