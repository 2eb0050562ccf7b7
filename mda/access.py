"""The one access policy.

Every page, API view, list, export and agenda asks this module who may see what. Issue-specific
rules (cases, notes, identities) are added here, never copied into views or templates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404

from mda.models import Membership, Organisation, Region, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from mda.models import User


def memberships_of(user: User | AnonymousUser) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation__region")


def roles_of(user: User | AnonymousUser) -> set[str]:
    return set(memberships_of(user).values_list("role", flat=True))


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return memberships_of(user).filter(role__in=roles).exists()


def regions_of(user: User | AnonymousUser) -> QuerySet[Region]:
    if not user.is_authenticated:
        return Region.objects.none()
    return Region.objects.filter(organisations__memberships__user=user).distinct()


def organisations_visible_to(user: User | AnonymousUser) -> QuerySet[Organisation]:
    """The partner organisations of the user's own regions (a directory, no case content)."""
    return Organisation.objects.filter(region__in=regions_of(user)).select_related("region")


def can_administer(user: User | AnonymousUser) -> bool:
    """Functional admins (and superusers) manage organisations, users and configuration."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser) or has_role(user, Role.FUNCTIONAL_ADMIN)


# --- Cases, notes and identities ------------------------------------------------------------
#
# | who                         | cases                          | level | notes                  |
# | coordinator of the region   | every case of the region       | 2     | all but other domains' |
# |                             |                                |       | domain-only notes      |
# | chair of the region         | every case of the region       | 1     | none                   |
# | partner (professional,      | cases their organisation takes | the   | per note visibility    |
# |  escalation official)       | part in (active participation) | max   |                        |
# | privacy officer, admin      | none (the access log only)     | -     | none                   |
#
# Identities are revealed only to coordinators of the case's region, with a reason.

PARTNER_ROLES = (Role.PROFESSIONAL, Role.ESCALATION_OFFICIAL)
FULL = 2


def _region_ids_with_role(user: Any, *roles: str) -> QuerySet[Membership, Any]:
    return Membership.objects.filter(user=user, role__in=roles).values("organisation__region_id")


def _active_participations_of(user: Any) -> QuerySet[Any]:
    from casework.models import Participation

    return Participation.objects.active().filter(
        organisation__memberships__user=user,
        organisation__memberships__role__in=PARTNER_ROLES,
    )


def cases_visible_to(user: Any, queryset: QuerySet[Any] | None = None) -> Any:
    """Every case *user* may see, annotated with ``access_level`` (0, 1 or 2) and
    ``as_coordinator``. One SQL query; no per-row checks."""
    from casework.models import Case

    qs = Case.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    participation_level = (
        _active_participations_of(user)
        .filter(case=OuterRef("pk"))
        .order_by("-level")
        .values("level")[:1]
    )
    coordinated = Q(region_id__in=_region_ids_with_role(user, Role.COORDINATOR))
    chaired = Q(region_id__in=_region_ids_with_role(user, Role.CHAIR))
    return qs.annotate(
        as_coordinator=DbCase(
            When(coordinated, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        access_level=Greatest(
            DbCase(
                When(coordinated, then=Value(FULL)),
                When(chaired, then=Value(1)),
                default=Value(-1),
                output_field=IntegerField(),
            ),
            Coalesce(Subquery(participation_level, output_field=IntegerField()), Value(-1)),
        ),
    ).filter(access_level__gte=0)


def notes_visible_to(user: Any, queryset: QuerySet[Any] | None = None) -> Any:
    """Notes *user* may read. A note is never visible below level 2 on its case."""
    from casework.models import Note, NoteVisibility

    qs = Note.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    full = _active_participations_of(user).filter(case=OuterRef("case_id"), level=FULL)
    coordinator = Q(case__region_id__in=_region_ids_with_role(user, Role.COORDINATOR))
    coordinator_domains = Membership.objects.filter(user=user, role=Role.COORDINATOR).values(
        "organisation__domain"
    )
    return qs.filter(
        (coordinator & ~Q(visibility=NoteVisibility.DOMAIN))
        | (coordinator & Q(visibility=NoteVisibility.DOMAIN, author_domain__in=coordinator_domains))
        | (Q(visibility=NoteVisibility.PARTICIPANTS) & Exists(full))
        | (
            Q(visibility=NoteVisibility.DOMAIN)
            & Exists(full.filter(organisation__domain=OuterRef("author_domain")))
        )
        | (
            Q(visibility=NoteVisibility.ORGANISATION)
            & Exists(full.filter(organisation=OuterRef("author_organisation")))
        )
        | (Q(author=user) & Exists(full))
    )


def access_case(user: Any, case_id: Any, *, write: bool = False) -> Any:
    """The case with id *case_id* as *user* may see it.

    Raises Http404 when it does not exist or is not visible (an outsider cannot tell which), and
    PermissionDenied when visible but *write* is asked below level 2.
    """
    case = (
        cases_visible_to(user)
        .select_related("region", "referring_organisation")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    if write and case.access_level < FULL:
        raise PermissionDenied
    return case


def can_coordinate(user: Any, case: Any) -> bool:
    """Coordinators of the case's region: weegmoment, participants, identity reveal."""
    return bool(getattr(case, "as_coordinator", False))


