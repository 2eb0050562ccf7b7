"""Writes of agreements: create, change, resolve, reopen. One transaction each, with the history
row and the audit event inside it. The reminder ladder reads what these write (``scheduling``)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access, statistics
from casework.models import (
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementOrigin,
    AgreementStatus,
    Case,
)
from casework.models.agreements import REASONED_STATUSES
from casework.selectors.agreements import agreement_owner_candidates, agreement_owner_organisations
from mda import crypto
from mda.audit import audit_record
from mda.facts import fact_record
from mda.models import AuditAction, FactKind, Membership, Organisation, User

MAX_DESCRIPTION = 2000
MAX_REASON = 2000
_UNSET: Any = object()
#: The outcomes of reviewing an open agreement in a meeting: resolved (done, not possible, not
#: done) or continued with a new due date.
REVIEW_CONTINUED = "continued"
REVIEW_OUTCOMES = (
    AgreementStatus.DONE,
    AgreementStatus.NOT_POSSIBLE,
    AgreementStatus.NOT_DONE,
    REVIEW_CONTINUED,
)


def _validate_owner(case: Case, organisation: Organisation, owner: User | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not agreement_owner_organisations(case).filter(pk=organisation.pk).exists():
        errors["owner_organisation"] = _(
            "The owner must be an organisation that takes part in the case at level 1 or more."
        )
    elif (
        owner is not None
        and not agreement_owner_candidates(organisation).filter(pk=owner.pk).exists()
    ):
        errors["owner"] = _("The owner must work at the owner organisation.")
    return errors


def _validate_due_date(due_date: date) -> dict[str, str]:
    if due_date < timezone.localdate():
        return {"due_date": _("The due date cannot be in the past.")}
    return {}


def _clean_text(value: str, field: str, limit: int, missing: str) -> tuple[str, dict[str, str]]:
    text = (value or "").strip()
    if not text:
        return text, {field: missing}
    if len(text) > limit:
        return text, {field: _("Use at most %d characters.") % limit}
    return text, {}


def _event(agreement: Agreement, actor: User, kind: str, **detail: object) -> None:
    membership = (
        Membership.objects.filter(user=actor, organisation__region_id=agreement.case.region_id)
        .select_related("organisation")
        .first()
    )
    AgreementEvent.objects.create(
        agreement=agreement,
        kind=kind,
        actor=actor,
        actor_organisation=membership.organisation if membership else None,
        detail=detail,
    )


def _audit(actor: User, agreement: Agreement, action: str, **detail: object) -> None:
    case = agreement.case
    audit_record(
        actor=actor,
        action=action,
        object_type="agreement",
        object_id=str(agreement.pk),
        case=case,
        detail=detail or None,
    )


@transaction.atomic
def agreement_create(
    *,
    actor: User,
    case: Case,
    description: str,
    owner_organisation: Organisation,
    due_date: date,
    owner: User | None = None,
    origin: str = AgreementOrigin.AD_HOC,
    meeting_id: uuid.UUID | None = None,
) -> Agreement:
    """A coordinator records an agreement (made in a meeting or ad hoc) for *case*."""
    access.require_coordinator(actor, case)
    text, errors = _clean_text(
        description, "description", MAX_DESCRIPTION, _("Describe what was agreed.")
    )
    errors |= _validate_due_date(due_date) | _validate_owner(case, owner_organisation, owner)
    if origin == AgreementOrigin.AD_HOC and meeting_id is not None:
        errors["meeting"] = _("An ad hoc agreement is not made in a meeting.")
    if errors:
        raise ValidationError(errors)
    agreement = Agreement(
        id=uuid.uuid4(),
        case=case,
        owner_organisation=owner_organisation,
        owner=owner,
        due_date=due_date,
        origin=origin,
        meeting_id=meeting_id,
        created_by=actor,
    )
    crypto.seal(agreement, "description_ct", text, case.data_key)
    agreement.full_clean()
    agreement.save()
    fact_record(FactKind.AGREEMENT, case=case, on=due_date, category="open")
    _event(
        agreement,
        actor,
        AgreementEventKind.CREATED,
        due_date=due_date.isoformat(),
        owner_organisation=owner_organisation.name,
        owner=owner.get_full_name() or owner.username if owner else "",
        origin=origin,
    )
    _audit(actor, agreement, AuditAction.CREATE, owner_organisation=owner_organisation.slug)
    return agreement


def _locked(agreement: Agreement) -> Agreement:
    """The row, locked for this transaction, carrying the caller's access annotations."""
    fresh = Agreement.objects.select_for_update(no_key=True).get(pk=agreement.pk)
    for name in ("as_coordinator", "as_owner"):
        setattr(fresh, name, getattr(agreement, name, False))
    fresh.case = agreement.case
    return fresh


