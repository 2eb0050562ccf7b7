"""Writes of partner contributions: an invited organisation saves (as a draft) or submits its
contribution to a case's slot until the slot's information deadline, and the sweep that reminds
the organisations yet to submit, once.

The reminder, exactly once
--------------------------
A slot's reminder is due one working day before its information deadline, at the deadline's time
of day (a deadline on Monday 12:00 is reminded on the Friday before at 12:00, not on Sunday; the
region's working-day calendar with its holidays decides); a deadline set at shorter notice is
reminded at the next sweep. A slot whose reminder is due is claimed by a conditional update of its
``contributions_reminded_at``: ``UPDATE ... WHERE contributions_reminded_at IS NULL``, and only the
sweep that changed the row goes on. A second sweep at the same time waits for the first's row lock
and then finds the column set (PostgreSQL re-checks the condition on the newest row version); on
SQLite writes are serialised anyway. The notifications are made in the same transaction as the
claim, so a crash rolls both back and the next sweep tries again. Their e-mails go through the
outbox after commit (at least once, see ``scheduling.services.escalation``).

Who is reminded: the people in partner roles of every invited organisation (level >= 1) that has
not *submitted* (a draft does not count) when the claim is made. An organisation invited after the
reminder went out is not reminded again. A slot without a deadline, or whose deadline passed
before a sweep saw it, gets no reminder. The notification holds the case's reference, the
meeting's date, the deadline and a link: never case content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from casework.models import NoteVisibility
from casework.selectors.notes import default_note_visibility
from mda import crypto
from mda.access import PARTNER_ROLES, role_at
from mda.audit import audit_record
from mda.errors import Conflict
from mda.models import AuditAction, Organisation, User
from mda.notifications import notification_send
from mda.workdays import AMSTERDAM, at_local_time, work_calendar
from scheduling import access
from scheduling.models import (
    AgendaItem,
    AgendaStatus,
    Contribution,
    ContributionStatus,
    MeetingStatus,
)
from scheduling.models.contributions import CONTRIBUTION_FIELDS

MAX_TEXT = 10000
REMINDER_WORKING_DAYS = 1
LOOKAHEAD = timedelta(days=14)
SWEEP_BATCH = 500


@dataclass(frozen=True)
class ContributionText:
    """The four parts of a contribution, as typed."""

    known_since: str = ""
    involvement: str = ""
    risks: str = ""
    proposals: str = ""

    def cleaned(self) -> ContributionText:
        values = {name: (getattr(self, name) or "").strip() for name in CONTRIBUTION_FIELDS}
        for name, value in values.items():
            if len(value) > MAX_TEXT:
                raise ValidationError({name: _("Use at most %d characters.") % MAX_TEXT})
        return ContributionText(**values)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in CONTRIBUTION_FIELDS)


def local_moment(moment: datetime) -> str:
    return formats.date_format(moment.astimezone(AMSTERDAM), "DATETIME_FORMAT")


def require_open_for_contributions(item: AgendaItem, now: datetime | None = None) -> None:
    """Contributions change until the slot's information deadline (without one: until the
    meeting starts); never for a cancelled meeting."""
    now = now or timezone.now()
    meeting = item.meeting
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting was cancelled; contributions can no longer change."))
    deadline = item.deadline
    if deadline is not None and now >= deadline:
        raise Conflict(
            _(
                "The information deadline (%(deadline)s) has passed: contributions for this case "
                "can no longer be changed. Bring what you know to the meeting."
            )
            % {"deadline": local_moment(deadline)}
        )
    if now >= meeting.starts_at:
        raise Conflict(_("This meeting has started: contributions can no longer be changed."))


def contributing_organisation(
    actor: User, item: AgendaItem, organisation: Organisation | None
) -> Organisation:
    """The organisation *actor* writes for: one of theirs invited to the slot's case."""
    allowed = list(access.organisations_contributing_for(actor, item))
    if not allowed:
        # The slot is visible (coordinator, chair), but they are not an invited partner.
        raise PermissionDenied
    if organisation is None:
        if len(allowed) > 1:
            raise ValidationError({"organisation": _("Choose the organisation you write for.")})
        return allowed[0]
    if organisation.pk not in {o.pk for o in allowed}:
        raise ValidationError(
            {"organisation": _("Choose an organisation of yours that is invited for this case.")}
        )
    return organisation


