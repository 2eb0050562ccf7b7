"""Agendas: the cases on a meeting's agenda, each with its time slot.

An :class:`AgendaItem` is one case's slot; its times are stored (UTC) and recomputed from the
order and slot lengths on every change.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Case, CaseStatus
from mda.models.base import Model
from scheduling.models.meetings import DEFAULT_SLOT_MINUTES, Meeting

# Cases in these statuses cannot come on an agenda.
INACTIVE_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.DECLINED, CaseStatus.ADVICE_ONLY})


class ItemReason(models.TextChoices):
    ACCEPTED = "accepted", _("Newly accepted case")
    AGREEMENTS_OVERDUE = "agreements_overdue", _("Overdue agreements")
    ESCALATED = "escalated", _("Escalated agreements")
    REVIEW_DUE = "review_due", _("Due for periodic review")
    CHECK_IN = "check_in", _("Follow-up check-in")
    REPEAT = "repeat", _("Repeat (new referral or incident)")
    COORDINATOR = "coordinator", _("Added by the coordinator")
    EMERGENCY = "emergency", _("Emergency")


class AgendaItemQuerySet(models.QuerySet["AgendaItem"]):
    def current(self) -> AgendaItemQuerySet:
        return self.filter(removed_at__isnull=True)


class AgendaItem(Model):
    """One case's slot on a meeting's agenda. Its iCalendar UID is derived from the id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot (minutes)"),
        default=DEFAULT_SLOT_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=30, choices=ItemReason.choices)
    information_deadline = models.DateTimeField(
        _("information deadline"),
        null=True,
        blank=True,
        help_text=_("Empty: the meeting's deadline."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Claimed once by the sweep that reminds the organisations yet to contribute
    # (scheduling.services.contributions).
    contributions_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AgendaItemQuerySet.as_manager()

    # Set by scheduling.access.agenda_items_visible_to.
    as_coordinator: bool = False

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "case"],
                condition=Q(removed_at__isnull=True),
                name="agenda_item_case_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} @ {self.meeting}"

    @property
    def deadline(self) -> datetime | None:
        return self.information_deadline or self.meeting.information_deadline
