"""The case timeline: one entry per event in the life of a case (who, when, why; the why
encrypted)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case, CaseStatus
from mda.models import Organisation
from mda.models.base import Model


class EventKind(models.TextChoices):
    REFERRED = "referred", _("Referred")
    KNOWN_ELSEWHERE = "known_elsewhere", _("Bekendheid check")
    REPEAT = "repeat", _("Repeat")
    TRANSITION = "transition", _("Status changed")
    SAFETY_PHASE = "safety_phase", _("Safety phase changed")
    DIRECTOR = "director", _("Case director assigned")
    PLAN = "plan", _("Plan updated")
    CHECK_IN = "check_in", _("Follow-up check-in")


class EventAudience(models.TextChoices):
    """Who sees an entry at all; its text is governed by ``casework.access.can_read_event_text``."""

    PROCESS = "process", _("Everyone from access level 1")
    COORDINATORS = "coordinators", _("Coordinators only")


class CaseEvent(Model):
    """One entry of the case timeline: who did what, when, and (encrypted) why."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    audience = models.CharField(
        max_length=20, choices=EventAudience.choices, default=EventAudience.PROCESS
    )
    transition = models.CharField(_("transition"), max_length=30, blank=True)
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    actor_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    automatic = models.BooleanField(default=False)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    text_ct = models.BinaryField(null=True, blank=True)
    # Metadata only (phases, counts, references, an organisation name): never content.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="caseevent_case_time")]

    def __str__(self) -> str:
        return f"{self.case} · {self.kind} · {self.occurred_at:%Y-%m-%d %H:%M}"
