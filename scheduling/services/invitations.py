"""Invitations per organisation: e-mail with an iCalendar attachment per slot, responses, and each
user's calendar feed.

``invitations_sync`` compares, for every slot of a published meeting, what each organisation should
know (the organisations taking part in the case at level >= 1, the slot's time, place, link and
deadline) with what it was last sent (:class:`Invitation`: sequence, fingerprint, cancelled). Every
difference becomes a line (REQUEST with a raised SEQUENCE, or CANCEL) of one e-mail per organisation
(:class:`InvitationMessage`), created in the caller's transaction and sent after commit by a worker
that claims the message first (``filter(sent_at=None, claim free).update(claimed_at=now)``); the
beat sweep picks up messages whose task never ran or whose worker died. The unique (invitation,
sequence) constraint is the last line of defence against sending a revision twice.

E-mails carry no personal data: the case reference, the time, the place, the online link and a link
into the service. They go to the organisation's functional address and its professionals.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mda.audit import audit_record
from mda.models import AuditAction, Organisation, Role, User
from mda.outbox import Outbox
from scheduling import access
from scheduling.ical import SlotEvent, invitation_ics
from scheduling.models import (
    AgendaItem,
    AgendaStatus,
    CalendarFeed,
    Invitation,
    InvitationLine,
    InvitationMessage,
    InvitationMethod,
    InvitationResponse,
    Meeting,
    MeetingStatus,
)
from scheduling.selectors.invitations import local, local_span, meeting_link, slot_event

logger = logging.getLogger(__name__)

OUTBOX = Outbox(
    model=InvitationMessage,
    task="scheduling.tasks.send_invitation_message",
)


# --- What a slot looks like in a calendar --------------------------------------------------------


def _fingerprint(item: AgendaItem, meeting: Meeting) -> str:
    deadline = item.information_deadline or meeting.information_deadline
    parts = [
        item.starts_at.isoformat(),
        item.ends_at.isoformat(),
        meeting.place,
        meeting.online_link,
        deadline.isoformat() if deadline else "",
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# --- Sync: what each organisation should know, against what it was sent --------------------------


def _wanted(item: AgendaItem, meeting: Meeting, invited: dict[Any, set[int]]) -> set[int]:
    if item.removed_at is not None or meeting.status == MeetingStatus.CANCELLED:
        return set()
    return invited.get(item.case_id, set())


@dataclass
class _Changes:
    """What a sync writes, collected over every item and written in bulk."""

    new: list[Invitation] = field(default_factory=list)
    changed: list[Invitation] = field(default_factory=list)
    lines: dict[int, list[tuple[Invitation, str]]] = field(default_factory=dict)

    def line(self, organisation_id: int, invitation: Invitation, method: str) -> None:
        self.lines.setdefault(organisation_id, []).append((invitation, method))


def _item_lines(item: AgendaItem, meeting: Meeting, wanted: set[int], out: _Changes) -> None:
    """Collect in *out* every organisation whose knowledge of *item* is out of date: a new
    invitation, or one whose sequence is raised (REQUEST), or cancelled (CANCEL)."""
    fingerprint = _fingerprint(item, meeting)
    sent = {inv.organisation_id: inv for inv in item.invitations.all()}
    for organisation_id in sorted(wanted):
        invitation = sent.get(organisation_id)
        if invitation is None:
            invitation = Invitation(
                item=item, organisation_id=organisation_id, sequence=0, fingerprint=fingerprint
            )
            out.new.append(invitation)
        elif invitation.cancelled or invitation.fingerprint != fingerprint:
            invitation.sequence += 1
            invitation.cancelled, invitation.fingerprint = False, fingerprint
            out.changed.append(invitation)
        else:
            continue
        out.line(organisation_id, invitation, InvitationMethod.REQUEST)
    for organisation_id, invitation in sent.items():
        if organisation_id not in wanted and not invitation.cancelled:
            invitation.sequence += 1
            invitation.cancelled = True
            out.changed.append(invitation)
            out.line(organisation_id, invitation, InvitationMethod.CANCEL)


def invitations_sync(*, meeting: Meeting) -> int:
    """Bring what every organisation was sent about *meeting* in line with its published agenda;
    the number of e-mails queued. Runs inside the caller's transaction (it locks the meeting).
    A constant number of statements whatever the number of slots and organisations: the invited
    organisations of every slot in one query, invitations and messages written in bulk."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update(no_key=True).get(pk=meeting.pk)
        if meeting.agenda_status != AgendaStatus.PUBLISHED:
            return 0
        items = list(meeting.items.select_related("case").prefetch_related("invitations"))
        invited = access.invited_organisations_of({item.case_id for item in items})
        changes = _Changes()
        for item in items:
            _item_lines(item, meeting, _wanted(item, meeting, invited), changes)
        Invitation.objects.bulk_create(changes.new)
        Invitation.objects.bulk_update(changes.changed, ["sequence", "cancelled", "fingerprint"])
        message_ids = _messages(meeting, changes.lines)
    if message_ids:
        OUTBOX.queue_on_commit(message_ids)
    return len(message_ids)


