"""Agreements (afspraken): who does what by when, per case, and the history of their changes.

The description and the reason for "not possible"/"not done" are stored only as ciphertext, sealed
with the case's data key (``mda.crypto``). The reminder and escalation ladder that follows an open
agreement lives in ``scheduling``; it reads ``due_date``, ``status`` and ``ladder_round`` here.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case
from mda.models import Organisation
from mda.models.base import Model


class AgreementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    NOT_POSSIBLE = "not_possible", _("Not possible (circumstances changed)")
    NOT_DONE = "not_done", _("Not done")


#: Statuses that need a reason.
REASONED_STATUSES = frozenset({AgreementStatus.NOT_POSSIBLE, AgreementStatus.NOT_DONE})


class AgreementOrigin(models.TextChoices):
    MEETING = "meeting", _("Made in a meeting")
    AD_HOC = "ad_hoc", _("Ad hoc")


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def open(self) -> AgreementQuerySet:
        return self.filter(status=AgreementStatus.OPEN)


class Agreement(Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agreements")
    description_ct = models.BinaryField(_("description (encrypted)"))
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("owner organisation"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_agreements",
        null=True,
        blank=True,
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.OPEN
    )
    resolution_reason_ct = models.BinaryField(_("reason (encrypted)"), null=True, blank=True)
    origin = models.CharField(
        _("made"), max_length=20, choices=AgreementOrigin.choices, default=AgreementOrigin.AD_HOC
    )
    # The meeting it was made in; becomes a foreign key when meetings land in ``scheduling``.
    meeting_id = models.UUIDField(_("meeting"), null=True, blank=True)
    # Raised when the due date moves: the reminder ladder starts again for the new date, and the
    # unique (agreement, round, rung) constraint in ``scheduling`` keeps each step once per round.
    ladder_round = models.PositiveIntegerField(default=0, editable=False)
    # The round in which every step of the ladder was sent (the sweep sets it; a new round, or a
    # rung added to the region's ladder, leaves it behind): the sweep's index holds only the open
    # agreements whose ladder is not complete, so an overdue backlog costs a sweep nothing.
    ladder_completed_round = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = AgreementQuerySet.as_manager()

    # Set by casework.access.agreements_visible_to; an agreement loaded any other way: neither.
    as_coordinator: bool = False
    as_owner: bool = False

    class Meta:
        ordering = ["due_date", "created_at"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [
            # The sweep's range scan: open agreements by due date.
            models.Index(
                fields=["due_date"], condition=Q(status="open"), name="agreement_open_due"
            ),
            # The sweep's range scan: open agreements with a step of the ladder still to come.
            models.Index(
                fields=["due_date"],
                condition=Q(status="open")
                & (
                    Q(ladder_completed_round__isnull=True)
                    | Q(ladder_completed_round__lt=F("ladder_round"))
                ),
                name="agreement_ladder_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="agreement_resolved_iff_not_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.owner_organisation} · {self.due_date:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status == AgreementStatus.OPEN


class AgreementEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    RESCHEDULED = "rescheduled", _("Due date moved")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")


class AgreementEvent(Model):
    """One change of an agreement. ``detail`` holds metadata only (fields, dates, statuses)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=20, choices=AgreementEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    actor_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True
    )
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("agreement change")
        verbose_name_plural = _("agreement changes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"

    @property
    def summary(self) -> str:
        """What happened, in words of the reader's language ("Due date moved from 1 dec. 2026
        to 8 dec. 2026."); ``detail`` holds the facts as stored."""
        d = self.detail or {}
        if self.kind == AgreementEventKind.CREATED:
            owner = ", ".join(p for p in (d.get("owner_organisation"), d.get("owner")) if p)
            text = _("Agreed: %(owner)s, due %(due)s.") % {
                "owner": owner,
                "due": _day(d.get("due_date")),
            }
            if d.get("origin"):
                text += " " + str(_label(AgreementOrigin, d["origin"])) + "."
            return str(text)
        if self.kind == AgreementEventKind.CHANGED:
            fields = [str(_CHANGED_FIELDS.get(f, f)) for f in d.get("fields", [])]
            return str(_("Changed: %(fields)s.") % {"fields": ", ".join(fields)})
        if self.kind == AgreementEventKind.RESCHEDULED:
            return str(
                _("Due date moved from %(old)s to %(new)s.")
                % {"old": _day(d.get("old")), "new": _day(d.get("new"))}
            )
        if self.kind == AgreementEventKind.RESOLVED:
            return str(
                _("Marked: %(status)s.") % {"status": _label(AgreementStatus, d.get("status"))}
            )
        if self.kind == AgreementEventKind.REOPENED:
            return str(
                _("Reopened (it was: %(previous)s), due %(due)s.")
                % {
                    "previous": _label(AgreementStatus, d.get("previous")),
                    "due": _day(d.get("due_date")),
                }
            )
        return str(self.get_kind_display())


# Words for the fields an agreement's history names (``AgreementEvent.detail["fields"]``).
_CHANGED_FIELDS = {
    "description": _("what was agreed"),
    "owner": _("the owner"),
    "owner_organisation": _("the owner organisation"),
    "due_date": _("the due date"),
}


def _day(value: object) -> str:
    try:
        return date_format(date.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


def _label(choices: type[models.TextChoices], value: object) -> str:
    try:
        return str(choices(str(value)).label)
    except ValueError:
        return str(value or "")
