"""Who works here: regions, partner organisations, users and their roles."""

from __future__ import annotations

import hashlib
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from mda.models.base import Model


class Domain(models.TextChoices):
    JUSTICE = "justice", _("Criminal justice")
    CARE = "care", _("Care")
    SOCIAL = "social", _("Social")
    COORDINATION = "coordination", _("Coordination")


class OrganisationKind(models.TextChoices):
    SAFETY_HOUSE = "safety_house", _("Zorg- en Veiligheidshuis")
    VEILIG_THUIS = "veilig_thuis", _("Veilig Thuis")
    LOCAL_TEAM = "local_team", _("Local social team")
    POLICE = "police", _("Police")
    PROSECUTION = "prosecution", _("Public prosecution")
    PROBATION = "probation", _("Probation")
    CHILD_PROTECTION_BOARD = "child_protection_board", _("Child protection board")
    MENTAL_HEALTH = "mental_health", _("Mental health care")
    ADDICTION_CARE = "addiction_care", _("Addiction care")
    YOUTH_PROTECTION = "youth_protection", _("Youth protection")
    SHELTER = "shelter", _("Women's shelter")
    MUNICIPALITY = "municipality", _("Municipality")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator (procesregisseur)")
    CHAIR = "chair", _("Chair (voorzitter)")
    PROFESSIONAL = "professional", _("Professional")
    ESCALATION_OFFICIAL = "escalation_official", _("Escalation official")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    FUNCTIONAL_ADMIN = "functional_admin", _("Functional admin")
    # Steers on the region's figures (beleidsmedewerker, ketenmanager): no case, no case list.
    POLICY_OFFICER = "policy_officer", _("Policy officer (figures only)")


class User(AbstractUser):
    """A person who logs in. Their organisations and roles come from memberships."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Region(Model):
    """A safety-house region (e.g. Groningen). Users never see another region's cases."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    households = models.PositiveIntegerField(
        _("number of households"),
        null=True,
        blank=True,
        help_text=_("Used for figures per 10,000 households."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Organisation(Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    kind = models.CharField(
        _("kind"), max_length=40, choices=OrganisationKind.choices, default=OrganisationKind.OTHER
    )
    email = models.EmailField(
        _("functional e-mail address"),
        blank=True,
        help_text=_("Where invitations and notifications for the organisation go."),
    )

    class Meta:
        ordering = ["region__name", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["region", "slug"], name="organisation_unique_slug"),
            models.UniqueConstraint(fields=["region", "name"], name="organisation_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(Model):
    """A user's role at one organisation. One role per user and organisation."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"

    @property
    def person_label(self) -> str:
        """ "Name, organisation (role)": how a person is shown wherever one is picked."""
        return person_label(self.user, self.organisation, str(self.get_role_display()))


def person_label(user: User, organisation: Organisation | None = None, role: str = "") -> str:
    """ "Name, organisation (role)", as far as known: how people are named in lists and pickers."""
    name = user.get_full_name() or user.get_username()
    if organisation is not None:
        name = f"{name}, {organisation.name}"
    return f"{name} ({role})" if role else name


def token_digest(raw: str) -> str:
    """What an ``ApiToken`` stores of the raw token: its SHA-256, in hex."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(Model):
    """A bearer token for a partner integration. Only a SHA-256 digest is stored."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
