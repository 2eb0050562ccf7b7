"""Participation: the weegmoment by which a partner organisation takes part in a case."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models.cases import AccessLevel, Case
from mda.models import Organisation
from mda.models.base import Model


class LegalBasis(models.TextChoices):
    WVGGZ_WZD = "wet_verplichte_ggz", _("Wet verplichte ggz / Wzd")
    JEUGDWET = "jeugdwet", _("Jeugdwet (art. 7.4.0)")
    WMO = "wmo", _("Wmo 2015 (art. 4.1.1, Veilig Thuis)")
    WPOLITIE = "wpg", _("Wet politiegegevens (art. 16/19/20)")
    WJSG = "wjsg", _("Wet justitiële en strafvorderlijke gegevens")
    AVG_VITAL = "avg_vital_interest", _("AVG art. 6(1)(d): vital interest")
    AVG_PUBLIC_TASK = "avg_public_task", _("AVG art. 6(1)(e): public task")
    CONSENT = "consent", _("Consent of the person involved")
    CONVENANT = "convenant", _("Regional ZVH privacy covenant")
    REFERRAL = "referral", _("Referral by the organisation itself")
    OTHER = "other", _("Other (explain)")


class ParticipationQuerySet(models.QuerySet["Participation"]):
    def active(self, at: object = None) -> ParticipationQuerySet:
        from django.utils import timezone

        moment = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=moment)
        )


class Participation(Model):
    """A partner organisation taking part in a case, after a coordinator's weegmoment.

    The written justification (purpose, necessity, the explanation of another legal basis) is
    sealed with the case's key (``mda.crypto``) and read by the coordinators and by the
    organisation it concerns (``casework.access.can_read_weegmoment``); others see the level, the
    legal-basis category and the dates. A change of level or expiry is a new weegmoment that
    ``supersedes`` the old one, which then ends (``revoked_at``) and stays in the history.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("organisation"),
    )
    level = models.PositiveSmallIntegerField(_("information level"), choices=AccessLevel.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices)
    legal_basis_other_ct = models.BinaryField(null=True, blank=True)
    purpose_ct = models.BinaryField()
    necessity_ct = models.BinaryField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # When it ended: revoked, or superseded by a newer weegmoment (which then ``supersedes`` it).
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="superseded_by",
        null=True,
        blank=True,
        verbose_name=_("supersedes"),
    )
    # Why the coordinator revoked it (free text, so encrypted with the case's key).
    revoke_reason_ct = models.BinaryField(
        _("reason for revoking (encrypted)"), null=True, blank=True
    )

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=Q(revoked_at__isnull=True),
                name="participation_one_open_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.case} (level {self.level})"
