"""Writes of the escalation ladder: the default ladder, the sweep that claims what is due, the
delivery of one notice, a coordinator's manual escalation, and acknowledging.

Exactly once, and what that means here
--------------------------------------
1. **Claim.** The sweep computes, per rung, the latest due date whose step is due (``timing``) and
   inserts an :class:`EscalationNotice` for every open agreement up to it that has none for
   (agreement, ladder round, rung). The insert ignores conflicts and the unique constraint decides:
   two sweeps at once create each notice once. Nothing is derived from task state; a sweep that
   never ran (beat or Redis down) is caught up by the next one from the stored due dates.
2. **Hand over.** Pending notices are marked ``queued_at`` (rows locked ``SKIP LOCKED``, so two
   sweeps do not both queue them) and their ids go to the broker. A notice whose message was lost
   (Redis down, a worker killed) is queued again by a later sweep once ``REQUEUE_AFTER`` passed.
3. **Send.** Delivery messages carry up to 25 ids (``tasks.DELIVERY_BATCH``). For each id a
   worker locks the pending notice (``SELECT ... FOR UPDATE SKIP LOCKED``), locks and re-checks
   the agreement (still open, same round), creates the in-app notifications and the recipient
   rows and marks the notice sent, all in ONE transaction. A second worker skips the locked row or
   finds it sent; a worker killed mid-way rolls back and the notice stays pending. So the notice
   and its in-app notifications happen exactly once, and nothing is sent for an agreement that was
   resolved first (the agreement's row lock orders the two).
4. **E-mail.** Each notification's e-mail is queued after commit and sent by ``mda.notifications``
   under its own outbox claim (``email_claimed_at``/``emailed_at``); mda's e-mail sweep queues
   those whose message was lost and retries stale claims. SMTP is outside any transaction, so
   e-mail is *at least once*: a worker killed between the SMTP hand-off and marking the row sent
   repeats that one e-mail after the claim timeout. We chose that over at-most-once: a missed
   escalation costs more than a duplicate e-mail.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from casework.access import require_coordinator
from casework.models import Agreement, AgreementStatus, Case
from mda import crypto
from mda.audit import audit_record
from mda.facts import fact_record
from mda.models import (
    AuditAction,
    FactKind,
    Notification,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
)
from mda.notifications import notification_acknowledge, notification_send
from mda.outbox import task_queue
from mda.workdays import work_calendar
from scheduling.models import (
    EscalationNotice,
    EscalationRecipient,
    Ladder,
    NoticeStatus,
    OrganisationScope,
    Rung,
)
from scheduling.timing import latest_due_date, rung_due_at

logger = logging.getLogger(__name__)

# A pending notice queued this long ago whose message never got to a worker (Redis lost it, a
# worker died holding it) is queued again. Tests of crashes shorten it in the worker's settings.
REQUEUE_AFTER = timedelta(minutes=5)
DISPATCH_BATCH = 500
INSERT_BATCH = 2000
MIN_REASON = 10
NOTIFICATION_KIND_REMINDER = "agreement_reminder"
NOTIFICATION_KIND_ESCALATION = "agreement_escalation"
NOTIFICATION_KIND_MANUAL = "case_escalation"


# --- The default ladder (../shared/domain.md) -------------------------------------------------


@dataclass(frozen=True)
class RungSpec:
    number: int
    name: str  # the English label; the Dutch name is its translation (the Dutch catalogue)
    offset: int
    values: dict[str, Any]


DEFAULT_RUNGS = [
    RungSpec(0, gettext_noop("Reminder"), -2, {"notify_owner": True}),
    RungSpec(0, gettext_noop("Reminder on the due date"), 0, {"notify_owner": True}),
    RungSpec(
        1,
        gettext_noop("Team lead of the owner organisation"),
        2,
        {"organisation_scope": OrganisationScope.OWNER, "roles": [Role.ESCALATION_OFFICIAL]},
    ),
    RungSpec(
        2,
        gettext_noop("Veilig Thuis"),
        5,
        {
            "organisation_scope": OrganisationScope.KIND,
            "organisation_kind": OrganisationKind.VEILIG_THUIS,
            "roles": [Role.ESCALATION_OFFICIAL],
        },
    ),
    RungSpec(
        3,
        gettext_noop("Zorg- en Veiligheidshuis"),
        10,
        {
            "organisation_scope": OrganisationScope.KIND,
            "organisation_kind": OrganisationKind.SAFETY_HOUSE,
            "roles": [Role.COORDINATOR, Role.ESCALATION_OFFICIAL],
        },
    ),
    RungSpec(
        4,
        gettext_noop("Mayor and alderman for youth"),
        15,
        {
            "organisation_scope": OrganisationScope.KIND,
            "organisation_kind": OrganisationKind.MUNICIPALITY,
            "roles": [Role.ESCALATION_OFFICIAL],
        },
    ),
]


def ladder_of(region: Region | int) -> Ladder:
    """The region's ladder; the default one (domain.md) is created the first time it is asked."""
    region_id = region if isinstance(region, int) else region.pk
    ladder = Ladder.objects.filter(region_id=region_id).first()
    if ladder is not None:
        return ladder
    with transaction.atomic():
        ladder, created = Ladder.objects.get_or_create(region_id=region_id)
        if created:
            _default_rungs_create(ladder)
    return ladder


