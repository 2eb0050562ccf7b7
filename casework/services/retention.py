"""Retention: legal holds, the warnings before destruction, and destruction by crypto-shredding.

Destroying a case (``case_destroy``, one transaction per case)
-------------------------------------------------------------
1. Claim: lock the case row while it is not destroyed, check it is still due (a hold placed a
   second ago wins), and set ``destroyed_at`` by a conditional update; a second run, or a run
   racing this one, finds nothing to claim. The destruction record's one-to-one on the case is the
   last line of defence.
2. Strip the statistics token from the case's anonymous facts (``mda.facts.facts_unlink``): the
   figures stay exactly as they were, but nothing links the facts to each other any more. Facts
   are never deleted.
3. Delete every row that depends on the case (every relation to ``Case`` that cascades, found
   from the models, so a model added later is included without being named here): household,
   identity vault and its blind indexes, referral, notes, timeline, plan, check-ins, readings,
   risk instruments, agreements and their history, participations, reveals, legal holds, agenda
   slots with their minutes and invitations, escalation notices, subject-access items.
4. Empty the case row's own encrypted columns and the links that say who worked on it; what stays
   is the tombstone: reference, region, referring organisation, dates, status.
5. Shred the data key (``mda.crypto.data_key_shred``): any copy of any ciphertext of the case, in
   a backup or a log, can never be decrypted again.
6. Write the destruction record and an audit event (metadata only).

A crash anywhere rolls the whole case back; the next run (every night) takes it again. Audit
events, notifications and e-mails keep the reference (they never held content), and every list,
page and API answers 404 for the tombstone (``casework.access.cases_visible_to``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework import access
from casework.models import (
    Case,
    DestructionRecord,
    DestructionRun,
    LegalHold,
    RegionPolicy,
    RetentionWarning,
)
from casework.models.policy import SHORT_RETENTION_STATUSES
from casework.selectors.retention import RetentionPlan, retention_plan
from casework.transitions import TERMINAL
from mda import crypto
from mda.access import coordinators_of
from mda.audit import audit_record
from mda.errors import Conflict
from mda.facts import facts_unlink
from mda.models import AuditAction, Region, User
from mda.notifications import notification_send
from mda.workdays import AMSTERDAM, add_months

logger = logging.getLogger(__name__)

HOLD_MAX_YEARS = 5
REASON_MIN = 10


# --- Legal holds ---------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(*, actor: User, case: Case, reason: str, until: date | None) -> LegalHold:
    """A coordinator postpones the destruction of *case* until *until*, with a reason."""
    access.require_coordinator(actor, case)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if len(reason.strip()) < REASON_MIN:
        errors["reason"] = _("Give the reason for the hold (at least 10 characters).")
    if until is None or until <= today:
        errors["until"] = _("The hold must end on a date in the future.")
    elif until > add_months(today, 12 * HOLD_MAX_YEARS):
        errors["until"] = _("A hold lasts at most five years; place a new one when it ends.")
    if errors:
        raise ValidationError(errors)
    assert until is not None
    hold = LegalHold(case=case, until=until, placed_by=actor, placed_at=timezone.now())
    crypto.seal(hold, "reason_ct", reason.strip(), case.data_key)
    hold.full_clean()
    hold.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="legal_hold",
        object_id=str(hold.pk),
        case=case,
        detail={"until": until.isoformat()},
    )
    return hold


@transaction.atomic
def legal_hold_release(*, actor: User, case: Case, hold_id: Any) -> LegalHold:
    """A coordinator ends a hold before its date (the case's destruction is planned anew)."""
    access.require_coordinator(actor, case)
    hold = LegalHold.objects.select_for_update().filter(case=case, pk=hold_id).first()
    if hold is None:
        raise Http404
    if hold.released_at is not None or hold.until < timezone.localdate():
        raise Conflict(_("This hold has already ended."))
    hold.released_at, hold.released_by = timezone.now(), actor
    hold.save(update_fields=["released_at", "released_by"])
    audit_record(
        actor=actor,
        action=AuditAction.REVOKE,
        object_type="legal_hold",
        object_id=str(hold.pk),
        case=case,
        detail={"until": hold.until.isoformat()},
    )
    return hold


# --- Candidates ----------------------------------------------------------------------------------


def _start_of_day_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=AMSTERDAM)


def _ended_by(region: Region, policy: RegionPolicy, horizon: date) -> Q:
    """Cases of *region* whose term runs out on or before *horizon* (before holds and warnings).
    Ended on day D with a term of M months: due on D + M, so D <= horizon - M months."""
    short = Q(status__in=SHORT_RETENTION_STATUSES) & Q(
        ended_at__lt=_start_of_day_after(add_months(horizon, -policy.retention_short_months))
    )
    long_statuses = [s for s in TERMINAL if s not in SHORT_RETENTION_STATUSES]
    long = Q(status__in=long_statuses) & Q(
        ended_at__lt=_start_of_day_after(add_months(horizon, -policy.retention_months))
    )
    return Q(region=region) & (short | long)


def _candidates(today: date, *, warning: bool) -> Iterator[tuple[Case, RegionPolicy]]:
    """Ended cases whose term (plus, for warnings, the warning period) has come, per region."""
    policies = {p.region_id: p for p in RegionPolicy.objects.all()}
    for region in Region.objects.order_by("pk"):
        policy = policies.get(region.pk) or RegionPolicy(region=region)
        horizon = today + timedelta(days=policy.retention_warning_days) if warning else today
        cases = (
            Case.objects.filter(destroyed_at__isnull=True, ended_at__isnull=False)
            .filter(_ended_by(region, policy, horizon))
            .select_related("region")
            .order_by("ended_at")
        )
        for case in cases.iterator(chunk_size=500):
            yield case, policy


