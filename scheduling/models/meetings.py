"""Weekly case meetings: series and the meetings they generate.

A :class:`MeetingSeries` (per region and type) generates :class:`Meeting` rows some weeks ahead
(``scheduling.services.meetings``); the unique (series, regular date) is what makes generation
idempotent. The agenda is in ``agendas``, what each organisation was sent in ``invitations``, and
attendance and minutes in ``minutes``.
"""

from __future__ import annotations

import uuid
from datetime import date, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mda.models import Region
from mda.models.base import Model
from mda.workdays import AMSTERDAM, local_date

DEFAULT_SLOT_MINUTES = 15


class MeetingType(models.TextChoices):
    TRIAGE = "triage", _("Triage meeting")
    CASE_CONFERENCE = "case_conference", _("MDA++ case conference")
    EMERGENCY = "emergency", _("Emergency meeting")


class HolidayRule(models.TextChoices):
    SKIP = "skip", _("Skip the meeting")
    NEXT_WORKING_DAY = "next", _("Move to the next working day")
    PREVIOUS_WORKING_DAY = "previous", _("Move to the previous working day")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class MeetingSeries(Model):
    """A recurring meeting of a region: weekday and wall-clock time in Europe/Amsterdam."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="meeting_series", verbose_name=_("region")
    )
    kind = models.CharField(
        _("type"),
        max_length=20,
        choices=[c for c in MeetingType.choices if c[0] != MeetingType.EMERGENCY],
    )
    name = models.CharField(_("name"), max_length=100)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start time"), help_text=_("Local time (Europe/Amsterdam)."))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(15), MaxValueValidator(480)],
        help_text=_("Also the capacity of the agenda: the slots must fit in it."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    holiday_rule = models.CharField(
        _("on a public holiday"),
        max_length=10,
        choices=HolidayRule.choices,
        default=HolidayRule.NEXT_WORKING_DAY,
    )
    weeks_ahead = models.PositiveSmallIntegerField(
        _("plan weeks ahead"), default=6, validators=[MinValueValidator(1), MaxValueValidator(26)]
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("default slot (minutes)"),
        default=DEFAULT_SLOT_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
    )
    deadline_working_days = models.PositiveSmallIntegerField(
        _("information deadline (working days before)"),
        default=1,
        validators=[MaxValueValidator(10)],
    )
    deadline_time = models.TimeField(_("information deadline (time)"), default=time(12, 0))
    starts_on = models.DateField(_("first meeting on or after"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Set by scheduling.access.meeting_series_visible_to.
    may_manage: bool = False

    class Meta:
        ordering = ["region__name", "kind", "name"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="meeting_series_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.place and not self.online_link:
            raise ValidationError({"place": _("Give a place, an online link or both.")})


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class AgendaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Meeting(Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("region")
    )
    series = models.ForeignKey(
        MeetingSeries,
        on_delete=models.PROTECT,
        related_name="meetings",
        null=True,
        blank=True,
        verbose_name=_("series"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=MeetingType.choices)
    # The date the series' pattern gives; the meeting itself may be moved for a holiday.
    regular_date = models.DateField(null=True, blank=True)
    moved_for_holiday = models.BooleanField(_("moved for a public holiday"), default=False)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    cancel_reason = models.TextField(
        _("reason for cancelling"),
        max_length=1000,
        blank=True,
        help_text=_("Sent to every invited organisation: no personal data."),
    )
    agenda_status = models.CharField(
        _("agenda"), max_length=20, choices=AgendaStatus.choices, default=AgendaStatus.DRAFT
    )
    agenda_published_at = models.DateTimeField(_("agenda published at"), null=True, blank=True)
    information_deadline = models.DateTimeField(
        _("information deadline for partners"), null=True, blank=True
    )
    confidentiality_read_at = models.DateTimeField(
        _("confidentiality statement read at"), null=True, blank=True
    )
    confidentiality_read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_published_at = models.DateTimeField(_("minutes published at"), null=True, blank=True)
    minutes_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Set by scheduling.access.meetings_visible_to; a meeting loaded any other way: neither.
    as_coordinator: bool = False
    as_chair: bool = False

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "regular_date"],
                condition=Q(series__isnull=False),
                name="meeting_once_per_series_date",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends"),
        ]
        indexes = [models.Index(fields=["region", "starts_at"], name="meeting_region_start")]

    def __str__(self) -> str:
        # In Amsterdam time and the service's date style, whether starts_at came from the
        # database (UTC) or not (admin lists, calendar names).
        when = date_format(self.starts_at.astimezone(AMSTERDAM), "DATETIME_FORMAT")
        return f"{self.get_kind_display()} {when}"

    @property
    def is_published(self) -> bool:
        return self.agenda_status == AgendaStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def run_opens_on(self) -> date:
        """The meeting is run (attendance, minutes) from its own day on, Amsterdam time."""
        return local_date(self.starts_at)

    @property
    def may_run_today(self) -> bool:
        return local_date(timezone.now()) >= self.run_opens_on

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)
