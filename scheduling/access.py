"""Who may see and do what in scheduling: meeting series, meetings, agendas, invitations,
minutes, escalation notices and ladders. Built on the case rules of ``casework.access``: a slot
is visible because its case is, a notice because its agreement is.

| who                              | series | meetings and agenda items        | minutes        |
| -------------------------------- | ------ | -------------------------------- | -------------- |
| coordinator of the region        | manage | every meeting and item; build,   | all; write,    |
|                                  |        | publish, cancel, run             | publish        |
| chair of the region              | see    | every meeting and item (read);   | level 1 parts, |
|                                  |        | run (attendance, confidentiality)| once published |
| functional admin of the region   | manage | -                                | -              |
| partner (professional, escalation| -      | published agendas: only items of | at its level,  |
|  official) whose organisation    |        | cases its organisation takes     | once published |
|  takes part at level >= 1        |        | part in (its own slots); answer  |                |
| anyone else                      | -      | nothing (404), not even a count  | -              |

Need-to-know: items of other cases are absent for a partner, in lists, pages, e-mails and
calendar files alike. Invitations go per organisation to the organisations that take part in the
item's case at level 1 or more: meetings are process context (level 1); level 0 knows only that
the case exists.

| who                               | escalation notices                                     |
| --------------------------------- | ------------------------------------------------------ |
| coordinator of the case's region  | all, with the reason of manual escalations             |
| partner at level 2 on the case    | of agreements it sees; manual ones                     |
| member of the owner organisation  | of agreements it sees                                  |
| recipient of a notice             | that notice: reference, rung, due date, a link         |
| anyone else                       | nothing (404)                                          |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from casework.access import (
    Standing,
    access_case,
    active_participations_of,
    agreement_access,
    agreements_visible_to,
    partner_levels,
    standing_of,
)
from casework.models import AccessLevel, NoteVisibility, Participation
from mda.access import (
    PARTNER_ROLES,
    SERIES_MANAGER_ROLES,
    access_flag,
    annotate_access,
    can_administer,
    in_regions_with_role,
    is_active_user,
    region_ids_with_role,
    regions_of,
)
from mda.models import Membership, Organisation, Role, User
from mda.queries import one_or_none
from scheduling.models import (
    AgendaItem,
    AgendaStatus,
    Contribution,
    ContributionStatus,
    EscalationNotice,
    EscalationRecipient,
    Ladder,
    Meeting,
    MeetingSeries,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

# Meetings are process context: an organisation taking part at level 1 or more is invited.
MEETING_LEVEL = AccessLevel.PROCESS


# --- Escalation notices and ladders --------------------------------------------------------------


def escalation_notices_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[EscalationNotice] | None = None
) -> QuerySet[EscalationNotice]:
    """Notices *user* may see, annotated with ``as_recipient``, ``agreement_visible`` (may follow
    the link to the agreement) and ``reason_visible`` (coordinators and level-2 partners)."""
    qs = EscalationNotice.objects.all() if queryset is None else queryset
    if not is_active_user(user):
        return qs.none()
    coordinator = in_regions_with_role(user, "case__region_id", Role.COORDINATOR)
    full = Exists(
        active_participations_of(user).filter(case=OuterRef("case_id"), level=AccessLevel.FULL)
    )
    agreement_visible = Exists(agreements_visible_to(user).filter(pk=OuterRef("agreement_id")))
    recipient = Exists(EscalationRecipient.objects.filter(notice=OuterRef("pk"), user=user))
    return annotate_access(
        qs,
        as_recipient=recipient,
        agreement_visible=agreement_visible,
        reason_visible=access_flag(coordinator | full),
    ).filter(coordinator | agreement_visible | (Q(manual=True) & full) | recipient)


def access_escalation_notice(user: User | AnonymousUser, notice_id: Any) -> EscalationNotice:
    """The notice as *user* may see it, with ``as_recipient``, ``agreement_visible`` and
    ``reason_visible`` set as ``escalation_notices_visible_to`` annotates them; Http404 when it
    is missing or not visible.

    The list's rule decided for one notice, as ``access_case`` does for a case: the notice by its
    key, the levels of the user's partner organisations in its case in one small query (the
    agreement's visibility is ``agreement_access`` on the same levels), and whether the user
    received it. The list's form nests the whole agreement rule in an EXISTS that costs more than
    all of these together. ``test_escalation_access`` checks that the two agree for every
    persona and notice."""
    if not is_active_user(user):
        raise Http404
    notice = one_or_none(
        EscalationNotice.objects.select_related(
            "case__region", "case__data_key", "agreement__case", "organisation", "rung"
        ).filter(pk=notice_id)
    )
    if notice is None:
        raise Http404
    standing = standing_of(user)
    agreement = notice.agreement
    levels = partner_levels(
        standing, {notice.case_id} | ({agreement.case_id} if agreement is not None else set())
    )
    recipient = EscalationRecipient.objects.filter(notice=notice, user=user).exists()
    if not _notice_access(standing, notice, levels, recipient=recipient):
        raise Http404
    return notice


def escalation_notices_of_case_visible_to(
    user: User | AnonymousUser, case: Any, queryset: QuerySet[EscalationNotice]
) -> list[EscalationNotice]:
    """The notices of *queryset* on one *case* that *user* may see, in its order, annotated as
    ``escalation_notices_visible_to`` annotates them: the rule of ``access_escalation_notice``
    for each, on the levels of the user's partner organisations in the case (and the cases of
    the notices' agreements) and the notices the user received, one small query each. The case
    page's history without the list's EXISTS per notice; ``test_escalation_access`` checks that
    the two forms agree for every persona."""
    if not is_active_user(user):
        return []
    notices = list(queryset.filter(case=case).select_related("case", "agreement__case"))
    if not notices:
        return []
    standing = standing_of(user)
    cases = {case.pk} | {n.agreement.case_id for n in notices if n.agreement is not None}
    levels = partner_levels(standing, cases)
    received = set(
        EscalationRecipient.objects.filter(notice__case=case, user=user).values_list(
            "notice_id", flat=True
        )
    )
    return [n for n in notices if _notice_access(standing, n, levels, recipient=n.pk in received)]


def _notice_access(
    standing: Standing,
    notice: EscalationNotice,
    levels: list[tuple[Any, int, int]],
    *,
    recipient: bool,
) -> bool:
    """``escalation_notices_visible_to``'s rule for one notice whose case and agreement (with
    its case) are loaded: sets its annotations and says whether it is visible. *levels* is
    ``partner_levels`` of at least its case and its agreement's."""
    agreement = notice.agreement
    coordinator = notice.case.region_id in standing.coordinated
    full = any(case == notice.case_id and level == AccessLevel.FULL for case, _o, level in levels)
    agreement_visible = agreement is not None and agreement_access(standing, agreement, levels)[0]
    notice.as_recipient = recipient
    notice.agreement_visible = agreement_visible
    notice.reason_visible = coordinator or full
    return coordinator or agreement_visible or (notice.manual and full) or recipient


