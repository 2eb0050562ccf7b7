"""Subject access (AVG art. 15), in two steps: the privacy officer prepares, a coordinator of each
case's region confirms or changes the withholdings, the privacy officer releases.

What the privacy officer sees while preparing (minimum necessary): per case found, its reference,
region, status and dates, the household label of the person ("moeder"), the referring
organisation, and the organisations that received information (level, legal basis, dates: the
disclosure log they already supervise), plus the withholdings with their ground and explanation.
Not the identity data, not the case's content. The identity data as held appear only in the
report, once every case is confirmed and the privacy officer releases it to send to the person.
The coordinator, who knows the case, decides what the "tenzij" exceptions cover: a criminal
investigation, or the safety of others: for the whole case, for what one organisation received
and wrote (its weegmomenten, its notes, the agreements it owns, its contributions), or for one
entry (a note, an agreement, a slot's minutes, a contribution). A withheld part is left out of
the report altogether (the report does not say that something was withheld: that could itself
harm the investigation), and the ground and explanation stay recorded with the request.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.models import (
    ContentKind,
    Identity,
    SubjectAccessItem,
    SubjectAccessRequest,
    SubjectAccessStatus,
    SubjectLookup,
    Withholding,
    WithholdingGround,
)
from casework.selectors.subject_access import subject_access_entry_keys
from mda import blind_index, crypto
from mda.access import coordinators_of, supervised_regions
from mda.audit import audit_record
from mda.errors import Conflict
from mda.models import AuditAction, Organisation, User
from mda.notifications import notification_send

EXPLANATION_MIN = 10


def _matches(*, bsn: str, name: str, date_of_birth: date | None) -> tuple[str, Any]:
    """The lookup kind and the filter on the blind index; ValidationError for bad input."""
    if bsn.strip():
        try:
            return SubjectLookup.BSN, {"bsn_index": blind_index.bsn_index(bsn)}
        except ValidationError as exc:
            raise ValidationError({"bsn": exc.messages}) from None
    errors = {}
    if not blind_index.normalise_name(name):
        errors["name"] = _("Give the BSN, or the name and the date of birth.")
    if date_of_birth is None:
        errors["date_of_birth"] = _("Give the BSN, or the name and the date of birth.")
    if errors:
        raise ValidationError(errors)
    assert date_of_birth is not None
    index = blind_index.name_dob_index(name, date_of_birth)
    return SubjectLookup.NAME_DOB, {"name_dob_index": index}


@transaction.atomic
def subject_access_prepare(
    *, actor: User, bsn: str = "", name: str = "", date_of_birth: date | None = None
) -> SubjectAccessRequest:
    """Look the person up through the blind index in the regions *actor* supervises (recorded as
    a search, in the access log of every case found) and start a request with those cases."""
    access.require_privacy_officer(actor)
    lookup, match = _matches(bsn=bsn, name=name, date_of_birth=date_of_birth)
    identities = (
        Identity.objects.filter(**match)
        .filter(
            member__case__region__in=supervised_regions(actor),
            member__case__destroyed_at__isnull=True,
        )
        .select_related("member__case__region")
        .order_by("member__case__reference")
    )
    request = SubjectAccessRequest.objects.create(
        requested_by=actor, created_at=timezone.now(), lookup=lookup
    )
    items = [
        SubjectAccessItem(request=request, case=i.member.case, member=i.member) for i in identities
    ]
    SubjectAccessItem.objects.bulk_create(items)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="subject_search",
        object_id=str(request.pk),
        cases=[item.case for item in items],
        region=None if items else supervised_regions(actor).first(),
        detail={"lookup": lookup, "matches": len(items)},
    )
    _ask_coordinators(items)
    return request


def _ask_coordinators(items: list[SubjectAccessItem]) -> None:
    """Tell the coordinators of each region with a case found that a review awaits them (the
    message names no person and no case)."""
    for region_id in sorted({item.case.region_id for item in items}):
        notification_send(
            recipients=coordinators_of(region_id),
            kind="subject_access_review",
            subject=_("A subject-access request awaits your review"),
            body=_(
                "The privacy officer prepares a subject-access report. Decide for each case of "
                "your region whether a criminal investigation or the safety of others requires "
                "withholding part of it, and confirm."
            ),
            link=reverse("casework:subject-access-reviews"),
        )


def _check_open(request: SubjectAccessRequest) -> None:
    if request.status != SubjectAccessStatus.PREPARING:
        raise Conflict(_("This report was released; it can no longer be changed."))


def _as_coordinator(actor: User, item: SubjectAccessItem) -> bool:
    """Coordinators of the case decide; the privacy officer of the request proposes."""
    if item.case.as_coordinator:
        return True
    if not access.subject_access_requests_visible_to(actor).filter(pk=item.request_id).exists():
        raise PermissionDenied
    return False


@transaction.atomic
def withholding_set(
    *,
    actor: User,
    item: SubjectAccessItem,
    organisation: Organisation | None,
    ground: str,
    explanation: str,
    entry_kind: str = "",
    entry_id: Any = None,
) -> Withholding:
    """Withhold the whole case (no *organisation*, no entry), what one organisation received and
    wrote (*organisation*), or one entry of the case's content (*entry_kind* and *entry_id*). By
    the privacy officer a proposal (the coordinator's confirmation is asked again); by a
    coordinator of the case a decision. Setting it again replaces ground and explanation."""
    coordinator = _as_coordinator(actor, item)
    _check_open(item.request)
    errors = _withholding_errors(item, organisation, ground, explanation)
    entry = _entry(item, organisation, entry_kind, entry_id, errors)
    if errors:
        raise ValidationError(errors)
    kind, entry_uuid = entry if entry else ("", None)
    # One at a time per item: a second request for the same withholding (another coordinator, a
    # double click) waits here for the first to commit, then finds and replaces its row instead
    # of inserting a duplicate. The lock lasts this short transaction only.
    # order_by(): the model's ordering would join the case, and lock its row too.
    locked = SubjectAccessItem.objects.select_for_update(no_key=True).filter(pk=item.pk)
    list(locked.order_by().values_list("pk"))
    withholding = Withholding.objects.filter(
        item=item, organisation=organisation, entry_kind=kind, entry_id=entry_uuid
    ).first()
    withholding = withholding or Withholding(
        item=item, organisation=organisation, entry_kind=kind, entry_id=entry_uuid
    )
    withholding.ground, withholding.decided_by, withholding.decided_at = (
        ground,
        actor,
        timezone.now(),
    )
    crypto.seal(withholding, "explanation_ct", explanation.strip(), item.case.data_key)
    withholding.full_clean(exclude=["item", "organisation", "decided_by"])
    withholding.save()
    _reconfirm(item, coordinator)
    _audit(actor, AuditAction.CHANGE, item, ground=ground, scope=_scope(withholding))
    return withholding


def _withholding_errors(
    item: SubjectAccessItem, organisation: Organisation | None, ground: str, explanation: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if ground not in WithholdingGround.values:
        errors["ground"] = _("Choose a criminal investigation or the safety of others.")
    if len(explanation.strip()) < EXPLANATION_MIN:
        errors["explanation"] = _("Explain the withholding (at least 10 characters).")
    if (
        organisation is not None
        and not item.case.participations.filter(organisation=organisation).exists()
    ):
        errors["organisation"] = _("Choose an organisation that took part in the case.")
    return errors


def _entry(
    item: SubjectAccessItem,
    organisation: Organisation | None,
    kind: str,
    entry_id: Any,
    errors: dict[str, str],
) -> tuple[str, uuid.UUID] | None:
    """The entry to withhold alone, checked to be of the item's case; None for none."""
    if not kind and entry_id in (None, ""):
        return None
    if organisation is not None:
        errors["organisation"] = _(
            "Withhold either what an organisation received and wrote, or one entry."
        )
        return None
    try:
        parsed = uuid.UUID(str(entry_id))
    except ValueError:
        parsed = None
    if (
        kind not in ContentKind.values
        or parsed is None
        or (kind, str(parsed)) not in subject_access_entry_keys(item)
    ):
        errors["entry"] = _("Choose a note, agreement, minutes or contribution of this case.")
        return None
    return kind, parsed


@transaction.atomic
def withholding_remove(*, actor: User, item: SubjectAccessItem, withholding_id: Any) -> None:
    coordinator = _as_coordinator(actor, item)
    _check_open(item.request)
    withholding = item.withholdings.filter(pk=withholding_id).first()
    if withholding is None:
        raise Http404
    scope = _scope(withholding)
    withholding.delete()
    _reconfirm(item, coordinator)
    _audit(actor, AuditAction.REVOKE, item, scope=scope)


def _scope(withholding: Withholding) -> str:
    """What the audit row says was withheld: an organisation's slug, an entry, or the case."""
    if withholding.entry_id is not None:
        return f"{withholding.entry_kind}:{withholding.entry_id}"
    return withholding.organisation.slug if withholding.organisation is not None else "case"


def _reconfirm(item: SubjectAccessItem, coordinator: bool) -> None:
    """A change by the privacy officer needs the coordinator's confirmation (again)."""
    if not coordinator and item.confirmed_at is not None:
        item.confirmed_at, item.confirmed_by = None, None
        item.save(update_fields=["confirmed_at", "confirmed_by"])


def _audit(actor: User, action: str, item: SubjectAccessItem, **detail: object) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="subject_access_item",
        object_id=str(item.pk),
        case=item.case,
        detail={"request": str(item.request_id), **detail},
    )


