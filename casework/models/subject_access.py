"""Subject access (AVG art. 15): a privacy officer's request for one person, the cases found for
that person through the blind index, and what the "tenzij" exceptions withhold.

The flow (casework/services/subject_access.py): the privacy officer prepares (looks the person up,
may propose withholdings), a coordinator of each case's region confirms or changes the
withholdings of that case, the privacy officer releases the report. The lookup values themselves
(BSN, name, date of birth) are never stored: an item points at the household member it found,
and goes with the case when retention destroys it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case, HouseholdMember
from mda.models import Organisation
from mda.models.base import Model


class SubjectAccessStatus(models.TextChoices):
    PREPARING = "preparing", _("Awaiting the coordinators")
    RELEASED = "released", _("Released")


class SubjectLookup(models.TextChoices):
    BSN = "bsn", _("BSN")
    NAME_DOB = "name_dob", _("Name and date of birth")


class WithholdingGround(models.TextChoices):
    CRIMINAL_INVESTIGATION = (
        "criminal_investigation",
        _("Disclosure would harm a criminal investigation"),
    )
    SAFETY_OF_OTHERS = "safety_of_others", _("Disclosure would endanger the safety of others")


class ContentKind(models.TextChoices):
    """The parts of a case's content the report holds, each of which can be withheld alone."""

    NOTE = "note", _("Note")
    AGREEMENT = "agreement", _("Agreement")
    MINUTES = "minutes", _("Minutes")
    CONTRIBUTION = "contribution", _("Contribution to a meeting")


class SubjectAccessRequest(Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("prepared at"), db_index=True)
    lookup = models.CharField(_("looked up by"), max_length=10, choices=SubjectLookup.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubjectAccessStatus.choices,
        default=SubjectAccessStatus.PREPARING,
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subject access request")
        verbose_name_plural = _("subject access requests")

    def __str__(self) -> str:
        return f"subject access {self.pk}"


class SubjectAccessItem(Model):
    """One case in which the person was found, and its coordinator's confirmation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="items"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subject_access_items")
    member = models.ForeignKey(HouseholdMember, on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["case__reference"]
        constraints = [
            models.UniqueConstraint(fields=["request", "member"], name="subject_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.case_id}"


class Withholding(Model):
    """A part of one case's report withheld under a "tenzij" exception: the whole case, what one
    organisation received and wrote (e.g. the police's involvement and notes during an
    investigation), or one entry of the case's content (a note, an agreement, a slot's minutes, a
    contribution). The explanation may name people: sealed with the case's key.

    An entry is named by its kind and id, not by a foreign key: minutes and contributions live in
    the scheduling app, which casework does not import. Entries go with the case on destruction."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(
        SubjectAccessItem, on_delete=models.CASCADE, related_name="withholdings"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty, and no entry: the whole case is withheld."),
    )
    entry_kind = models.CharField(
        _("entry"), max_length=20, choices=ContentKind.choices, blank=True, default=""
    )
    entry_id = models.UUIDField(null=True, blank=True)
    ground = models.CharField(_("ground"), max_length=30, choices=WithholdingGround.choices)
    explanation_ct = models.BinaryField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "organisation"],
                condition=Q(entry_id__isnull=True),
                name="withholding_one_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(organisation__isnull=True, entry_id__isnull=True),
                name="withholding_one_whole_case",
            ),
            models.UniqueConstraint(
                fields=["item", "entry_kind", "entry_id"],
                condition=Q(entry_id__isnull=False),
                name="withholding_one_per_entry",
            ),
            models.CheckConstraint(
                condition=Q(entry_id__isnull=True, entry_kind="")
                | (Q(entry_id__isnull=False, organisation__isnull=True) & ~Q(entry_kind="")),
                name="withholding_entry_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"withholding {self.pk} ({self.ground})"