# --- Warnings ------------------------------------------------------------------------------------


def retention_warnings_send(*, today: date | None = None) -> int:
    """The sweep's first half: warn the coordinators of every case whose destruction comes within
    the region's warning period, once per case and planned date (inserted before notifying)."""
    today = today or timezone.localdate()
    sent = 0
    for case, policy in _candidates(today, warning=True):
        plan = retention_plan(case, today=today, policy=policy)
        if plan is None or not plan.warn_due(today):
            continue
        sent += _warn(case, plan, today)
    return sent


def _warn(case: Case, plan: RetentionPlan, today: date) -> int:
    try:
        with transaction.atomic():
            RetentionWarning.objects.create(
                case=case, destroy_on=plan.scheduled, sent_at=timezone.now()
            )
            destroy_on = max(plan.scheduled, today + timedelta(days=plan.warning_days))
            notification_send(
                recipients=coordinators_of(case.region_id),
                kind="retention_warning",
                subject=_("%(ref)s will be destroyed on %(date)s")
                % {"ref": case.reference, "date": date_format(destroy_on)},
                body=_(
                    "The retention term of this case ends. Unless a coordinator places a legal "
                    "hold with a reason, the case is destroyed on %(date)s and only an anonymous "
                    "tombstone remains."
                )
                % {"date": date_format(destroy_on)},
                link=reverse("casework:case-detail", args=[case.pk]),
                case_reference=case.reference,
            )
    except IntegrityError:
        return 0  # another sweep warned of this date first
    return 1


# --- Destruction ---------------------------------------------------------------------------------


def destruction_run(*, today: date | None = None) -> DestructionRun:
    """The sweep's second half: destroy every case that is due, each in its own transaction.

    A case whose destruction fails is logged, counted and left for the next run; a run that
    dies half-way leaves its record without ``finished_at``, and the next run resumes."""
    today = today or timezone.localdate()
    run = DestructionRun.objects.create(started_at=timezone.now())
    due = [
        case.pk
        for case, policy in _candidates(today, warning=False)
        if (plan := retention_plan(case, today=today, policy=policy)) and plan.due(today)
    ]
    for case_id in due:
        try:
            case_destroy(case_id=case_id, run=run, today=today)
        except Exception:
            logger.exception("Destroying case %s failed; the next run tries again.", case_id)
            DestructionRun.objects.filter(pk=run.pk).update(failed=F("failed") + 1)
    DestructionRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    run.refresh_from_db()
    return run


def retention_sweep(*, today: date | None = None) -> DestructionRun:
    """Warn first, then destroy: what the nightly task runs."""
    retention_warnings_send(today=today)
    return destruction_run(today=today)


@transaction.atomic
def case_destroy(*, case_id: Any, run: DestructionRun, today: date) -> DestructionRecord | None:
    """Destroy one case if it is (still) due; None when there is nothing to do. See the module's
    docstring for the steps."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("region", "data_key")
        .filter(pk=case_id, destroyed_at__isnull=True)
        .first()
    )
    plan = retention_plan(case, today=today) if case is not None else None
    if case is None or plan is None or not plan.due(today):
        return None
    now = timezone.now()
    if Case.objects.filter(pk=case.pk, destroyed_at__isnull=True).update(destroyed_at=now) != 1:
        return None
    facts_unlink(case)
    held = [h.until for h in LegalHold.objects.filter(case=case)]
    case_dependents_delete(case)
    _tombstone(case, now)
    crypto.data_key_shred(case.data_key)
    assert case.ended_at is not None  # a plan exists only for an ended case
    record = DestructionRecord.objects.create(
        run=run,
        case=case,
        reference=case.reference,
        region=case.region,
        status=case.status,
        rule=plan.rule,
        term_months=plan.term_months,
        referred_at=case.created_at,
        ended_at=case.ended_at,
        due_on=plan.destroy_on,
        held_until=max(held) if held else None,
        destroyed_at=now,
    )
    audit_record(
        actor=None,
        action=AuditAction.CHANGE,
        object_type="case_destruction",
        object_id=str(case.pk),
        case=case,
        detail={"rule": plan.rule, "term_months": plan.term_months, "run": str(run.pk)},
    )
    DestructionRun.objects.filter(pk=run.pk).update(destroyed=F("destroyed") + 1)
    return record


def case_dependents_delete(case: Case) -> int:
    """Delete every row that depends on *case* through a cascading relation (and what cascades
    from those), leaving the case row itself. Returns how many rows went."""
    removed = 0
    for relation in Case._meta.related_objects:
        if relation.on_delete is not models.CASCADE:
            continue  # the destruction record (PROTECT) and other cases' repeat_of (SET_NULL)
        model = relation.related_model
        assert not isinstance(model, str)  # resolved once the apps are loaded
        manager = model._base_manager
        removed += manager.filter(**{relation.field.name: case}).delete()[0]
    return removed


def _tombstone(case: Case, now: datetime) -> None:
    """Empty the case row's encrypted columns and the people linked to it."""
    changed = ["destroyed_at", "case_director", "case_director_organisation", "repeat_of"]
    for field in Case._meta.concrete_fields:
        if isinstance(field, models.BinaryField) and field.name.endswith("_ct"):
            setattr(case, field.attname, None if field.null else b"")
            changed.append(field.name)
    case.destroyed_at = now
    case.case_director = None
    case.case_director_organisation = None
    case.repeat_of = None
    case.save(update_fields=changed)
