"""Minutes per agenda slot (sealed with the case's data key), the drafts kept while they are
typed, and the attendance of each organisation: per slot, and per meeting derived from the slots."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mda.models import Organisation
from mda.models.base import Model
from scheduling.models.agendas import AgendaItem
from scheduling.models.meetings import Meeting


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    APOLOGY = "apology", _("Apology")
    ABSENT = "absent", _("Absent")


class Attendance(Model):
    """An organisation's attendance at the whole meeting. Recorded per slot (SlotAttendance) and
    derived from those: present at any slot is present; else an apology; else absent."""

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


class SlotAttendance(Model):
    """An invited organisation's attendance at one case's slot."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="attendance")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("attendance at a slot")
        verbose_name_plural = _("attendance at slots")
        constraints = [
            models.UniqueConstraint(fields=["item", "organisation"], name="slot_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.status}"


class ItemMinutes(Model):
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


class MinutesDraft(Model):
    """What was typed into a slot's minutes form and not yet saved as minutes: kept while typing
    and when a save is refused, so nothing typed is lost. The form's fields as typed (JSON, dates
    unparsed) only as ciphertext (case data key); removed when the minutes are saved."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="minutes_draft")
    content_ct = models.BinaryField(_("content (encrypted)"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("draft minutes")
        verbose_name_plural = _("draft minutes")

    def __str__(self) -> str:
        return f"draft minutes of {self.item_id}"
