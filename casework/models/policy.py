"""A region's settings for the life of its cases."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mda import workdays
from mda.models import Region
from mda.models.base import Model

DEFAULT_TRIAGE_WORKING_DAYS = 5
DEFAULT_FOLLOW_UP_MONTHS = 12
DEFAULT_CHECK_IN_MONTHS = (3, 6, 12)
DEFAULT_RETENTION_MONTHS = 24
DEFAULT_RETENTION_SHORT_MONTHS = 6
DEFAULT_RETENTION_WARNING_DAYS = 30
#: Statuses whose referral never became an MDA++ case: the shorter retention term applies.
SHORT_RETENTION_STATUSES = ("declined", "advice_only")


def default_check_in_months() -> list[int]:
    return list(DEFAULT_CHECK_IN_MONTHS)


class RegionPolicyManager(models.Manager["RegionPolicy"]):
    def for_region(self, region: Region) -> RegionPolicy:
        """The region's settings; the defaults (unsaved) when it has none."""
        return self.filter(region=region).first() or RegionPolicy(region=region)


class RegionPolicy(Model):
    """Lifecycle settings of one region; a region without a row uses the defaults."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="case_policy")
    triage_working_days = models.PositiveSmallIntegerField(
        _("working days for a triage decision"),
        default=DEFAULT_TRIAGE_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Counted from the referral; weekends and Dutch public holidays excluded."),
    )
    follow_up_months = models.PositiveSmallIntegerField(
        _("follow-up period in months"),
        default=DEFAULT_FOLLOW_UP_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    check_in_months = models.JSONField(
        _("check-ins (months after the start of follow-up)"),
        default=default_check_in_months,
        help_text=_("For example [3, 6, 12]."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("retention after closing, in months"),
        default=DEFAULT_RETENTION_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("After this the case is destroyed; only an anonymous tombstone remains."),
    )
    retention_short_months = models.PositiveSmallIntegerField(
        _("retention of declined referrals and advice only, in months"),
        default=DEFAULT_RETENTION_SHORT_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    retention_warning_days = models.PositiveSmallIntegerField(
        _("warn coordinators this many days before destruction"),
        default=DEFAULT_RETENTION_WARNING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    objects = RegionPolicyManager()

    class Meta:
        verbose_name = _("lifecycle settings of a region")
        verbose_name_plural = _("lifecycle settings of regions")

    def __str__(self) -> str:
        return str(self.region)

    def triage_due_on(self, referred_at: datetime) -> date:
        """The referral's local date in Amsterdam plus the region's working days for triage (in the
        region's working-day calendar: its closing days do not count)."""
        calendar = workdays.work_calendar(self.region_id)
        return calendar.add_working_days(workdays.local_date(referred_at), self.triage_working_days)

    def retention_term(self, status: str) -> tuple[str, int]:
        """The retention rule for a case ended in *status*, and its term in months."""
        if status in SHORT_RETENTION_STATUSES:
            return "short", self.retention_short_months
        return "closed", self.retention_months

    def clean(self) -> None:
        months = self.check_in_months
        if not isinstance(months, list) or not all(
            isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= self.follow_up_months
            for m in months
        ):
            raise ValidationError(
                {
                    "check_in_months": _(
                        "Give whole months between 1 and the follow-up period, e.g. [3, 6, 12]."
                    )
                }
            )
        self.check_in_months = sorted(set(months))