def _default_rungs_create(ladder: Ladder) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        for spec in DEFAULT_RUNGS:
            rung = Rung(
                ladder=ladder,
                number=spec.number,
                name=_(spec.name),
                name_en=spec.name,
                offset_working_days=spec.offset,
                **spec.values,
            )
            rung.full_clean()
            rung.save()


# --- The sweep: claim what is due -------------------------------------------------------------


@dataclass
class SweepResult:
    claimed: int = 0  # due steps found without a notice (inserted, or by a concurrent sweep)
    cancelled: int = 0  # pending notices of agreements resolved or moved meanwhile


def escalations_sweep(*, now: datetime | None = None) -> SweepResult:
    """Find every (agreement, rung) that is due and has no notice yet, and create its notice."""
    now = now or timezone.now()
    result = SweepResult(cancelled=escalations_cancel_stale())
    # Regions with a case with an open agreement: through the region's cases (indexed), so a
    # region without any does not scan the others' agreements.
    open_agreement = Agreement.objects.open().filter(case_id=OuterRef("pk"))
    busy_case = Case.objects.filter(region_id=OuterRef("pk")).filter(Exists(open_agreement))
    region_ids = Region.objects.filter(Exists(busy_case)).values_list("pk", flat=True)
    for region_id in list(region_ids):
        ladder = ladder_of(region_id)
        for rung in ladder.rungs.filter(active=True):
            result.claimed += _claim_due(ladder, rung, now)
    return result


def _claim_due(ladder: Ladder, rung: Rung, now: datetime) -> int:
    calendar = work_calendar(ladder.region_id)  # the region's closing days count too
    cutoff = latest_due_date(now, rung.offset_working_days, ladder.send_time, calendar=calendar)
    has_notice = EscalationNotice.objects.filter(
        agreement=OuterRef("pk"), ladder_round=OuterRef("ladder_round"), rung=rung, manual=False
    )
    due = (
        Agreement.objects.open()
        .filter(case__region_id=ladder.region_id, due_date__lte=cutoff)
        .exclude(Exists(has_notice))
        .order_by()
        .values_list("pk", "case_id", "ladder_round", "due_date")
    )
    rows = list(due)
    moments: dict[Any, datetime] = {}
    for start in range(0, len(rows), INSERT_BATCH):
        notices = []
        for agreement_id, case_id, ladder_round, due_date in rows[start : start + INSERT_BATCH]:
            if due_date not in moments:
                moments[due_date] = rung_due_at(
                    due_date, rung.offset_working_days, ladder.send_time, calendar=calendar
                )
            notices.append(
                EscalationNotice(
                    id=uuid.uuid4(),
                    case_id=case_id,
                    agreement_id=agreement_id,
                    ladder_round=ladder_round,
                    rung=rung,
                    rung_number=rung.number,
                    rung_name=rung.name,
                    rung_name_en=rung.name_en,
                    due_at=moments[due_date],
                    agreement_due_date=due_date,
                )
            )
        with transaction.atomic():
            EscalationNotice.objects.bulk_create(notices, ignore_conflicts=True)
    return len(rows)


