"""Days that are no working days beyond weekends and the statutory holidays (mda/workdays.py):
the days a decree equates with a public holiday (national), and a region's own closing days."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mda.models.accounts import Region
from mda.models.base import Model


class DecreedDay(Model):
    """A day that a decree under the Algemene termijnenwet equates with a public holiday (for
    example the Friday after Ascension Day): no working day anywhere. A new decree every few years
    adds the next ones; a functional admin enters them."""

    day = models.DateField(_("date"), unique=True)
    description = models.CharField(_("description"), max_length=200)
    source = models.CharField(
        _("decree"),
        max_length=200,
        blank=True,
        help_text=_("The decree that names this day, e.g. its Staatsblad number."),
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("day equated with a public holiday")
        verbose_name_plural = _("days equated with a public holiday")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.description}"


class RegionClosingDay(Model):
    """A day the region's safety house and its chain are closed (for example between Christmas
    and New Year): no working day for the deadlines, reminders and meetings of that region."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="closing_days", verbose_name=_("region")
    )
    day = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200)

    class Meta:
        ordering = ["region__name", "day"]
        verbose_name = _("closing day of a region")
        verbose_name_plural = _("closing days of a region")
        constraints = [
            models.UniqueConstraint(fields=["region", "day"], name="region_closing_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.day:%Y-%m-%d} {self.description}"
