"""Weekly case meetings: series, meetings, need-to-know agendas, invitations per organisation,
responses, attendance, minutes, and each user's calendar feed.

A :class:`MeetingSeries` (per region and type) generates :class:`Meeting` rows some weeks ahead
(``scheduling.services.meetings``); the unique (series, regular date) is what makes generation
idempotent. An :class:`AgendaItem` is one case's slot; its times are stored (UTC) and recomputed
from the order and slot lengths on every change. What each organisation was sent about a slot is an
:class:`Invitation` (stable iCalendar UID per item, SEQUENCE per organisation, a fingerprint of what
it was told); each e-mail is an :class:`InvitationMessage` holding one :class:`InvitationLine` (one
.ics attachment) per slot. Minutes text is sealed with the case's data key.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from casework.models import Case
from mda.models import Organisation, Region

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


class MeetingSeries(models.Model):
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


class Meeting(models.Model):
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
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_published(self) -> bool:
        return self.agenda_status == AgendaStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


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


class AgendaItem(models.Model):
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


class InvitationResponse(models.TextChoices):
    ATTENDING = "attending", _("Attending")
    APOLOGY = "apology", _("Apology")
    WRITTEN = "written", _("Information sent in writing")


class Invitation(models.Model):
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


class InvitationMessage(models.Model):
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


class InvitationLine(models.Model):
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


class CalendarFeed(models.Model):
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