def escalations_cancel_stale(*, agreement: Agreement | None = None) -> int:
    """Cancel pending automatic notices whose agreement is no longer open or moved on to a new
    ladder round (the worker checks this too; this keeps the queue clean)."""
    current = Agreement.objects.filter(
        pk=OuterRef("agreement_id"),
        status=AgreementStatus.OPEN,
        ladder_round=OuterRef("ladder_round"),
    )
    stale = EscalationNotice.objects.filter(status=NoticeStatus.PENDING, manual=False).exclude(
        Exists(current)
    )
    if agreement is not None:
        stale = stale.filter(agreement=agreement)
    return stale.update(status=NoticeStatus.CANCELLED, cancelled_at=timezone.now())


def escalations_claim_for_dispatch(
    *, now: datetime | None = None, limit: int = DISPATCH_BATCH
) -> list[uuid.UUID]:
    """Pending notices never handed to the broker, or handed over long enough ago that the
    message must be lost: mark them queued (rows locked, skipping those a worker holds)."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            EscalationNotice.objects.select_for_update(skip_locked=True)
            .filter(status=NoticeStatus.PENDING)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - requeue_after()))
            .order_by("created_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            EscalationNotice.objects.filter(pk__in=ids).update(queued_at=now)
    return ids


def requeue_after() -> timedelta:
    seconds = getattr(settings, "MDA_ESCALATION_REQUEUE_SECONDS", None)
    return REQUEUE_AFTER if seconds is None else timedelta(seconds=seconds)


def escalations_unqueue(ids: Iterable[uuid.UUID]) -> None:
    """The broker did not take these: let the next sweep queue them at once."""
    EscalationNotice.objects.filter(pk__in=list(ids), status=NoticeStatus.PENDING).update(
        queued_at=None
    )


# --- Delivery of one notice -------------------------------------------------------------------


def escalation_deliver(*, notice_id: uuid.UUID | str) -> str:
    """Send one notice, once: 'sent', 'cancelled' (agreement resolved or moved) or 'skipped'
    (another worker has it, or it was handled already)."""
    with transaction.atomic():
        notice = (
            EscalationNotice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case__region", "rung")
            .filter(pk=notice_id, status=NoticeStatus.PENDING)
            .first()
        )
        if notice is None:
            return "skipped"
        agreement = None
        if notice.agreement_id is not None:
            agreement = (
                # NO KEY: the sweep's inserts (a foreign key share lock) need not wait for this.
                Agreement.objects.select_for_update(of=("self",), no_key=True)
                .select_related("owner_organisation", "owner")
                .get(pk=notice.agreement_id)
            )
            if not notice.manual and not _still_due(notice, agreement):
                notice.status, notice.cancelled_at = NoticeStatus.CANCELLED, timezone.now()
                notice.save(update_fields=["status", "cancelled_at"])
                return "cancelled"
        _send(notice, agreement)
    return "sent"


def _still_due(notice: EscalationNotice, agreement: Agreement) -> bool:
    return (
        agreement.status == AgreementStatus.OPEN and agreement.ladder_round == notice.ladder_round
    )


def _send(notice: EscalationNotice, agreement: Agreement | None) -> None:
    recipients, fallback = notice_recipients(notice, agreement)
    with translation.override(settings.LANGUAGE_CODE):
        kind, subject, body = _message(notice)
    notifications = notification_send(
        recipients=recipients,
        kind=kind,
        subject=subject,
        body=body,
        link=reverse("scheduling:escalation-detail", args=[notice.pk]),
        case_reference=notice.case.reference,
    )
    by_user = {n.recipient_id: n for n in notifications}
    EscalationRecipient.objects.bulk_create(
        [
            EscalationRecipient(
                notice=notice, user=user, notification=by_user.get(user.pk), fallback=fallback
            )
            for user in recipients
        ]
    )
    notice.status, notice.sent_at = NoticeStatus.SENT, timezone.now()
    notice.save(update_fields=["status", "sent_at"])
    fact_record(FactKind.ESCALATION, case=notice.case, category=str(notice.rung_number))


def notice_recipients(
    notice: EscalationNotice, agreement: Agreement | None
) -> tuple[list[User], bool]:
    """Who the rung tells for this notice; when that is nobody, the region's coordinators (so a
    step is never lost to a gap in the configuration) and ``True``."""
    rung = notice.rung
    owner_org = agreement.owner_organisation if agreement is not None else notice.organisation
    users: dict[int, User] = {}
    if rung.notify_owner:
        for user in _owners(agreement, owner_org):
            users[user.pk] = user
    organisations = _rung_organisations(rung, notice.case.region_id, owner_org)
    if organisations is not None:
        for user in User.objects.filter(
            is_active=True,
            memberships__organisation__in=organisations,
            memberships__role__in=rung.roles,
        ).distinct():
            users[user.pk] = user
    for user in rung.users.filter(is_active=True):
        users[user.pk] = user
    if users:
        return sorted(users.values(), key=lambda u: u.pk), False
    return list(_coordinators(notice.case.region_id)), True


def _owners(agreement: Agreement | None, owner_org: Organisation | None) -> Iterable[User]:
    """The owner; when no person owns it, the owner organisation's escalation officials."""
    if agreement is not None and agreement.owner is not None and agreement.owner.is_active:
        return [agreement.owner]
    if owner_org is None:
        return []
    return User.objects.filter(
        is_active=True,
        memberships__organisation=owner_org,
        memberships__role=Role.ESCALATION_OFFICIAL,
    ).distinct()