def ladders_visible_to(user: User | AnonymousUser) -> QuerySet[Ladder]:
    """The escalation ladders of the user's regions: configuration, no case content."""
    return Ladder.objects.filter(region__in=regions_of(user))


def ladders_administered_by(user: User | AnonymousUser) -> QuerySet[Ladder]:
    """Ladders a functional admin edits: those of their regions (superusers: all)."""
    if not is_active_user(user) or not can_administer(user):
        return Ladder.objects.none()
    if user.is_superuser:
        return Ladder.objects.all()
    return Ladder.objects.filter(region_id__in=region_ids_with_role(user, Role.FUNCTIONAL_ADMIN))


# --- Meeting series, meetings and agendas --------------------------------------------------------


def meeting_series_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[MeetingSeries] | None = None
) -> QuerySet[MeetingSeries]:
    """Series of the regions *user* coordinates, chairs or administers, annotated ``may_manage``."""
    qs = MeetingSeries.objects.all() if queryset is None else queryset
    if not is_active_user(user):
        return qs.none()
    managed = in_regions_with_role(user, "region_id", *SERIES_MANAGER_ROLES)
    seen = in_regions_with_role(user, "region_id", Role.CHAIR)
    return annotate_access(qs, may_manage=access_flag(managed)).filter(managed | seen)


def access_meeting_series(
    user: User | AnonymousUser, series_id: Any, *, manage: bool = False
) -> MeetingSeries:
    series = one_or_none(
        meeting_series_visible_to(user).select_related("region").filter(pk=series_id)
    )
    if series is None:
        raise Http404
    if manage and not series.may_manage:
        raise PermissionDenied
    return series


def _own_slot(user: User) -> Exists:
    invited = active_participations_of(user).filter(level__gte=MEETING_LEVEL)
    return Exists(invited.filter(case=OuterRef("case_id")))


def own_slots_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[AgendaItem] | None = None
) -> QuerySet[AgendaItem]:
    """Current items of published agendas whose case *user*'s organisations take part in at
    level >= 1: the user's own slots as a partner (also for a coordinator who is one)."""
    qs = AgendaItem.objects.all() if queryset is None else queryset
    if not is_active_user(user):
        return qs.none()
    return qs.filter(
        _own_slot(user), removed_at__isnull=True, meeting__agenda_status=AgendaStatus.PUBLISHED
    )


