"""What a region steers against: its size (for rates) and its norms. The triage norm is the
region's triage deadline (``casework.RegionPolicy.triage_working_days``): one number, used by the
triage queue and by the figures alike. The number of households is on ``mda.Region``."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mda.models import Region
from mda.models.base import Model

DEFAULT_FIRST_MEETING_WORKING_DAYS = 10
DEFAULT_PLAN_WORKING_DAYS = 20


class RegionNorms(Model):
    """Steering settings of one region; a region without a row uses the defaults."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="steering_norms", verbose_name=_("region")
    )
    young_people = models.PositiveIntegerField(
        _("number of young people (0-17)"),
        null=True,
        blank=True,
        help_text=_("Used for figures per 10,000 young people."),
    )
    first_meeting_working_days = models.PositiveSmallIntegerField(
        _("norm: working days from acceptance to the first case meeting"),
        default=DEFAULT_FIRST_MEETING_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    plan_working_days = models.PositiveSmallIntegerField(
        _("norm: working days from acceptance to a plan"),
        default=DEFAULT_PLAN_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
    )

    class Meta:
        verbose_name = _("region size and norms")
        verbose_name_plural = _("region sizes and norms")

    def __str__(self) -> str:
        return str(self.region)
