"""The escalation sweep and delivery as they were before batching: one claim query per region and
rung, and one transaction with its own recipient look-ups per notice. Kept only as the baseline
that ``bench/sweep.py`` measures in the same run; never used by the service."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework.models import Agreement, AgreementStatus, Case
from mda.models import (
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
)
from mda.notifications import notification_send
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
    name: str  # English source; stored translated into the default language
    offset: int
    values: dict[str, Any]


DEFAULT_RUNGS = [
    RungSpec(0, "Reminder", -2, {"notify_owner": True}),
    RungSpec(0, "Reminder on the due date", 0, {"notify_owner": True}),
    RungSpec(
        1,
        "Team lead of the owner organisation",
        2,
        {"organisation_scope": OrganisationScope.OWNER, "roles": [Role.ESCALATION_OFFICIAL]},
    ),
    RungSpec(
        2,
        "Veilig Thuis",
        5,
        {
            "organisation_scope": OrganisationScope.KIND,
            "organisation_kind": OrganisationKind.VEILIG_THUIS,
            "roles": [Role.ESCALATION_OFFICIAL],
        },
    ),
    RungSpec(
        3,
        "Zorg- en Veiligheidshuis",
        10,
        {
            "organisation_scope": OrganisationScope.KIND,
            "organisation_kind": OrganisationKind.SAFETY_HOUSE,
            "roles": [Role.COORDINATOR, Role.ESCALATION_OFFICIAL],
        },
    ),
    RungSpec(
        4,
        "Mayor and alderman for youth",
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
    calendar = work_calendar(ladder.region_id)
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
                    due_date,
                    rung.offset_working_days,
                    ladder.send_time,
                    calendar=work_calendar(ladder.region_id),
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
        "rung": f"{notice.rung_number} ({notice.rung_name})",
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