def agenda_items_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[AgendaItem] | None = None
) -> QuerySet[AgendaItem]:
    """Current agenda items *user* may see, annotated with ``as_coordinator``. Partners see only
    published items of cases their organisation takes part in at level >= 1."""
    qs = AgendaItem.objects.all() if queryset is None else queryset
    qs = qs.filter(removed_at__isnull=True)
    if not is_active_user(user):
        return qs.none()
    coordinator = in_regions_with_role(user, "meeting__region_id", Role.COORDINATOR)
    chair = in_regions_with_role(user, "meeting__region_id", Role.CHAIR)
    partner = Q(meeting__agenda_status=AgendaStatus.PUBLISHED) & _own_slot(user)
    return annotate_access(qs, as_coordinator=access_flag(coordinator)).filter(
        coordinator | chair | partner
    )


def meetings_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[Meeting] | None = None
) -> QuerySet[Meeting]:
    """Meetings *user* may know of, annotated with ``as_coordinator`` and ``as_chair``: every
    meeting of the regions they coordinate or chair; for partners, published meetings holding at
    least one of their slots."""
    qs = Meeting.objects.all() if queryset is None else queryset
    if not is_active_user(user):
        return qs.none()
    coordinator = in_regions_with_role(user, "region_id", Role.COORDINATOR)
    chair = in_regions_with_role(user, "region_id", Role.CHAIR)
    own_slot = Exists(own_slots_visible_to(user, AgendaItem.objects.filter(meeting=OuterRef("pk"))))
    partner = Q(agenda_status=AgendaStatus.PUBLISHED) & own_slot
    return annotate_access(
        qs, as_coordinator=access_flag(coordinator), as_chair=access_flag(chair)
    ).filter(coordinator | chair | partner)


def access_meeting(
    user: User | AnonymousUser, meeting_id: Any, *, manage: bool = False, run: bool = False
) -> Meeting:
    """The meeting as *user* may see it: Http404 when missing or not visible; PermissionDenied
    when *manage* (coordinators) or *run* (coordinators and chairs) is asked and not allowed.

    The rule is ``meetings_visible_to``'s, decided for one meeting: the meeting read by its key,
    the user's roles in its region from their memberships (read once per request), and only for
    someone who neither coordinates nor chairs there, whether one of their slots is on its
    published agenda. The list's form compiles its role subqueries twice and an ``Exists`` per
    row; every meeting page and endpoint starts here. ``test_meetings_access`` checks that the two
    agree for every persona."""
    if not is_active_user(user):
        raise Http404
    meeting = one_or_none(Meeting.objects.select_related("region", "series").filter(pk=meeting_id))
    if meeting is None:
        raise Http404
    standing = standing_of(user)
    meeting.as_coordinator = meeting.region_id in standing.coordinated
    meeting.as_chair = meeting.region_id in standing.chaired
    if not (meeting.as_coordinator or meeting.as_chair) and not (
        meeting.agenda_status == AgendaStatus.PUBLISHED
        and own_slots_visible_to(user, AgendaItem.objects.filter(meeting=meeting)).exists()
    ):
        raise Http404
    if manage and not meeting.as_coordinator:
        raise PermissionDenied
    if run and not (meeting.as_coordinator or meeting.as_chair):
        raise PermissionDenied
    return meeting


def access_agenda_item(
    user: User | AnonymousUser, meeting: Meeting, item_id: Any, *, manage: bool = False
) -> AgendaItem:
    """The current item *item_id* of *meeting* as *user* may see it, with ``as_coordinator`` set
    as ``agenda_items_visible_to`` annotates it: Http404 when missing or not visible,
    PermissionDenied when *manage* (coordinators) is asked and not allowed.

    The list's rule decided for one item: the item by its key, the user's roles in the meeting's
    region from their standing, and only for someone who neither coordinates nor chairs there,
    whether one of their organisations takes part in its case at level 1 or more (published
    agendas only). ``test_meetings_access`` checks that the two agree for every persona."""
    if not is_active_user(user):
        raise Http404
    item = one_or_none(
        AgendaItem.objects.select_related("case__region", "case__data_key", "meeting").filter(
            meeting=meeting, pk=item_id, removed_at__isnull=True
        )
    )
    if item is None:
        raise Http404
    standing = standing_of(user)
    region = item.meeting.region_id
    item.as_coordinator = region in standing.coordinated
    visible = item.as_coordinator or region in standing.chaired
    if (
        not visible
        and standing.partner_organisations
        and item.meeting.agenda_status == AgendaStatus.PUBLISHED
    ):
        visible = (
            Participation.objects.active()
            .filter(
                case_id=item.case_id,
                organisation_id__in=standing.partner_organisations,
                level__gte=MEETING_LEVEL,
            )
            .exists()
        )
    if not visible:
        raise Http404
    if manage and not item.as_coordinator:
        raise PermissionDenied
    return item