@transaction.atomic
def contribution_save(
    *,
    actor: User,
    item: AgendaItem,
    text: ContributionText,
    submit: bool,
    visibility: str | None = None,
    organisation: Organisation | None = None,
) -> Contribution:
    """Save *actor*'s organisation's contribution to *item* (from
    ``access.access_agenda_item``): as a draft, read only by that organisation, or submitted,
    read under the notes' rules. Saving a submitted one as a draft withdraws it."""
    organisation = contributing_organisation(actor, item, organisation)
    # The slot's row lock orders this write and the reminder's claim, and re-reads the deadline.
    # The slot's row only, not its meeting's (every organisation's contribution shares that).
    locked = (
        AgendaItem.objects.select_for_update(of=("self",), no_key=True)
        .select_related("meeting")
        .get(pk=item.pk)
    )
    if locked.removed_at is not None:
        raise Conflict(_("This case is no longer on the agenda."))
    require_open_for_contributions(locked)
    if visibility is not None and visibility not in NoteVisibility.values:
        raise ValidationError({"visibility": _("Choose who may read this contribution.")})
    text = text.cleaned()
    if submit and text.is_empty:
        raise ValidationError(_("Fill in at least one part before submitting."))
    contribution = (
        Contribution.objects.select_for_update()
        .filter(item=item, organisation=organisation)
        .first()
    )
    created = contribution is None
    if contribution is None:
        contribution = Contribution(item=locked, case_id=locked.case_id, organisation=organisation)
    contribution.author = actor
    contribution.author_domain = organisation.domain
    contribution.visibility = (
        visibility or contribution.visibility or default_note_visibility(organisation)
    )
    contribution.status = ContributionStatus.SUBMITTED if submit else ContributionStatus.DRAFT
    contribution.submitted_at = timezone.now() if submit else None
    for name in CONTRIBUTION_FIELDS:
        crypto.seal(contribution, f"{name}_ct", getattr(text, name), item.case.data_key)
    contribution.full_clean(validate_constraints=False)
    contribution.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        object_type="contribution",
        object_id=str(contribution.pk),
        case=item.case,
        organisation=organisation,
        role=role_at(actor, organisation),
        detail={
            "meeting": str(locked.meeting_id),
            "item": str(locked.pk),
            "status": contribution.status,
            "visibility": contribution.visibility,
        },
    )
    return contribution


# --- The reminder before the deadline ------------------------------------------------------------


def reminder_due_at(deadline: datetime, region_id: int) -> datetime:
    """One working day (of the region's calendar) before *deadline*, at its time of day."""
    local = deadline.astimezone(AMSTERDAM)
    day = work_calendar(region_id).add_working_days(local.date(), -REMINDER_WORKING_DAYS)
    return at_local_time(day, local.time())


def contribution_reminders_due(*, now: datetime) -> list[Any]:
    """Ids of the slots whose reminder is due by *now* and not sent yet (deadline still ahead).

    The database narrows to deadlines within ``LOOKAHEAD`` (more than any working day can span,
    holidays included); the working-day step is computed for those few rows."""
    deadline = Coalesce(F("information_deadline"), F("meeting__information_deadline"))
    candidates = (
        AgendaItem.objects.current()
        .annotate(due_deadline=deadline)
        .filter(
            contributions_reminded_at__isnull=True,
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__agenda_status=AgendaStatus.PUBLISHED,
            due_deadline__gt=now,
            due_deadline__lte=now + LOOKAHEAD,
        )
        .order_by("due_deadline", "pk")
        .values_list("pk", "due_deadline", "meeting__region_id")[:SWEEP_BATCH]
    )
    return [pk for pk, due, region_id in candidates if reminder_due_at(due, region_id) <= now]


def contribution_reminders_sweep(*, now: datetime | None = None) -> int:
    """The beat sweep: remind, once per slot, the invited organisations that have not submitted;
    the number of organisations reminded."""
    now = now or timezone.now()
    return sum(contribution_reminder_send(item_id=pk) for pk in contribution_reminders_due(now=now))


@transaction.atomic
def contribution_reminder_send(*, item_id: Any) -> int:
    """Claim one slot's reminder and notify; 0 when another sweep claimed it first."""
    claimed = AgendaItem.objects.filter(pk=item_id, contributions_reminded_at__isnull=True).update(
        contributions_reminded_at=timezone.now()
    )
    if claimed != 1:
        return 0
    item = AgendaItem.objects.select_related("case", "meeting").get(pk=item_id)
    submitted = Contribution.objects.filter(item=item, status=ContributionStatus.SUBMITTED)
    organisations = list(
        access.invited_organisations(item.case_id)
        .exclude(pk__in=submitted.values("organisation_id"))
        .order_by("pk")
    )
    recipients = (
        User.objects.filter(
            is_active=True,
            memberships__organisation__in=organisations,
            memberships__role__in=PARTNER_ROLES,
        )
        .distinct()
        .order_by("pk")
    )
    deadline = item.deadline
    reference = item.case.reference
    notification_send(
        recipients=recipients,
        kind="contribution_due",
        subject=_("Contribution for %(ref)s due") % {"ref": reference},
        body=_(
            "Your organisation has not yet submitted its contribution for %(ref)s on the agenda "
            "of %(meeting)s. The information deadline is %(deadline)s."
        )
        % {
            "ref": reference,
            "meeting": local_moment(item.meeting.starts_at),
            "deadline": local_moment(deadline) if deadline else "-",
        },
        link=reverse("scheduling:item-contributions", args=[item.meeting_id, item.pk]),
        case_reference=reference,
    )
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        object_type="contribution",
        object_id=str(item.pk),
        case=item.case,
        detail={"reminder": True, "organisations": len(organisations)},
    )
    return len(organisations)
