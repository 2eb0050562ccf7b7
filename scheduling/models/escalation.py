"""The escalation ladder (opschaling) per region and the notices sent up it.

A region's :class:`Ladder` has :class:`Rung` rows: *when* (working days before or after an
agreement's due date, at the ladder's local send time) and *who* (the owner, a role at an
organisation, named users). The sweep (``scheduling.services.escalation``) turns what is due into
:class:`EscalationNotice` rows; the unique constraint on (agreement, ladder round, rung) is what
makes each step happen once, whatever runs twice. Notices carry no content; a manual escalation's
reason is encrypted with the case's data key.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from casework.models import Agreement, Case
from mda.models import Organisation, OrganisationKind, Region, Role
from mda.models.base import Model

MAX_OFFSET = 60


def rung_label(name: str, name_en: str) -> str:
    """A rung's Dutch name, or its English label for a reader who uses English."""
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


class Ladder(Model):
    region = models.OneToOneField(
        Region,
        on_delete=models.CASCADE,
        related_name="escalation_ladder",
        verbose_name=_("region"),
    )
    send_time = models.TimeField(
        _("send time"),
        default=time(9, 0),
        help_text=_(
            "Local time (Europe/Amsterdam) on a working day at which reminders and "
            "escalations become due."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["region__name"]
        verbose_name = _("escalation ladder")
        verbose_name_plural = _("escalation ladders")

    def __str__(self) -> str:
        return str(_("Escalation ladder of %(region)s") % {"region": self.region})


class OrganisationScope(models.TextChoices):
    NONE = "", _("No organisation")
    OWNER = "owner", _("The organisation that owns the agreement")
    KIND = "kind", _("Every organisation of a kind in the region")
    ORGANISATION = "organisation", _("One organisation")


class Rung(Model):
    """One step of the ladder: who is told, and when."""

    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="rungs")
    number = models.PositiveSmallIntegerField(
        _("rung"),
        validators=[MaxValueValidator(20)],
        help_text=_("0 is the reminder to the owner; higher rungs escalate further."),
    )
    name = models.CharField(
        _("name (Dutch)"),
        max_length=100,
        help_text=_("As the region calls this rung, for example 'Teamleider lokaal team'."),
    )
    name_en = models.CharField(
        _("name (English)"),
        max_length=100,
        blank=True,
        help_text=_("Shown to people who use the service in English; empty: the Dutch name."),
    )
    offset_working_days = models.SmallIntegerField(
        _("working days after the due date"),
        validators=[MinValueValidator(-MAX_OFFSET), MaxValueValidator(MAX_OFFSET)],
        help_text=_(
            "Negative: before the due date. Weekends and Dutch public holidays do not count."
        ),
    )
    notify_owner = models.BooleanField(_("tell the owner"), default=False)
    organisation_scope = models.CharField(
        _("tell people at"),
        max_length=20,
        choices=OrganisationScope.choices,
        blank=True,
        default=OrganisationScope.NONE,
    )
    organisation_kind = models.CharField(
        _("organisation kind"), max_length=40, choices=OrganisationKind.choices, blank=True
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    roles = models.JSONField(
        _("with the roles"),
        default=list,
        blank=True,
        help_text=_("The roles at those organisations who are told."),
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("named users")
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Switch a rung off instead of deleting it: its history stays."),
    )

    class Meta:
        ordering = ["ladder", "number", "offset_working_days"]
        verbose_name = _("rung")
        verbose_name_plural = _("rungs")
        constraints = [
            models.UniqueConstraint(
                fields=["ladder", "number", "offset_working_days"], name="rung_unique_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.label}"

    @property
    def label(self) -> str:
        """The rung's name in the language of the reader."""
        return rung_label(self.name, self.name_en)

    @property
    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(role, role)) for role in self.roles or []]

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        unknown = [r for r in self.roles or [] if r not in Role.values]
        if not isinstance(self.roles, list) or unknown:
            errors["roles"] = _("Choose roles from the list.")
        if self.organisation_scope and not self.roles:
            errors["roles"] = _("Say which roles at the organisation are told.")
        if self.organisation_scope == OrganisationScope.KIND and not self.organisation_kind:
            errors["organisation_kind"] = _("Choose the kind of organisation.")
        if self.organisation_scope == OrganisationScope.ORGANISATION:
            if self.organisation is None:
                errors["organisation"] = _("Choose the organisation.")
            elif self.ladder_id and self.organisation.region_id != self.ladder.region_id:
                errors["organisation"] = _("The organisation must belong to the ladder's region.")
        if errors:
            raise ValidationError(errors)


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Not sent: the agreement was resolved or moved")


class EscalationNotice(Model):
    """A reminder or escalation: created (claimed) by the sweep or by a coordinator, then sent
    once by a worker. Holds no content; ``reason_ct`` (manual escalations) is encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalation_notices")
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="escalation_notices",
    )
    ladder_round = models.PositiveIntegerField(default=0)
    rung = models.ForeignKey(Rung, on_delete=models.PROTECT, related_name="notices")
    # Copied when created, so the history reads as it was sent even after the ladder changes.
    rung_number = models.PositiveSmallIntegerField(_("rung"))
    rung_name = models.CharField(_("rung name"), max_length=100)
    rung_name_en = models.CharField(_("rung name (English)"), max_length=100, blank=True)
    manual = models.BooleanField(_("by hand"), default=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation concerned"),
    )
    reason_ct = models.BinaryField(_("reason (encrypted)"), null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due at"))
    agreement_due_date = models.DateField(_("agreement due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    recipients: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="EscalationRecipient", related_name="escalation_notices"
    )

    # Set by scheduling.access.escalation_notices_visible_to for the user who loaded it.
    as_recipient: bool = False
    agreement_visible: bool = False
    reason_visible: bool = False
    # Set by the escalation selectors: when that user acknowledged it, and their notification.
    my_acknowledged_at: datetime | None = None
    my_notification: uuid.UUID | None = None

    class Meta:
        ordering = ["-due_at", "-rung_number"]
        verbose_name = _("escalation notice")
        verbose_name_plural = _("escalation notices")
        constraints = [
            # The last line of defence: one notice per (agreement, round, rung), ever.
            models.UniqueConstraint(
                fields=["agreement", "ladder_round", "rung"],
                condition=Q(manual=False),
                name="escalation_notice_once_per_step",
            ),
            models.CheckConstraint(
                condition=Q(manual=True) | Q(agreement__isnull=False),
                name="escalation_notice_automatic_has_agreement",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="escalation_notice_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.rung_number} {self.rung_name}"

    @property
    def rung_label(self) -> str:
        """The rung's name as it was when the notice was made, in the reader's language."""
        return rung_label(self.rung_name, self.rung_name_en)


class EscalationRecipient(Model):
    """Who a notice went to, and the in-app notification (with its e-mail) that told them."""

    # No index of its own: the unique (notice, user) index serves every look-up by notice.
    notice = models.ForeignKey(
        EscalationNotice, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notification = models.OneToOneField(
        "mda.Notification", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fallback = models.BooleanField(
        default=False, help_text=_("Told because the rung found nobody to tell.")
    )

    class Meta:
        verbose_name = _("escalation recipient")
        verbose_name_plural = _("escalation recipients")
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="escalation_recipient_once"),
        ]

    def __str__(self) -> str:
        return f"{self.notice} → {self.user}"
