"""The anonymous fact table: what happened, per region and month, for the figures people steer on.

A fact says *that* something happened in a region in a month (a referral, a triage decision, a
status change, an agreement falling due, an escalation sent), with the few dimensions the figures
need: a category (an outcome, a status, a rung), the kind and domain of the organisation concerned,
a duration in working days computed when it was written, and an amount (children in the household,
minutes of a meeting slot). It never holds a case reference, a case id, a person, a user, a date
finer than the month, or free text. The figures are computed from this table alone
(``steering.selectors``), never from cases, so they stay correct after a case is destroyed.

The statistics token (``subject``)
----------------------------------
Some figures need the facts of one case together: a case leaves its status when it enters the next
one, so its status "spell" must be closed (cases per status at a month's end); the backfill must
know which cases it already wrote. For that every fact of a case carries the case's *statistics
token*, a UUID derived from the case's own data key (``mda.facts.statistics_token``: HMAC-SHA256
of the key, which exists only wrapped by the master key). It is not the reference nor the case id,
and it cannot be computed from either. While the case lives, the token links its facts to it, so
they are pseudonymous data, kept as carefully as the case. When the retention rules destroy the
case, its data key is shredded: from then on nobody can compute the token again, nothing else in
the database holds it, and the facts become anonymous: a random number shared by a few rows that
say "a referral from the police in region North in March 2026, two children". The facts never
point at the case row (no foreign key), so deleting the row, its identities and its content
changes no figure. Facts about a meeting (not about a case) carry a token derived from the meeting
instead.

Two kinds are *spells* rather than events: ``status`` and ``safety_phase`` start in a month and end
(``until_month``) in the month the case moves on; a spell still open has no end. A case in a
terminal status (closed, declined, advice only, acute route) has no open spell: cases per status
and per safety phase at a month's end are counts of open cases. Agreements are counted by the month
they fall due, with ``count`` +1 for the state they are in and -1 for the state they left, so a
moved due date or a later resolution is a pair of rows and a plain SUM gives the current state.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mda.models.accounts import Region
from mda.models.base import Model


class FactKind(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    TRIAGE = "triage", _("Triage decision")
    STATUS = "status", _("Status")
    SAFETY_PHASE = "safety_phase", _("Safety phase")
    PLAN = "plan", _("First plan")
    FIRST_MEETING = "first_meeting", _("First case meeting")
    CASE_DISCUSSED = "case_discussed", _("Case discussed in a meeting")
    MEETING_HELD = "meeting_held", _("Meeting held")
    AGREEMENT = "agreement", _("Agreement due")
    ESCALATION = "escalation", _("Escalation sent")
    ESCALATION_ACKNOWLEDGED = "escalation_ack", _("Escalation acknowledged")
    REOPENING = "reopening", _("Follow-up re-opening")


#: Kinds whose rows are spells (``month`` .. ``until_month``) of one case.
SPELL_KINDS = frozenset({FactKind.STATUS, FactKind.SAFETY_PHASE})


class Fact(Model):
    """One anonymous fact. See the module docstring for what it may hold and why."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=20, choices=FactKind.choices)
    # No index of its own: fact_region_month (region first) serves every look-up by region.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"), db_index=False
    )
    # The first day of the month it happened in (a spell: the month it began).
    month = models.DateField(_("month"))
    until_month = models.DateField(_("until month"), null=True, blank=True)
    # An outcome, a status, a safety phase, a rung, a cause: a code, never text.
    category = models.CharField(_("category"), max_length=30, blank=True)
    organisation_kind = models.CharField(_("kind of organisation"), max_length=40, blank=True)
    organisation_domain = models.CharField(_("domain"), max_length=20, blank=True)
    working_days = models.SmallIntegerField(_("working days"), null=True, blank=True)
    amount = models.PositiveIntegerField(_("amount"), null=True, blank=True)
    count = models.SmallIntegerField(_("count"), default=1)
    subject = models.UUIDField(_("statistics token"), null=True, blank=True)

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        indexes = [
            # A region's events of a range of months: the dashboard's one grouped query.
            models.Index(
                fields=["region", "month", "kind", "category", "organisation_kind"],
                name="fact_region_month",
            ),
            # Spells still open at a month's end: those without an end, or ending later.
            models.Index(
                fields=["region", "kind", "until_month"],
                condition=Q(kind__in=["status", "safety_phase"]),
                name="fact_region_spell",
            ),
            models.Index(fields=["subject", "kind"], name="fact_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(until_month__isnull=True) | Q(until_month__gte=models.F("month")),
                name="fact_spell_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.category} {self.month:%Y-%m} ({self.count:+d})"