@transaction.atomic
def agreement_update(
    *,
    actor: User,
    agreement: Agreement,
    description: str | None = None,
    due_date: date | None = None,
    owner_organisation: Organisation | None = None,
    owner: User | None = _UNSET,
    meeting_id: uuid.UUID | None = None,
) -> Agreement:
    """A coordinator changes an open agreement. A new due date starts the reminder ladder again
    for that date (a new ladder round); steps already sent stay in the history."""
    if not agreement.as_coordinator:
        raise PermissionDenied
    agreement = _locked(agreement)
    if not agreement.is_open:
        raise ValidationError(_("Only an open agreement can be changed; reopen it first."))
    changed: list[str] = []
    errors: dict[str, str] = {}
    if description is not None:
        text, errors = _clean_text(
            description, "description", MAX_DESCRIPTION, _("Describe what was agreed.")
        )
        if not errors and text != crypto.unseal(
            agreement, "description_ct", agreement.case.data_key
        ):
            crypto.seal(agreement, "description_ct", text, agreement.case.data_key)
            changed.append("description")
    organisation = owner_organisation or agreement.owner_organisation
    person = agreement.owner if owner is _UNSET else owner
    if organisation != agreement.owner_organisation or person != agreement.owner:
        errors |= _validate_owner(agreement.case, organisation, person)
        agreement.owner_organisation, agreement.owner = organisation, person
        changed.append("owner")
    old_due = agreement.due_date
    if due_date is not None and due_date != old_due:
        errors |= _validate_due_date(due_date)
        agreement.due_date = due_date
        agreement.ladder_round += 1
    if errors:
        raise ValidationError(errors)
    agreement.full_clean()
    agreement.save()
    if changed:
        _event(agreement, actor, AgreementEventKind.CHANGED, fields=changed)
    if agreement.due_date != old_due:
        fact_record(
            FactKind.AGREEMENT,
            case=agreement.case,
            on=agreement.due_date,
            category="open",
            replaces=(old_due, "open"),
        )
        _event(
            agreement,
            actor,
            AgreementEventKind.RESCHEDULED,
            old=old_due.isoformat(),
            new=agreement.due_date.isoformat(),
            **_in_meeting(meeting_id),
        )
        changed.append("due_date")
    if changed:
        _audit(actor, agreement, AuditAction.CHANGE, fields=changed)
    return agreement