@transaction.atomic
def subject_access_confirm(*, actor: User, item: SubjectAccessItem) -> SubjectAccessItem:
    """A coordinator of the case confirms its withholdings (none is a decision too)."""
    if not item.case.as_coordinator:
        raise PermissionDenied
    _check_open(item.request)
    item.confirmed_at, item.confirmed_by = timezone.now(), actor
    item.save(update_fields=["confirmed_at", "confirmed_by"])
    _audit(actor, AuditAction.CHANGE, item, confirmed=True)
    return item


@transaction.atomic
def subject_access_release(*, actor: User, request: SubjectAccessRequest) -> SubjectAccessRequest:
    """The privacy officer releases the report once a coordinator confirmed every case."""
    access.require_privacy_officer(actor)
    locked = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    _check_open(locked)
    waiting = locked.items.filter(confirmed_at__isnull=True).count()
    if waiting:
        raise Conflict(
            _("%(n)d case(s) still wait for a coordinator's confirmation.") % {"n": waiting}
        )
    locked.status, locked.released_at, locked.released_by = (
        SubjectAccessStatus.RELEASED,
        timezone.now(),
        actor,
    )
    locked.save(update_fields=["status", "released_at", "released_by"])
    items = list(locked.items.select_related("case__region"))
    audit_record(
        actor=actor,
        action=AuditAction.DISCLOSE,
        object_type="subject_access_report",
        object_id=str(locked.pk),
        cases=[i.case for i in items],
        region=None if items else supervised_regions(actor).first(),
        detail={"cases": len(items)} if len(items) < 2 else {},
    )
    return locked