def _messages(meeting: Meeting, lines: dict[int, list[tuple[Invitation, str]]]) -> list[Any]:
    """One message per organisation with a line per slot, in two statements."""
    messages = {
        org: InvitationMessage(meeting=meeting, organisation_id=org) for org in sorted(lines)
    }
    InvitationMessage.objects.bulk_create(messages.values())
    InvitationLine.objects.bulk_create(
        InvitationLine(
            message=messages[org],
            invitation=invitation,
            method=method,
            sequence=invitation.sequence,
            starts_at=invitation.item.starts_at,
            ends_at=invitation.item.ends_at,
        )
        for org, org_lines in lines.items()
        for invitation, method in org_lines
    )
    return [message.pk for message in messages.values()]


def invitations_sync_upcoming(*, now: Any = None) -> int:
    """The sweep: participations change (added, revoked, expired) without touching the agenda."""
    now = now or timezone.now()
    count = 0
    upcoming = Meeting.objects.filter(agenda_status=AgendaStatus.PUBLISHED, ends_at__gt=now)
    for meeting in upcoming.filter(status=MeetingStatus.SCHEDULED):
        with transaction.atomic():
            count += invitations_sync(meeting=meeting)
    return count


# --- Sending: claim, send, mark ------------------------------------------------------------------


def _recipients(organisation: Organisation) -> list[str]:
    """The organisation's functional address and its professionals' addresses."""
    professionals = User.objects.filter(
        is_active=True,
        memberships__organisation=organisation,
        memberships__role=Role.PROFESSIONAL,
    ).exclude(email="")
    addresses = [organisation.email] if organisation.email else []
    for address in professionals.order_by("email").values_list("email", flat=True).distinct():
        if address not in addresses:
            addresses.append(address)
    return addresses


def _subject(meeting: Meeting, lines: list[InvitationLine]) -> str:
    when = local(meeting.starts_at)
    kind = meeting.get_kind_display()
    if all(line.method == InvitationMethod.CANCEL for line in lines):
        return _("Cancelled: %(kind)s on %(when)s") % {"kind": kind, "when": when}
    if any(line.sequence > 0 for line in lines):
        return _("Changed: %(kind)s on %(when)s") % {"kind": kind, "when": when}
    return _("Invitation: %(kind)s on %(when)s") % {"kind": kind, "when": when}


def _body_line(line: InvitationLine) -> str:
    reference = line.invitation.item.case.reference
    if line.method == InvitationMethod.CANCEL:
        return str(_("%(reference)s: cancelled") % {"reference": reference})
    return f"{reference}: {local_span(line.starts_at, line.ends_at)}"


def _email(message: InvitationMessage, recipients: list[str]) -> EmailMessage:
    """The e-mail of one message: one line and one .ics attachment per slot."""
    meeting = message.meeting
    lines = list(
        message.lines.select_related("invitation__item__case", "invitation__item__meeting")
    )
    cancelled = meeting.status == MeetingStatus.CANCELLED
    intro = (
        _("The meeting is cancelled. Your organisation (%(organisation)s) was invited for:")
        if cancelled
        else _("Your organisation (%(organisation)s) is invited for these cases:")
    )
    body = [
        intro % {"organisation": message.organisation.name},
        "",
        *[_body_line(line) for line in lines],
        "",
    ]
    if cancelled and meeting.cancel_reason:
        body += [_("Reason: %(reason)s") % {"reason": meeting.cancel_reason}, ""]
    if meeting.place:
        body.append(_("Place: %(place)s") % {"place": meeting.place})
    if meeting.online_link:
        body.append(_("Online: %(link)s") % {"link": meeting.online_link})
    body.append(_("Agenda and details: %(link)s") % {"link": meeting_link(meeting)})
    email = EmailMessage(
        subject=f"[MDA++] {_subject(meeting, lines)}",
        body="\n".join(str(part) for part in body) + "\n",
        to=recipients[:1],
        bcc=recipients[1:],
    )
    for line in lines:
        _attach(email, line, message.organisation)
    return email