@transaction.atomic
def agreement_resolve(
    *,
    actor: User,
    agreement: Agreement,
    status: str,
    reason: str = "",
    meeting_id: uuid.UUID | None = None,
) -> Agreement:
    """The owner organisation (or a coordinator) marks an agreement done, not possible or not
    done. Its ladder stops at once: the row lock orders this against a worker sending a step, and
    the worker sends nothing for an agreement that is no longer open."""
    if not (agreement.as_coordinator or agreement.as_owner):
        raise PermissionDenied
    if status not in (AgreementStatus.DONE, *REASONED_STATUSES):
        raise ValidationError({"status": _("Choose done, not possible or not done.")})
    agreement = _locked(agreement)
    if not agreement.is_open:
        raise ValidationError({"status": _("This agreement was resolved already.")})
    text = ""
    if status in REASONED_STATUSES:
        text, errors = _clean_text(
            reason, "reason", MAX_REASON, _("Say why the agreement was not possible or not done.")
        )
        if errors:
            raise ValidationError(errors)
    agreement.status = status
    agreement.resolved_at, agreement.resolved_by = timezone.now(), actor
    agreement.resolution_reason_ct = None
    if text:
        crypto.seal(agreement, "resolution_reason_ct", text, agreement.case.data_key)
    agreement.full_clean()
    agreement.save()
    fact_record(
        FactKind.AGREEMENT,
        case=agreement.case,
        on=agreement.due_date,
        category=statistics.agreement_state(agreement),
        replaces=(agreement.due_date, "open"),
    )
    _event(agreement, actor, AgreementEventKind.RESOLVED, status=status, **_in_meeting(meeting_id))
    _audit(actor, agreement, AuditAction.CHANGE, status=status)
    return agreement


@transaction.atomic
def agreement_reopen(*, actor: User, agreement: Agreement, due_date: date) -> Agreement:
    """A coordinator reopens a resolved agreement with a new due date (a new ladder round)."""
    if not agreement.as_coordinator:
        raise PermissionDenied
    agreement = _locked(agreement)
    if agreement.is_open:
        raise ValidationError(_("This agreement is open already."))
    errors = _validate_due_date(due_date)
    if errors:
        raise ValidationError(errors)
    previous = agreement.status
    left = (agreement.due_date, statistics.agreement_state(agreement))
    agreement.status = AgreementStatus.OPEN
    agreement.resolved_at = agreement.resolved_by = agreement.resolution_reason_ct = None
    agreement.due_date = due_date
    agreement.ladder_round += 1
    agreement.full_clean()
    agreement.save()
    fact_record(
        FactKind.AGREEMENT, case=agreement.case, on=due_date, category="open", replaces=left
    )
    _event(
        agreement,
        actor,
        AgreementEventKind.REOPENED,
        previous=previous,
        due_date=due_date.isoformat(),
    )
    _audit(actor, agreement, AuditAction.CHANGE, status=AgreementStatus.OPEN)
    return agreement


@transaction.atomic
def agreement_review(
    *,
    actor: User,
    agreement: Agreement,
    outcome: str,
    reason: str = "",
    due_date: date | None = None,
    meeting_id: uuid.UUID | None = None,
) -> Agreement:
    """A coordinator reviews an open agreement in a meeting. There is no default outcome: done,
    not possible or not done (both with a reason) resolve it; continued moves its due date to a
    day after today (a new ladder round). An agreement made in the meeting *meeting_id* is not
    reviewed in that same meeting."""
    if not agreement.as_coordinator:
        raise PermissionDenied
    if outcome not in REVIEW_OUTCOMES:
        raise ValidationError(
            {"outcome": _("Choose the outcome: done, not possible, not done or continued.")}
        )
    if meeting_id is not None and agreement.meeting_id == meeting_id:
        raise ValidationError(_("An agreement made in this meeting is reviewed in a later one."))
    if outcome != REVIEW_CONTINUED:
        return agreement_resolve(
            actor=actor, agreement=agreement, status=outcome, reason=reason, meeting_id=meeting_id
        )
    if not agreement.is_open:
        raise ValidationError({"outcome": _("This agreement was resolved already.")})
    if due_date is None:
        raise ValidationError({"due_date": _("Give the new due date of a continued agreement.")})
    if due_date <= timezone.localdate() or due_date == agreement.due_date:
        raise ValidationError(
            {"due_date": _("The new due date must be after today and differ from the current one.")}
        )
    return agreement_update(
        actor=actor, agreement=agreement, due_date=due_date, meeting_id=meeting_id
    )


def _in_meeting(meeting_id: uuid.UUID | None) -> dict[str, str]:
    """The history names the meeting an agreement was reviewed in (its minutes list it)."""
    return {"meeting": str(meeting_id)} if meeting_id is not None else {}
