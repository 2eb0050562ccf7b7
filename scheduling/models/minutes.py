"""Minutes per agenda slot (sealed with the case's data key) and the attendance of each
organisation."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mda.models import Organisation
from scheduling.models.agendas import AgendaItem
from scheduling.models.meetings import Meeting


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    APOLOGY = "apology", _("Apology")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organisation"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.status}"


class ItemMinutes(models.Model):
    """The minutes of one case at one meeting. Free text only as ciphertext (case data key)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="minutes")
    shared_views_ct = models.BinaryField(_("shared views (encrypted)"), null=True, blank=True)
    decisions_ct = models.BinaryField(_("decisions (encrypted)"), null=True, blank=True)
    case_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case director"),
    )
    case_director_confirmed = models.BooleanField(_("case director confirmed"), default=False)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"minutes of {self.item_id}"