# --- Invitations and minutes ---------------------------------------------------------------------


def invited_organisations(case_id: Any) -> QuerySet[Organisation]:
    """The organisations invited to a case's slots: those taking part at level >= 1."""
    taking_part = (
        Participation.objects.active()
        .filter(case_id=case_id, level__gte=MEETING_LEVEL)
        .values("organisation_id")
    )
    return Organisation.objects.filter(pk__in=taking_part)


def invited_organisations_of(case_ids: Any) -> dict[Any, set[int]]:
    """``invited_organisations`` of many cases in one query: case id -> organisation ids."""
    invited: dict[Any, set[int]] = {}
    taking_part = (
        Participation.objects.active()
        .filter(case_id__in=list(case_ids), level__gte=MEETING_LEVEL)
        .values_list("case_id", "organisation_id")
    )
    for case_id, organisation_id in taking_part:
        invited.setdefault(case_id, set()).add(organisation_id)
    return invited


def organisations_answering_for(user: User, case_id: Any) -> QuerySet[Organisation]:
    """The user's own organisations (partner roles) that are invited to a case's slots."""
    return invited_organisations(case_id).filter(
        memberships__user=user, memberships__role__in=PARTNER_ROLES
    )


def minutes_level(user: User, item: AgendaItem) -> int | None:
    """How much of an item's minutes *user* reads: 2 everything, 1 the process parts (attendance,
    next review), None nothing. Coordinators always; others once the minutes are published, at
    their level on the case."""
    try:
        case = access_case(user, item.case_id)
    except Http404:
        return None
    return minutes_level_in(case, item)


def minutes_level_in(case: Any, item: AgendaItem) -> int | None:
    """``minutes_level`` for an item of *case* as ``access_case`` returned it (a case loaded any
    other way grants nothing): the case page decides it for each past slot of its case without
    reading the case again."""
    if case.as_coordinator:
        return int(AccessLevel.FULL)
    if item.meeting.minutes_published_at is None or case.access_level < MEETING_LEVEL:
        return None
    return case.access_level


# --- Partner contributions -----------------------------------------------------------------------
#
# | who                                  | contributions of a slot                               |
# | ------------------------------------ | ----------------------------------------------------- |
# | member (partner role) of an invited  | writes its organisation's own, until the deadline;    |
# |  organisation (level >= 1)           | reads its own, draft or submitted, at any level       |
# | coordinator of the region            | submitted ones, but not other domains' domain-only    |
# | partner at level 2 on the case       | submitted ones, per visibility (as notes)             |
# | level 1 (chair, partners)            | only *which* organisations contributed (the agenda)   |
# | anyone else                          | nothing (404)                                         |


def _invited_participations(user: User) -> QuerySet[Participation]:
    return active_participations_of(user).filter(level__gte=MEETING_LEVEL)


def contributions_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[Contribution] | None = None
) -> QuerySet[Contribution]:
    """Contributions whose contents *user* may read: those of the user's own (still invited)
    organisations, draft or submitted; other organisations' only once submitted, under the notes'
    rules of level and domain (``casework.access.notes_visible_to``)."""
    qs = Contribution.objects.all() if queryset is None else queryset
    if not is_active_user(user):
        return qs.none()
    own = Exists(
        _invited_participations(user).filter(
            case=OuterRef("case_id"), organisation=OuterRef("organisation_id")
        )
    )
    full = active_participations_of(user).filter(case=OuterRef("case_id"), level=AccessLevel.FULL)
    coordinator = in_regions_with_role(user, "case__region_id", Role.COORDINATOR)
    coordinator_domains = Membership.objects.filter(user=user, role=Role.COORDINATOR).values(
        "organisation__domain"
    )
    submitted = Q(status=ContributionStatus.SUBMITTED)
    domain_only = Q(visibility=NoteVisibility.DOMAIN)
    shared = (
        (coordinator & ~domain_only)
        | (coordinator & domain_only & Q(author_domain__in=coordinator_domains))
        | (Q(visibility=NoteVisibility.PARTICIPANTS) & Exists(full))
        | (domain_only & Exists(full.filter(organisation__domain=OuterRef("author_domain"))))
    )
    return qs.filter(own | (submitted & shared))


def organisations_contributing_for(user: User, item: AgendaItem) -> QuerySet[Organisation]:
    """The user's organisations that may write a contribution for *item*: those invited to its
    case's slots (level >= 1) in which the user works in a partner role."""
    return organisations_answering_for(user, item.case_id).order_by("name")