def _rung_organisations(rung: Rung, region_id: int, owner_org: Organisation | None) -> Any:
    scope = rung.organisation_scope
    if scope == OrganisationScope.OWNER:
        return Organisation.objects.filter(pk=owner_org.pk) if owner_org else None
    if scope == OrganisationScope.KIND:
        return Organisation.objects.filter(region_id=region_id, kind=rung.organisation_kind)
    if scope == OrganisationScope.ORGANISATION and rung.organisation_id is not None:
        return Organisation.objects.filter(pk=rung.organisation_id)
    return None


def _coordinators(region_id: int) -> Any:
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation__region_id=region_id,
            memberships__role=Role.COORDINATOR,
        )
        .distinct()
        .order_by("pk")
    )


def _message(notice: EscalationNotice) -> tuple[str, str, str]:
    """Kind, subject and body: a reference, the rung, a date. Never content or names."""
    values = {
        "reference": notice.case.reference,
        "rung": f"{notice.rung_number} ({notice.rung_label})",
        "due": date_format(notice.agreement_due_date, "DATE_FORMAT")
        if notice.agreement_due_date
        else "",
    }
    if notice.manual:
        kind = NOTIFICATION_KIND_MANUAL
        subject = _("Escalation by hand to rung %(rung)s: case %(reference)s")
        body = _(
            "A coordinator escalated case %(reference)s by hand to rung %(rung)s of the "
            "escalation ladder because cooperation stalls. The reason is in the service; "
            "please acknowledge this escalation there."
        )
    elif notice.rung_number == 0:
        kind = NOTIFICATION_KIND_REMINDER
        subject = _("Reminder: an agreement in case %(reference)s is due on %(due)s")
        body = _(
            "An agreement in case %(reference)s is due on %(due)s. Open the service to see it "
            "and mark it done when it is."
        )
    else:
        kind = NOTIFICATION_KIND_ESCALATION
        subject = _(
            "Escalation, rung %(rung)s: an agreement in case %(reference)s was due on %(due)s"
        )
        body = _(
            "An agreement in case %(reference)s was due on %(due)s and is still open. It has "
            "reached rung %(rung)s of the escalation ladder. Open the service to see what you "
            "may of it and acknowledge this escalation."
        )
    return kind, subject % values, body % values