def _attach(email: EmailMessage, line: InvitationLine, organisation: Organisation) -> None:
    item = line.invitation.item
    cancelled = line.method == InvitationMethod.CANCEL
    slot = slot_event(
        item, sequence=line.sequence, cancelled=cancelled, attendee_email=organisation.email
    )
    # The slot's time as it was when the line was made: a later change has a line of its own.
    slot = SlotEvent(**{**slot.__dict__, "starts_at": line.starts_at, "ends_at": line.ends_at})
    email.attach(
        f"{item.case.reference}.ics",
        invitation_ics(slot),
        f"text/calendar; method={line.method}",  # Django adds the charset
    )


def invitation_message_send(*, message_id: Any) -> bool:
    """Send one message, once (``Outbox.deliver``). False when there was nothing to do (sent
    already, or claimed by another worker less than ``claim_timeout()`` ago)."""
    message = (
        InvitationMessage.objects.select_related("meeting", "organisation")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return False
    recipients = _recipients(message.organisation)

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            email = _email(message, recipients)
        if recipients:
            email.send()

    return OUTBOX.deliver(message_id, send, after=lambda: _audit_sent(message, len(recipients)))


def _audit_sent(message: InvitationMessage, recipient_count: int) -> None:
    """One event per message sent, naming every case whose slot it disclosed."""
    lines = list(message.lines.select_related("invitation__item__case__region").order_by("pk"))
    audit_record(
        actor=None,
        action=AuditAction.DISCLOSE,
        object_type="invitation",
        object_id=str(message.pk),
        cases=[line.invitation.item.case for line in lines],
        organisation=message.organisation,
        detail={
            "lines": len(lines),
            "methods": sorted({line.method for line in lines}),
            "sequences": [line.sequence for line in lines],
            "recipients": recipient_count,
        },
    )


def invitation_messages_pending() -> list[Any]:
    """Messages never sent whose claim is free or stale (broker down, worker died)."""
    return OUTBOX.pending()


# --- Responses -----------------------------------------------------------------------------------


@transaction.atomic
def invitation_respond(
    *, actor: User, item: AgendaItem, organisation: Organisation, response: str
) -> Invitation:
    """A partner answers for its organisation: attending, apology or information in writing."""
    if response not in InvitationResponse.values:
        raise ValidationError({"response": _("Choose attending, apology or sent in writing.")})
    answering = access.organisations_answering_for(actor, item.case_id)
    if not answering.filter(pk=organisation.pk).exists():
        raise PermissionDenied
    meeting = item.meeting
    if meeting.status == MeetingStatus.CANCELLED or meeting.ends_at <= timezone.now():
        raise ValidationError(_("This meeting is over or cancelled."))
    invitation = _invitation_for(item, organisation)
    invitation.response = response
    invitation.responded_at, invitation.responded_by = timezone.now(), actor
    invitation.save(update_fields=["response", "responded_at", "responded_by"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type="invitation",
        object_id=str(invitation.pk),
        case=item.case,
        organisation=organisation,
        detail={"response": response},
    )
    return invitation


def _invitation_for(item: AgendaItem, organisation: Organisation) -> Invitation:
    """The organisation's invitation, made now if the sweep has not caught up with a new
    participation yet."""
    found = Invitation.objects.select_for_update().filter(item=item, organisation=organisation)
    if not found.exists():
        invitations_sync(meeting=item.meeting)
    invitation = found.first()
    if invitation is None or invitation.cancelled:
        raise PermissionDenied
    return invitation


# --- The personal calendar feed ------------------------------------------------------------------


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def calendar_feed_issue(*, actor: User) -> tuple[CalendarFeed, str]:
    """A new secret feed address for *actor*; any previous one stops working."""
    calendar_feed_revoke(actor=actor)
    raw = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=actor, digest=_digest(raw), prefix=raw[:8])
    audit_record(
        actor=actor, action=AuditAction.CREATE, object_type="calendar_feed", object_id=str(feed.pk)
    )
    return feed, raw


@transaction.atomic
def calendar_feed_revoke(*, actor: User) -> int:
    revoked = CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record(actor=actor, action=AuditAction.REVOKE, object_type="calendar_feed")
    return revoked


def calendar_feed_user(raw: str) -> User | None:
    """The active user a feed token belongs to, or None (unknown, revoked, inactive)."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user
