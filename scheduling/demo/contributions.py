"""A demo meeting TODAY in Groningen, so a newcomer can try the meeting day end to end: several
cases on its published agenda and partner contributions in every state (submitted, draft, none).

When the demo starts, today's meeting is the one of the case-conference series if it meets today;
otherwise a meeting is made for today at the next half hour at least 90 minutes ahead (not before
09:30, and not after 21:30 so it ends today: a demo started late in the evening gets a meeting
earlier today that is running or over). Its information deadline is half an hour before the start,
so partners can still contribute, and the reminder sweep reminds those that have not.

Which organisation is in which state is fixed by the order of the cases and organisations, so
every run gives the same picture. Contributions are written directly (sealed with the case's key
as the service does): a deadline may already have passed when the demo starts late.
Idempotent: skipped when today's meeting holds contributions already.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from casework.models import Case
from casework.selectors.notes import default_note_visibility
from mda import crypto
from mda.access import PARTNER_ROLES
from mda.models import Organisation, Region, User
from mda.workdays import AMSTERDAM, at_local_time
from scheduling import access
from scheduling.models import (
    AgendaItem,
    AgendaStatus,
    Contribution,
    ContributionStatus,
    ItemReason,
    Meeting,
    MeetingStatus,
    MeetingType,
)
from scheduling.models.agendas import INACTIVE_STATUSES
from scheduling.models.contributions import CONTRIBUTION_FIELDS
from scheduling.services.invitations import invitations_sync

CASES = 4
SLOT_MINUTES = 20
DURATION = timedelta(minutes=120)
EARLIEST, LATEST = time(9, 30), time(21, 30)
STATES = (ContributionStatus.SUBMITTED, ContributionStatus.DRAFT, None)
TEXTS = {
    "known_since": "Twee contactmomenten sinds het vorige overleg; moeder meldt minder spanning.",
    "involvement": "Wekelijks huisbezoek; gesprekken met moeder over het veiligheidsplan.",
    "risks": "Vader heeft weer contact gezocht; zorg over het naleven van het contactverbod.",
    "proposals": "Veiligheidsplan actualiseren en de school betrekken bij de signalering.",
}


@transaction.atomic
def seed_contributions(out: list[str]) -> None:
    region = Region.objects.get(slug="groningen")
    coordinator = User.objects.get(username="coordinator")
    meeting = _meeting_today(region, coordinator)
    if Contribution.objects.filter(item__meeting=meeting).exists():
        out.append("Demo contributions exist already; left as they are.")
        return
    counts = dict.fromkeys(STATES, 0)
    items = list(meeting.items.current().select_related("case__data_key").order_by("position"))
    for number, item in enumerate(items):
        organisations = access.invited_organisations(item.case_id).order_by("name")
        for place, organisation in enumerate(organisations):
            state = STATES[(number + place) % len(STATES)]
            author = _author(organisation)
            if state is None or author is None:
                counts[None] += 1
                continue
            _contribution(item, organisation, author, state)
            counts[state] += 1
    when = meeting.starts_at.astimezone(AMSTERDAM).strftime("%H:%M")
    out.append(
        f"Demo meeting today at {when} ({len(items)} cases): "
        f"{counts[ContributionStatus.SUBMITTED]} contributions submitted, "
        f"{counts[ContributionStatus.DRAFT]} drafts, {counts[None]} not yet contributed."
    )


def start_today(now: datetime) -> datetime:
    """The demo meeting's start: the next half hour at least 90 minutes ahead, within today's
    09:30-21:30."""
    local = now.astimezone(AMSTERDAM)
    ahead = local + timedelta(minutes=90)
    rounded = ahead.replace(minute=0, second=0, microsecond=0) + timedelta(
        minutes=30 * -(-ahead.minute // 30)
    )
    earliest, latest = at_local_time(local.date(), EARLIEST), at_local_time(local.date(), LATEST)
    if rounded.date() != local.date():
        return latest
    return min(max(rounded, earliest), latest)


def _meeting_today(region: Region, coordinator: User) -> Meeting:
    today = timezone.localdate()
    day_start = at_local_time(today, time(0, 0))
    existing = (
        Meeting.objects.filter(
            region=region,
            kind=MeetingType.CASE_CONFERENCE,
            status=MeetingStatus.SCHEDULED,
            agenda_status=AgendaStatus.PUBLISHED,
            starts_at__gte=day_start,
            starts_at__lt=day_start + timedelta(days=1),
        )
        .filter(items__removed_at__isnull=True)
        .order_by("starts_at")
        .first()
    )
    return existing or _new_meeting(region, coordinator)


def _new_meeting(region: Region, coordinator: User) -> Meeting:
    starts_at = start_today(timezone.now())
    meeting = Meeting.objects.create(
        region=region,
        kind=MeetingType.CASE_CONFERENCE,
        starts_at=starts_at,
        ends_at=starts_at + DURATION,
        place="Zorg- en Veiligheidshuis Groningen, vergaderzaal 2",
        online_link="https://meet.example.org/mda-groningen",
        agenda_status=AgendaStatus.PUBLISHED,
        agenda_published_at=timezone.now(),
        information_deadline=starts_at - timedelta(minutes=30),
        created_by=coordinator,
    )
    start = starts_at
    for position, case in enumerate(_cases(region)):
        AgendaItem.objects.create(
            meeting=meeting,
            case=case,
            position=position,
            slot_minutes=SLOT_MINUTES,
            starts_at=start,
            ends_at=start + timedelta(minutes=SLOT_MINUTES),
            reason=ItemReason.REVIEW_DUE,
            added_by=coordinator,
        )
        start += timedelta(minutes=SLOT_MINUTES)
    invitations_sync(meeting=meeting)
    return meeting


def _cases(region: Region) -> list[Case]:
    """The first active cases (by reference) that at least two organisations are invited to."""
    chosen = []
    for case in (
        Case.objects.filter(region=region)
        .exclude(status__in=INACTIVE_STATUSES)
        .order_by("reference")
    ):
        if access.invited_organisations(case.pk).count() >= 2:
            chosen.append(case)
        if len(chosen) == CASES:
            break
    return chosen


def _author(organisation: Organisation) -> User | None:
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__role__in=PARTNER_ROLES,
        )
        .order_by("username")
        .first()
    )


def _contribution(item: AgendaItem, organisation: Organisation, author: User, state: Any) -> None:
    contribution = Contribution(
        item=item,
        case=item.case,
        organisation=organisation,
        author=author,
        author_domain=organisation.domain,
        visibility=default_note_visibility(organisation),
        status=state,
    )
    if state == ContributionStatus.SUBMITTED:
        contribution.submitted_at = timezone.now()
    for name in CONTRIBUTION_FIELDS:
        # A draft is not finished yet: its proposals are still empty.
        draft_gap = state == ContributionStatus.DRAFT and name == "proposals"
        text = "" if draft_gap else f"{organisation.name}: {TEXTS[name]}"
        crypto.seal(contribution, f"{name}_ct", text, item.case.data_key)
    contribution.save()