def require_coordinator(user: Any, case: Any) -> None:
    if not can_coordinate(user, case):
        raise PermissionDenied


# --- The life of a case: referral, triage, plan, timeline, scores ---------------------------
#
# | who                                  | may                                                  |
# | professional or coordinator          | refer, for an organisation they work for             |
# | coordinator of the region            | triage (the queue), every status change, assign the  |
# |                                      | case director; all that a case director may          |
# | the case director (level 2)          | plan and safety goals, safety phase, check-ins       |
# | level 2 (coordinators, partners)     | add Signs of Safety readings; read reasons of status |
# |                                      | changes, goals, risk instruments and readings         |
# | level 1                              | the timeline's process entries, without their text   |
# | the referring organisation (lvl >= 1)| also the text of the triage decision on its referral |
# Timeline entries about bekendheid and repeats are for coordinators only.

REFERRER_ROLES = (Role.PROFESSIONAL, Role.COORDINATOR)


def organisations_user_may_refer_for(user: Any) -> QuerySet[Organisation]:
    return organisations_user_may_act_for(user, REFERRER_ROLES).order_by("name")


def can_refer(user: Any) -> bool:
    return bool(user.is_authenticated) and organisations_user_may_refer_for(user).exists()


def can_triage(user: Any) -> bool:
    """Coordinators run the triage queue of their regions."""
    return bool(user.is_authenticated) and has_role(user, Role.COORDINATOR)


def triage_cases_visible_to(user: Any) -> Any:
    """Cases awaiting a triage decision in the regions *user* coordinates."""
    from casework.models import CaseStatus

    return cases_visible_to(user).filter(
        as_coordinator=True, status__in=[CaseStatus.REFERRED, CaseStatus.TRIAGE]
    )


def may_direct(user: Any, case: Any) -> bool:
    """Coordinators, and the case's own director while their organisation sees it at level 2."""
    if can_coordinate(user, case):
        return True
    return (
        case.case_director_id is not None
        and case.case_director_id == getattr(user, "pk", None)
        and getattr(case, "access_level", -1) >= FULL
    )


def require_director(user: Any, case: Any) -> None:
    if not may_direct(user, case):
        raise PermissionDenied


def may_add_score(user: Any, case: Any) -> bool:
    return getattr(case, "access_level", -1) >= FULL


def is_referrer_of(user: Any, case: Any) -> bool:
    """A professional or coordinator of the referring organisation who can still see the case."""
    if getattr(case, "access_level", -1) < 1:
        return False
    return Membership.objects.filter(
        user=user, organisation_id=case.referring_organisation_id, role__in=REFERRER_ROLES
    ).exists()


