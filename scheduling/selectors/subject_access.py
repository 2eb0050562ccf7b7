"""What a case's meeting slots hold for a subject-access report: the minutes of each slot and the
partners' submitted contributions, decrypted with the case's key.

Casework builds the report and may not import scheduling; this provider is registered with it
when the app is ready (``scheduling.apps``). Two queries for all the cases of a report. Drafts of
contributions and of minutes are left out: they are the writers' work in progress, not yet held
as the case's information. The report's read is recorded by casework, with every case in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework.models import Case, ContentKind
from casework.selectors.subject_access import ContentEntry
from mda import crypto
from mda.models import User
from scheduling import access
from scheduling.models import Contribution, ContributionStatus, ItemMinutes


def _texts(obj: Any, labelled: Sequence[tuple[str, str]], case: Case) -> list[tuple[str, str]]:
    """The sealed fields of *obj* that hold text, with their labels."""
    fields = []
    for name, label in labelled:
        if getattr(obj, f"{name}_ct") is not None:
            text = crypto.unseal(obj, f"{name}_ct", case.data_key)
            if text.strip():
                fields.append((label, text))
    return fields


def _minutes(cases: Sequence[Case], by_case: dict[Any, Case]) -> dict[Any, list[ContentEntry]]:
    found: dict[Any, list[ContentEntry]] = {}
    labelled = [("shared_views", _("Shared views")), ("decisions", _("Decisions"))]
    rows = ItemMinutes.objects.filter(item__case__in=cases).select_related("item")
    for minutes in rows:
        case = by_case[minutes.item.case_id]
        fields = _texts(minutes, labelled, case)
        if minutes.next_review_on is not None:
            fields.append((_("Next review"), date_format(minutes.next_review_on)))
        found.setdefault(case.pk, []).append(
            ContentEntry(
                kind=ContentKind.MINUTES,
                id=minutes.pk,
                on=minutes.item.starts_at,
                organisation=None,
                fields=fields,
            )
        )
    return found


def _contributions(
    cases: Sequence[Case], by_case: dict[Any, Case], reader: User | None
) -> dict[Any, list[ContentEntry]]:
    found: dict[Any, list[ContentEntry]] = {}
    labelled = [
        ("known_since", _("Known since the last meeting")),
        ("involvement", _("Current involvement")),
        ("risks", _("Risks and concerns")),
        ("proposals", _("Proposals")),
    ]
    submitted = Contribution.objects.filter(case__in=cases, status=ContributionStatus.SUBMITTED)
    readable = None
    if reader is not None:
        readable = set(
            access.contributions_visible_to(reader, submitted).values_list("pk", flat=True)
        )
    for contribution in submitted.select_related("organisation", "item"):
        case = by_case[contribution.case_id]
        found.setdefault(case.pk, []).append(
            ContentEntry(
                kind=ContentKind.CONTRIBUTION,
                id=contribution.pk,
                on=contribution.submitted_at or contribution.item.starts_at,
                organisation=contribution.organisation,
                fields=_texts(contribution, labelled, case),
                readable=readable is None or contribution.pk in readable,
            )
        )
    return found


def slot_content_for_subject_access(
    cases: Sequence[Case], reader: User | None
) -> dict[Any, list[ContentEntry]]:
    """The minutes and contributions of *cases* (a content provider for casework's report)."""
    by_case = {c.pk: c for c in cases}
    found = _minutes(cases, by_case)
    for case_id, entries in _contributions(cases, by_case, reader).items():
        found.setdefault(case_id, []).extend(entries)
    return found