# --- By hand, and acknowledging ---------------------------------------------------------------


@transaction.atomic
def escalation_raise(
    *,
    actor: User,
    case: Case,
    rung: Rung,
    reason: str,
    organisation: Organisation | None = None,
    agreement: Agreement | None = None,
) -> EscalationNotice:
    """A coordinator escalates *case* by hand (stagnating cooperation) to any rung, with a reason.
    Sent like the automatic ones, by a worker; never folded into them (no unique step)."""
    require_coordinator(actor, case)
    errors = _manual_errors(case, rung, reason, organisation, agreement)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    notice = EscalationNotice(
        id=uuid.uuid4(),
        case=case,
        agreement=agreement,
        ladder_round=agreement.ladder_round if agreement else 0,
        rung=rung,
        rung_number=rung.number,
        rung_name=rung.name,
        rung_name_en=rung.name_en,
        manual=True,
        organisation=organisation or (agreement.owner_organisation if agreement else None),
        raised_by=actor,
        due_at=now,
        agreement_due_date=agreement.due_date if agreement else None,
        queued_at=now,
    )
    crypto.seal(notice, "reason_ct", reason.strip(), case.data_key)
    notice.full_clean()
    notice.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="escalation",
        object_id=str(notice.pk),
        case=case,
        detail={"rung": rung.number, "manual": True},
    )
    notice_id = notice.pk
    transaction.on_commit(lambda: _enqueue_one(notice_id), robust=True)
    return notice


def _manual_errors(
    case: Case,
    rung: Rung,
    reason: str,
    organisation: Organisation | None,
    agreement: Agreement | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if rung.ladder.region_id != case.region_id or not rung.active:
        errors["rung"] = _("Choose a rung of this region's ladder.")
    if len(reason.strip()) < MIN_REASON:
        errors["reason"] = _("Give a reason of at least %d characters.") % MIN_REASON
    if organisation is not None and organisation.region_id != case.region_id:
        errors["organisation"] = _("The organisation must belong to the case's region.")
    if agreement is not None and agreement.case_id != case.pk:
        errors["agreement"] = _("The agreement must belong to this case.")
    if (
        rung.organisation_scope == OrganisationScope.OWNER
        and organisation is None
        and agreement is None
    ):
        errors["organisation"] = _(
            "This rung tells the team lead of an organisation: say which organisation's "
            "cooperation stalls, or choose an agreement."
        )
    return errors


def _enqueue_one(notice_id: uuid.UUID) -> None:
    task_queue("scheduling.tasks.deliver_escalation", str(notice_id))


@transaction.atomic
def escalation_acknowledge(*, actor: User, notice: EscalationNotice) -> Notification | None:
    """The recipient acknowledges a notice (its in-app notification); None if not a recipient.
    The figures count a notice as acknowledged once, at its first acknowledgement (the row lock
    orders recipients acknowledging at the same time)."""
    EscalationNotice.objects.select_for_update().filter(pk=notice.pk).first()
    delivery = notice.deliveries.filter(user=actor).select_related("notification").first()
    if delivery is None or delivery.notification is None:
        return None
    first = not notice.deliveries.filter(notification__acknowledged_at__isnull=False).exists()
    notification = notification_acknowledge(actor=actor, notification=delivery.notification)
    if first and notice.sent_at is not None:
        fact_record(
            FactKind.ESCALATION_ACKNOWLEDGED,
            case=notice.case,
            on=notice.sent_at,
            category=str(notice.rung_number),
        )
    return notification