def timeline_audiences(user: Any, case: Any) -> set[str]:
    """Which timeline entries (``EventAudience``) *user* sees at all: none below level 1."""
    from casework.models import EventAudience

    if getattr(case, "access_level", -1) < 1:
        return set()
    audiences = {EventAudience.PROCESS.value}
    if can_coordinate(user, case):
        audiences.add(EventAudience.COORDINATORS.value)
    return audiences


def may_read_event_text(user: Any, case: Any, *, triage_decision: bool) -> bool:
    """The why of a timeline entry: level 2 and coordinators; a triage decision's reason or
    advice also reaches the referring organisation, which has to act on it."""
    if getattr(case, "access_level", -1) >= FULL or can_coordinate(user, case):
        return True
    return triage_decision and is_referrer_of(user, case)


def regions_administered_by(user: Any) -> QuerySet[Region]:
    """Regions whose settings *user* manages: functional admins of the region (superusers: all)."""
    if not can_administer(user):
        return Region.objects.none()
    if user.is_superuser:
        return Region.objects.all()
    return Region.objects.filter(id__in=_region_ids_with_role(user, Role.FUNCTIONAL_ADMIN))


def region_policies_administered_by(user: Any) -> Any:
    from casework.models import RegionPolicy

    return RegionPolicy.objects.filter(region__in=regions_administered_by(user))


def check_ins_visible_to(user: Any) -> Any:
    """Pending follow-up check-ins as tasks: the cases *user* directs, and for coordinators
    every case of their regions."""
    from casework.models import CheckIn

    cases = cases_visible_to(user).filter(Q(as_coordinator=True) | Q(case_director=user))
    return CheckIn.objects.pending().filter(case__in=cases.values("pk"))


def organisations_user_may_act_for(user: Any, roles: tuple[str, ...]) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=roles
    ).select_related("region")


def supervised_regions(user: Any) -> QuerySet[Region]:
    """Regions whose access log *user* supervises (privacy officers)."""
    if not user.is_authenticated:
        return Region.objects.none()
    return Region.objects.filter(
        organisations__memberships__user=user,
        organisations__memberships__role=Role.PRIVACY_OFFICER,
    ).distinct()


def cases_supervised_by(user: Any) -> Any:
    """Cases whose access log a privacy officer may read: reference and status, no content."""
    from casework.models import Case

    return Case.objects.filter(region__in=supervised_regions(user))


def access_supervised_case(user: Any, case_id: Any) -> Any:
    case = cases_supervised_by(user).select_related("region").filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


# --- Agreements and escalations --------------------------------------------------------------
#
# | who                               | agreements                     | escalation notices      |
# | coordinator of the case's region  | all; create, change, resolve,  | all, with the reason of |
# |                                   | reopen; escalate by hand       | manual escalations      |
# | partner at level 2 on the case    | all of the case                | of agreements it sees;  |
# |                                   |                                | manual ones             |
# | member of the owner organisation  | those it owns, once it takes   | of agreements it sees   |
# |  (partner role), level >= 1       | part at level >= 1; resolve    |                         |
# | recipient of a notice             | -                              | that notice: reference, |
# |                                   |                                | rung, due date, a link  |
# | anyone else (chair, privacy,      | nothing (404)                  | nothing (404)           |
# |  admin, level 0/1 partners)       |                                |                         |
#
# Whoever sees an agreement may read its description (level 2 or the owner organisation).


def _coordinated(user: Any, region_path: str) -> Q:
    return Q(**{f"{region_path}__in": _region_ids_with_role(user, Role.COORDINATOR)})


def agreements_visible_to(user: Any, queryset: QuerySet[Any] | None = None) -> Any:
    """Agreements *user* may see, annotated with ``as_coordinator`` and ``as_owner`` (a member of
    the owner organisation, who may resolve it). One SQL query; no per-row checks."""
    from casework.models import Agreement

    qs = Agreement.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    participations = _active_participations_of(user).filter(case=OuterRef("case_id"))
    owner = Exists(
        participations.filter(organisation=OuterRef("owner_organisation_id"), level__gte=1)
    )
    coordinator = _coordinated(user, "case__region_id")
    return qs.annotate(
        as_coordinator=DbCase(
            When(coordinator, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        as_owner=owner,
    ).filter(coordinator | Exists(participations.filter(level=FULL)) | owner)


def access_agreement(
    user: Any, agreement_id: Any, *, resolve: bool = False, manage: bool = False
) -> Any:
    """The agreement as *user* may see it: Http404 when missing or not visible; PermissionDenied
    when visible but *resolve* (owner organisation or coordinator) or *manage* (coordinator) is
    asked and not allowed."""
    agreement = (
        agreements_visible_to(user)
        .select_related("case__region", "case__data_key", "owner_organisation", "owner")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None:
        raise Http404
    if manage and not agreement.as_coordinator:
        raise PermissionDenied
    if resolve and not (agreement.as_coordinator or agreement.as_owner):
        raise PermissionDenied
    return agreement


def escalation_notices_visible_to(user: Any, queryset: QuerySet[Any] | None = None) -> Any:
    """Notices *user* may see, annotated with ``as_recipient``, ``agreement_visible`` (may follow
    the link to the agreement) and ``reason_visible`` (coordinators and level-2 partners)."""
    from scheduling.models import EscalationNotice, EscalationRecipient

    qs = EscalationNotice.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    coordinator = _coordinated(user, "case__region_id")
    full = Exists(_active_participations_of(user).filter(case=OuterRef("case_id"), level=FULL))
    agreement_visible = Exists(agreements_visible_to(user).filter(pk=OuterRef("agreement_id")))
    recipient = Exists(EscalationRecipient.objects.filter(notice=OuterRef("pk"), user=user))
    reason_visible = coordinator | full
    return qs.annotate(
        as_recipient=recipient,
        agreement_visible=agreement_visible,
        reason_visible=DbCase(
            When(reason_visible, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).filter(coordinator | agreement_visible | (Q(manual=True) & full) | recipient)


def access_escalation_notice(user: Any, notice_id: Any) -> Any:
    notice = (
        escalation_notices_visible_to(user)
        .select_related("case__region", "case__data_key", "agreement", "rung")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        raise Http404
    return notice


def regions_coordinated_by(user: Any) -> QuerySet[Region]:
    """Regions whose agreements and escalations *user* oversees (the region overview)."""
    if not user.is_authenticated or not user.is_active:
        return Region.objects.none()
    return Region.objects.filter(id__in=_region_ids_with_role(user, Role.COORDINATOR))


def ladders_visible_to(user: Any) -> Any:
    """The escalation ladders of the user's regions: configuration, no case content."""
    from scheduling.models import Ladder

    return Ladder.objects.filter(region__in=regions_of(user))


def ladders_administered_by(user: Any) -> Any:
    """Ladders a functional admin edits: those of their regions (superusers: all)."""
    from scheduling.models import Ladder

    if not can_administer(user):
        return Ladder.objects.none()
    if user.is_superuser:
        return Ladder.objects.all()
    return Ladder.objects.filter(region_id__in=_region_ids_with_role(user, Role.FUNCTIONAL_ADMIN))


# --- Meetings, agendas and minutes (scheduling, issue 5) -------------------------------------
#
# | who                              | series | meetings and agenda items        | minutes        |
# | coordinator of the region        | manage | every meeting and item; build,   | all; write,    |
# |                                  |        | publish, cancel, run             | publish        |
# | chair of the region              | see    | every meeting and item (read);   | level 1 parts, |
# |                                  |        | run (attendance, confidentiality)| once published |
# | functional admin of the region   | manage | -                                | -              |
# | partner (professional, escalation| -      | published agendas: only items of | at its level,  |
# |  official) whose organisation    |        | cases its organisation takes     | once published |
# |  takes part at level >= 1        |        | part in (its own slots); answer  |                |
# | anyone else                      | -      | nothing (404), not even a count  | -              |
#
# Need-to-know: items of other cases are absent for a partner, in lists, pages, e-mails and
# calendar files alike. Invitations go per organisation to the organisations that take part in the
# item's case at level 1 or more: meetings are process context (level 1); level 0 knows only that
# the case exists.

MEETING_LEVEL = 1
SERIES_MANAGER_ROLES = (Role.COORDINATOR, Role.FUNCTIONAL_ADMIN)


def meeting_regions_of(user: Any) -> QuerySet[Region]:
    """Regions whose meetings *user* runs or chairs (the week view)."""
    if not user.is_authenticated or not user.is_active:
        return Region.objects.none()
    return Region.objects.filter(id__in=_region_ids_with_role(user, Role.COORDINATOR, Role.CHAIR))


def series_regions_managed_by(user: Any) -> QuerySet[Region]:
    if not user.is_authenticated or not user.is_active:
        return Region.objects.none()
    return Region.objects.filter(id__in=_region_ids_with_role(user, *SERIES_MANAGER_ROLES))


def meeting_series_visible_to(user: Any, queryset: QuerySet[Any] | None = None) -> Any:
    """Series of the regions *user* coordinates, chairs or administers, annotated ``may_manage``."""
    from scheduling.models import MeetingSeries

    qs = MeetingSeries.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    managed = Q(region_id__in=_region_ids_with_role(user, *SERIES_MANAGER_ROLES))
    seen = Q(region_id__in=_region_ids_with_role(user, Role.CHAIR))
    return qs.annotate(
        may_manage=DbCase(
            When(managed, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    ).filter(managed | seen)


def access_meeting_series(user: Any, series_id: Any, *, manage: bool = False) -> Any:
    series = meeting_series_visible_to(user).select_related("region").filter(pk=series_id).first()
    if series is None:
        raise Http404
    if manage and not series.may_manage:
        raise PermissionDenied
    return series


def _invited_participations(user: Any) -> QuerySet[Any]:
    return _active_participations_of(user).filter(level__gte=MEETING_LEVEL)


def _own_slot(user: Any) -> Exists:
    return Exists(_invited_participations(user).filter(case=OuterRef("case_id")))


def own_slots_of(user: Any, queryset: QuerySet[Any] | None = None) -> Any:
    """Current items of published agendas whose case *user*'s organisations take part in at
    level >= 1: the user's own slots as a partner (also for a coordinator who is one)."""
    from scheduling.models import AgendaItem, AgendaStatus

    qs = AgendaItem.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    return qs.filter(
        _own_slot(user), removed_at__isnull=True, meeting__agenda_status=AgendaStatus.PUBLISHED
    )


def agenda_items_visible_to(user: Any, queryset: QuerySet[Any] | None = None) -> Any:
    """Current agenda items *user* may see, annotated with ``as_coordinator``. Partners see only
    published items of cases their organisation takes part in at level >= 1."""
    from scheduling.models import AgendaItem, AgendaStatus

    qs = AgendaItem.objects.all() if queryset is None else queryset
    qs = qs.filter(removed_at__isnull=True)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    coordinator = Q(meeting__region_id__in=_region_ids_with_role(user, Role.COORDINATOR))
    chair = Q(meeting__region_id__in=_region_ids_with_role(user, Role.CHAIR))
    partner = Q(meeting__agenda_status=AgendaStatus.PUBLISHED) & _own_slot(user)
    return qs.annotate(
        as_coordinator=DbCase(
            When(coordinator, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    ).filter(coordinator | chair | partner)


def meetings_visible_to(user: Any, queryset: QuerySet[Any] | None = None) -> Any:
    """Meetings *user* may know of, annotated with ``as_coordinator`` and ``as_chair``: every
    meeting of the regions they coordinate or chair; for partners, published meetings holding at
    least one of their slots."""
    from scheduling.models import AgendaItem, AgendaStatus, Meeting

    qs = Meeting.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    coordinator = Q(region_id__in=_region_ids_with_role(user, Role.COORDINATOR))
    chair = Q(region_id__in=_region_ids_with_role(user, Role.CHAIR))
    own_slot = Exists(own_slots_of(user, AgendaItem.objects.filter(meeting=OuterRef("pk"))))
    partner = Q(agenda_status=AgendaStatus.PUBLISHED) & own_slot
    return qs.annotate(
        as_coordinator=DbCase(
            When(coordinator, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        as_chair=DbCase(
            When(chair, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    ).filter(coordinator | chair | partner)


def access_meeting(user: Any, meeting_id: Any, *, manage: bool = False, run: bool = False) -> Any:
    """The meeting as *user* may see it: Http404 when missing or not visible; PermissionDenied
    when *manage* (coordinators) or *run* (coordinators and chairs) is asked and not allowed."""
    meeting = (
        meetings_visible_to(user).select_related("region", "series").filter(pk=meeting_id).first()
    )
    if meeting is None:
        raise Http404
    if manage and not meeting.as_coordinator:
        raise PermissionDenied
    if run and not (meeting.as_coordinator or meeting.as_chair):
        raise PermissionDenied
    return meeting


def access_agenda_item(user: Any, meeting: Any, item_id: Any, *, manage: bool = False) -> Any:
    item = (
        agenda_items_visible_to(user)
        .select_related("case__region", "case__data_key", "meeting")
        .filter(meeting=meeting, pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    if manage and not item.as_coordinator:
        raise PermissionDenied
    return item


def invited_organisations(case_id: Any) -> QuerySet[Organisation]:
    """The organisations invited to a case's slots: those taking part at level >= 1."""
    from casework.models import Participation

    taking_part = (
        Participation.objects.active()
        .filter(case_id=case_id, level__gte=MEETING_LEVEL)
        .values("organisation_id")
    )
    return Organisation.objects.filter(pk__in=taking_part)


def invited_organisations_of(case_ids: Any) -> dict[Any, set[int]]:
    """``invited_organisations`` of many cases in one query: case id -> organisation ids."""
    from casework.models import Participation

    invited: dict[Any, set[int]] = {}
    taking_part = (
        Participation.objects.active()
        .filter(case_id__in=list(case_ids), level__gte=MEETING_LEVEL)
        .values_list("case_id", "organisation_id")
    )
    for case_id, organisation_id in taking_part:
        invited.setdefault(case_id, set()).add(organisation_id)
    return invited


def organisations_answering_for(user: Any, case_id: Any) -> QuerySet[Organisation]:
    """The user's own organisations (partner roles) that are invited to a case's slots."""
    return invited_organisations(case_id).filter(
        memberships__user=user, memberships__role__in=PARTNER_ROLES
    )


def minutes_level(user: Any, item: Any) -> int | None:
    """How much of an item's minutes *user* reads: 2 everything, 1 the process parts (attendance,
    next review), None nothing. Coordinators always; others once the minutes are published, at
    their level on the case."""
    case = cases_visible_to(user).filter(pk=item.case_id).first()
    if case is None:
        return None
    if case.as_coordinator:
        return FULL
    if item.meeting.minutes_published_at is None or case.access_level < MEETING_LEVEL:
        return None
    return int(case.access_level)


def actor_of(request: Any) -> User:
    """The signed-in user of a page or API request (behind login_required / IsAuthenticated)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return cast("User", user)


def two_factor_verified(user: Any) -> bool:
    """Signed in with both factors (django-otp adds ``is_verified`` to the request's user)."""
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and check is not None and check())
