"""Who may see and do what in casework: cases, notes, identities, participation, the life of a
case and agreements. Every page, API view, list, export and count of these subjects starts here;
scheduling builds its meeting rules on these (a slot is visible because its case is).

Every list is one SQL query scoped to the user, annotated with what the pages need
(``Case.access_level``, ``Case.as_coordinator``, ``Agreement.as_owner``: declared on the models
with safe defaults, so an object loaded any other way has no access).

| who                         | cases                          | level | notes                  |
| --------------------------- | ------------------------------ | ----- | ---------------------- |
| coordinator of the region   | every case of the region       | 2     | all but other domains' |
|                             |                                |       | domain-only notes      |
| chair of the region         | every case of the region       | 1     | none                   |
| partner (professional,      | cases their organisation takes | the   | per note visibility    |
|  escalation official)       | part in (active participation) | max   |                        |
| privacy officer, admin      | none (the access log only)     | -     | none                   |

Identities are revealed only to coordinators of the case's region, with a reason. Participants
are listed from level 1 with their level, legal-basis category and dates; the weegmoment's written
justification is read by the coordinators and by the organisation it concerns.

The life of a case:

| who                                   | may                                                  |
| ------------------------------------- | ---------------------------------------------------- |
| professional or coordinator           | refer, for an organisation they work for             |
| coordinator of the region             | triage (the queue), every status change, assign the  |
|                                       | case director; all that a case director may          |
| the case director (level 2)           | plan and safety goals, safety phase, check-ins       |
| level 2 (coordinators, partners)      | add Signs of Safety readings and risk-instrument     |
|                                       | outcomes; read reasons of status changes, goals,     |
|                                       | risk-instrument outcomes and readings                |
| level 1                               | the timeline's process entries, without their text   |
| the referring organisation (lvl >= 1) | also the text of the triage decision on its referral |
| the referring organisation (any level,| its referral as submitted (``access_referral``)      |
|  also when it no longer takes part)   |                                                      |

Bekendheid (is a household member known elsewhere?) and repeats are for coordinators only, on
the case page, in the API, the triage queue and the timeline: within the region the other case's
reference, across regions only the region's name.

Agreements:

| who                               | agreements                                             |
| --------------------------------- | ------------------------------------------------------ |
| coordinator of the case's region  | all; create, change, resolve, reopen; escalate by hand |
| partner at level 2 on the case    | all of the case                                        |
| member of the owner organisation  | those it owns, once it takes part at level >= 1;       |
|  (partner role), level >= 1       | resolve                                                |
| anyone else (chair, privacy,      | nothing (404)                                          |
|  admin, level 0/1 partners)       |                                                        |

Whoever sees an agreement may read its description (level 2 or the owner organisation).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, overload

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
from django.db.models.query import ModelIterable
from django.http import Http404

from casework.models import (
    AccessLevel,
    Agreement,
    Case,
    CaseStatus,
    CheckIn,
    DestructionRecord,
    EventAudience,
    Identity,
    IdentityReveal,
    Note,
    NoteVisibility,
    Participation,
    ParticipationQuerySet,
    RegionPolicy,
    SubjectAccessItem,
    SubjectAccessRequest,
    SubjectAccessStatus,
)
from mda.access import (
    PARTNER_ROLES,
    access_flag,
    annotate_access,
    has_role,
    in_regions_with_role,
    is_active_user,
    organisations_user_may_act_for,
    regions_administered_by,
    supervised_regions,
)
from mda.memberships import memberships_held
from mda.models import Membership, Organisation, Region, Role, User
from mda.queries import one_or_none

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

FULL = AccessLevel.FULL
PROCESS = AccessLevel.PROCESS
REFERRER_ROLES = (Role.PROFESSIONAL, Role.COORDINATOR)
# Who may own an agreement: a person of the owner organisation in one of these roles.
AGREEMENT_OWNER_ROLES = (Role.PROFESSIONAL, Role.ESCALATION_OFFICIAL, Role.COORDINATOR)


def active_participations_of(user: User) -> QuerySet[Participation]:
    """Active participations of the organisations *user* works for in a partner role."""
    return Participation.objects.active().filter(
        organisation__memberships__user=user,
        organisation__memberships__role__in=PARTNER_ROLES,
    )


# --- Cases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where a user stands: the regions they coordinate and chair, their partner organisations
    and those organisations' regions. Read from the memberships (once per request), and passed
    to the queries as constants, which lets PostgreSQL pick the index."""

    coordinated: frozenset[int]  # region ids
    chaired: frozenset[int]
    partner_organisations: frozenset[int]
    partner_regions: frozenset[int]
    # The regions of all the user's memberships, read with them: every case the user may see is
    # in one of these.
    regions: Mapping[int, Region] = field(default_factory=dict, compare=False, hash=False)


def standing_of(user: User) -> Standing:
    coordinated, chaired, organisations, partner_regions = set(), set(), set(), set()
    regions: dict[int, Region] = {}
    for membership in memberships_held(user):
        role, organisation_id = membership.role, membership.organisation_id
        region_id = membership.organisation.region_id
        regions[region_id] = membership.organisation.region
        if role == Role.COORDINATOR:
            coordinated.add(region_id)
        elif role == Role.CHAIR:
            chaired.add(region_id)
        if role in PARTNER_ROLES:
            organisations.add(organisation_id)
            partner_regions.add(region_id)
    return Standing(
        frozenset(coordinated),
        frozenset(chaired),
        frozenset(organisations),
        frozenset(partner_regions),
        regions,
    )


def case_regions_of(user: User) -> Mapping[int, Region]:
    """The regions every case *user* may see lies in (those of the user's memberships), by id:
    a list shows a case's region from here, with no join."""
    return standing_of(user).regions


class _CasesInRegions(ModelIterable):
    """The cases of ``cases_visible_to`` with their region set from the user's standing, so that
    a list shows the region's name with no join and no query (a subclass per list holds them)."""

    regions: Mapping[int, Region] = {}

    def __iter__(self) -> Iterator[Case]:
        region_field = Case._meta.get_field("region")
        for case in super().__iter__():
            region = self.regions.get(case.region_id)
            if region is not None and not region_field.is_cached(case):
                region_field.set_cached_value(case, region)
            yield case


def _in_regions(qs: QuerySet[Case], standing: Standing) -> QuerySet[Case]:
    if qs._iterable_class is ModelIterable:  # not a queryset given as values() or the like
        regions = {"regions": standing.regions}
        qs._iterable_class = type("CasesInRegions", (_CasesInRegions,), regions)
    return qs


_FLAG: BooleanField[bool, bool] = BooleanField()
_LEVEL: IntegerField[int, int] = IntegerField()
# The rows a queryset of cases yields: model instances, or the values a list reads.
_Row = TypeVar("_Row")


@overload
def cases_visible_to(user: User | AnonymousUser) -> QuerySet[Case]: ...
@overload
def cases_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[Case, _Row]
) -> QuerySet[Case, _Row]: ...
def cases_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[Case, Any] | None = None
) -> QuerySet[Case, Any]:
    """Every case *user* may see, annotated with ``access_level`` (0, 1 or 2) and
    ``as_coordinator``.

    The filter is one an index drives: the regions the user coordinates or chairs, or (in the
    regions of the user's partner organisations, where their participations are) an active
    participation of one of those organisations. The level is computed only for the rows read,
    so a page of a list costs the page, not the region."""
    qs = Case.objects.all() if queryset is None else queryset
    if not is_active_user(user):
        return qs.none()
    # A destroyed case is a tombstone: it exists for nobody here (only in the privacy officer's
    # records, ``cases_supervised_by`` and ``destruction_records_visible_to``).
    alive = Q(destroyed_at__isnull=True)
    standing = standing_of(user)
    if standing.coordinated and standing.chaired | standing.partner_regions <= standing.coordinated:
        # Every case the user may see is in a region they coordinate (a chair's or partner's
        # view of it is never more): the level is 2 and the flag true for every row, constants
        # (with their types given, so that compiling them makes no field).
        cases = annotate_access(
            qs.filter(alive, region_id__in=standing.coordinated),
            as_coordinator=Value(True, output_field=_FLAG),
            access_level=Value(int(FULL), output_field=_LEVEL),
        )
        return _in_regions(cases, standing)
    # Only the parts the user's standing needs: most users are coordinators or partners, and the
    # other part would be built, compiled and evaluated for nothing.
    coordinated = Q(region_id__in=standing.coordinated)
    levels: list[Any] = []
    visible: Any = None
    if standing.coordinated or standing.chaired:
        visible = Q(region_id__in=standing.coordinated | standing.chaired)
        levels.append(
            DbCase(
                When(coordinated, then=Value(int(FULL))),
                When(Q(region_id__in=standing.chaired), then=Value(int(PROCESS))),
                default=Value(-1),
                output_field=IntegerField(),
            )
        )
    if standing.partner_organisations:
        participations = Participation.objects.active().filter(
            case=OuterRef("pk"), organisation_id__in=standing.partner_organisations
        )
        as_partner = Q(region_id__in=standing.partner_regions) & Exists(participations)
        visible = as_partner if visible is None else visible | as_partner
        participation_level = participations.order_by("-level").values("level")[:1]
        levels.append(
            Coalesce(Subquery(participation_level, output_field=IntegerField()), Value(-1))
        )
    if visible is None:  # no region and no partner organisation: nothing, with the same names
        return annotate_access(qs.none(), as_coordinator=Value(False), access_level=Value(-1))
    cases = annotate_access(
        qs.filter(alive & visible),
        as_coordinator=access_flag(coordinated) if standing.coordinated else Value(False),
        access_level=levels[0] if len(levels) == 1 else Greatest(*levels),
    )
    return _in_regions(cases, standing)


@overload
def cases_coordinated_by(user: User | AnonymousUser) -> QuerySet[Case]: ...
@overload
def cases_coordinated_by(
    user: User | AnonymousUser, queryset: QuerySet[Case, _Row]
) -> QuerySet[Case, _Row]: ...
def cases_coordinated_by(
    user: User | AnonymousUser, queryset: QuerySet[Case, Any] | None = None
) -> QuerySet[Case, Any]:
    """The cases of the regions *user* coordinates (of *queryset*, else of all), annotated as
    ``cases_visible_to``."""
    qs = Case.objects.all() if queryset is None else queryset
    if not is_active_user(user):
        return qs.none()
    coordinated = qs.filter(in_regions_with_role(user, "region_id", Role.COORDINATOR))
    return cases_visible_to(user, coordinated)


def access_case(
    user: User | AnonymousUser, case_id: Any, *, write: bool = False, at_least: int = 0
) -> Case:
    """The case with id *case_id* as *user* may see it, with ``access_level`` and
    ``as_coordinator`` set as ``cases_visible_to`` annotates them.

    Raises Http404 when it does not exist or is not visible (an outsider cannot tell which), and
    PermissionDenied when visible but below level *at_least*, or below level 2 for *write*.

    The rule is ``cases_visible_to``'s, decided for one case: the case is read by its key and the
    levels of the user's organisations in it are one small query, where the list's form compiles
    a subquery per row that costs more than both (every case page and endpoint starts here).
    ``test_access_matrix`` checks that the two agree for every persona."""
    if not is_active_user(user):
        raise Http404
    case = one_or_none(
        Case.objects.select_related("region", "referring_organisation", "data_key").filter(
            pk=case_id, destroyed_at__isnull=True
        )
    )
    if case is None:
        raise Http404
    standing = standing_of(user)
    region = case.region_id
    level = -1
    if region in standing.coordinated:
        level = int(FULL)
    elif region in standing.chaired:
        level = int(PROCESS)
    visible = level >= 0
    if standing.partner_organisations and level < FULL:
        taking_part = list(
            Participation.objects.active()
            .filter(case=case, organisation_id__in=standing.partner_organisations)
            .values_list("organisation_id", "organisation__domain", "level")
        )
        if taking_part:
            level = max(level, *(part_level for _o, _d, part_level in taking_part))
            visible = visible or region in standing.partner_regions
        case.full_participants = frozenset(
            (organisation, domain) for organisation, domain, part in taking_part if part == FULL
        )
    if not visible:
        raise Http404
    case.access_level, case.as_coordinator = level, region in standing.coordinated
    if case.access_level < (FULL if write else at_least):
        raise PermissionDenied
    return case


def can_read_weegmoment(
    user: User,
    case: Case,
    participation: Participation,
    own_organisations: set[int] | None = None,
) -> bool:
    """The written justification of a weegmoment (purpose, necessity, the explanation of another
    legal basis): for the coordinators, and for the organisation it concerns (a professional or
    escalation official there; pass *own_organisations* from ``partner_organisation_ids`` when
    checking many). Others at level 1 see the level, the legal-basis category and the dates."""
    if can_coordinate(user, case):
        return True
    own = partner_organisation_ids(user) if own_organisations is None else own_organisations
    return participation.organisation_id in own


def partner_organisation_ids(user: User) -> set[int]:
    return {m.organisation_id for m in memberships_held(user) if m.role in PARTNER_ROLES}


def can_coordinate(user: User, case: Case) -> bool:
    """Coordinators of the case's region: weegmoment, participants, identity reveal."""
    return case.as_coordinator


def require_coordinator(user: User, case: Case) -> None:
    if not can_coordinate(user, case):
        raise PermissionDenied


def cases_supervised_by(user: User | AnonymousUser) -> QuerySet[Case]:
    """Cases whose access log and disclosure log a privacy officer may read: reference and status,
    no content. Destroyed cases stay here as tombstones (their access log outlives them)."""
    return Case.objects.filter(region__in=supervised_regions(user))


def access_supervised_case(
    user: User | AnonymousUser, case_id: Any, *, living: bool = False
) -> Case:
    """A case of a region *user* supervises as privacy officer (403 for anyone else, 404 when
    missing or of another region); *living* also answers 404 for a destroyed case."""
    require_privacy_officer(user)
    cases = cases_supervised_by(user)
    if living:
        cases = cases.filter(destroyed_at__isnull=True)
    case = one_or_none(cases.select_related("region").filter(pk=case_id))
    if case is None:
        raise Http404
    return case


def is_privacy_officer(user: User | AnonymousUser) -> bool:
    return is_active_user(user) and has_role(user, Role.PRIVACY_OFFICER)


def require_privacy_officer(user: User | AnonymousUser) -> None:
    """Privacy officers' pages answer 403 to everyone else (they know the pages exist)."""
    if not is_privacy_officer(user):
        raise PermissionDenied


# --- Notes ---------------------------------------------------------------------------------------


def notes_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[Note] | None = None
) -> QuerySet[Note]:
    """Notes *user* may read. A note is never visible below level 2 on its case."""
    qs = Note.objects.all() if queryset is None else queryset
    if not is_active_user(user):
        return qs.none()
    full = active_participations_of(user).filter(case=OuterRef("case_id"), level=FULL)
    coordinator = in_regions_with_role(user, "case__region_id", Role.COORDINATOR)
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


def notes_of_case_visible_to(user: User | AnonymousUser, case: Case) -> QuerySet[Note]:
    """The notes of one case (from ``access_case``) that *user* may read: the rule of
    ``notes_visible_to``, with what it asks of the user decided first. Whether they coordinate
    the case's region is on the case; the organisations taking part in it at level 2 for the user
    were read by ``access_case`` (or are one small query). The notes are then one plain query on
    the case, without a subquery per note."""
    if not is_active_user(user) or case.access_level < FULL:
        return Note.objects.none()  # neither coordinator nor taking part at level 2
    rules: list[Q] = []
    if case.as_coordinator:
        domains = {
            m.organisation.domain for m in memberships_held(user) if m.role == Role.COORDINATOR
        }
        rules += [~Q(visibility=NoteVisibility.DOMAIN), Q(author_domain__in=domains)]
    full = case.full_participants  # read by access_case, when the user takes part as a partner
    if full is None:
        full = frozenset(
            active_participations_of(user)
            .filter(case=case, level=FULL)
            .values_list("organisation_id", "organisation__domain")
        )
    if full:
        rules += [
            Q(visibility=NoteVisibility.PARTICIPANTS),
            Q(visibility=NoteVisibility.DOMAIN, author_domain__in={d for _o, d in full}),
            Q(
                visibility=NoteVisibility.ORGANISATION,
                author_organisation__in={o for o, _d in full},
            ),
            Q(author=user),
        ]
    if not rules:
        return Note.objects.none()
    visible = rules[0]
    for rule in rules[1:]:
        visible |= rule
    return Note.objects.filter(case=case).filter(visible)


# --- The life of a case --------------------------------------------------------------------------


def organisations_user_may_refer_for(user: User) -> QuerySet[Organisation]:
    return organisations_user_may_act_for(user, REFERRER_ROLES).order_by("name")


def can_refer(user: User | AnonymousUser) -> bool:
    """Whether *user* refers for some organisation (``organisations_user_may_refer_for``), from
    the memberships read once per request: the navigation asks it on every page."""
    if not user.is_authenticated:
        return False
    return any(membership.role in REFERRER_ROLES for membership in memberships_held(user))


def can_triage(user: User | AnonymousUser) -> bool:
    """Coordinators run the triage queue of their regions."""
    return bool(user.is_authenticated) and has_role(user, Role.COORDINATOR)


def triage_cases_visible_to(user: User | AnonymousUser) -> QuerySet[Case]:
    """Cases awaiting a triage decision in the regions *user* coordinates."""
    return cases_coordinated_by(user).filter(status__in=[CaseStatus.REFERRED, CaseStatus.TRIAGE])


def can_direct(user: User, case: Case) -> bool:
    """Coordinators, and the case's own director while their organisation sees it at level 2."""
    if can_coordinate(user, case):
        return True
    return (
        case.case_director_id is not None
        and case.case_director_id == user.pk
        and case.access_level >= FULL
    )


def require_director(user: User, case: Case) -> None:
    if not can_direct(user, case):
        raise PermissionDenied


def can_add_score(user: User, case: Case) -> bool:
    return case.access_level >= FULL


def can_read_risk_assessments(user: User, case: Case) -> bool:
    """Risk-instrument outcomes are content: level 2 (coordinators have it in their region)."""
    return case.access_level >= FULL


def can_record_risk_assessment(user: User, case: Case) -> bool:
    """Partners at level 2 and coordinators record outcomes, at any moment of the case."""
    return case.access_level >= FULL


def is_referring_member(user: User, case: Case) -> bool:
    """A professional or coordinator of the organisation that referred *case*, whatever its
    level on the case now: it keeps reading its own referral as submitted."""
    return Membership.objects.filter(
        user=user, organisation_id=case.referring_organisation_id, role__in=REFERRER_ROLES
    ).exists()


def can_read_referral(user: User, case: Case) -> bool:
    """The referral as submitted (reason, goal, household labels, why the family was or was not
    told, partners involved, risk outcomes given with it): level 2, coordinators, and the
    referring organisation."""
    return (
        case.access_level >= FULL or can_coordinate(user, case) or is_referring_member(user, case)
    )


def access_referral(user: User | AnonymousUser, case_id: Any) -> Case:
    """The case whose referral *user* may read: 404 when the case is neither visible nor referred
    by *user*'s organisation, 403 when visible but not readable (the chair, level 0 and 1)."""
    if not is_active_user(user):
        raise Http404
    case = one_or_none(
        cases_visible_to(user)
        .select_related("region", "referring_organisation", "data_key")
        .filter(pk=case_id)
    )
    if case is None:
        # No longer taking part, or never at a level that shows the case: still its referral.
        case = one_or_none(
            Case.objects.select_related("region", "referring_organisation", "data_key").filter(
                pk=case_id, referring_organisation__in=organisations_user_may_refer_for(user)
            )
        )
        if case is None:
            raise Http404
    if not can_read_referral(user, case):
        raise PermissionDenied
    return case


def is_referrer_of(user: User, case: Case) -> bool:
    """A professional or coordinator of the referring organisation who can still see the case."""
    if case.access_level < PROCESS:
        return False
    return Membership.objects.filter(
        user=user, organisation_id=case.referring_organisation_id, role__in=REFERRER_ROLES
    ).exists()


def timeline_audiences(user: User, case: Case) -> set[str]:
    """Which timeline entries (``EventAudience``) *user* sees at all: none below level 1."""
    if case.access_level < PROCESS:
        return set()
    audiences = {EventAudience.PROCESS.value}
    if can_coordinate(user, case):
        audiences.add(EventAudience.COORDINATORS.value)
    return audiences


def can_read_event_text(user: User, case: Case, *, triage_decision: bool) -> bool:
    """The why of a timeline entry: level 2 and coordinators; a triage decision's reason or
    advice also reaches the referring organisation, which has to act on it."""
    if case.access_level >= FULL or can_coordinate(user, case):
        return True
    return triage_decision and is_referrer_of(user, case)


def region_policies_administered_by(user: User | AnonymousUser) -> QuerySet[RegionPolicy]:
    return RegionPolicy.objects.filter(region__in=regions_administered_by(user))


def check_ins_visible_to(user: User | AnonymousUser) -> QuerySet[CheckIn]:
    """Pending follow-up check-ins as tasks: the cases *user* directs, and for coordinators
    every case of their regions."""
    cases = cases_visible_to(user).filter(Q(as_coordinator=True) | Q(case_director=user))
    return CheckIn.objects.pending().filter(case__in=cases.values("pk"))


# --- Agreements ----------------------------------------------------------------------------------


def agreements_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[Agreement] | None = None
) -> QuerySet[Agreement]:
    """Agreements *user* may see, annotated with ``as_coordinator`` and ``as_owner`` (a member of
    the owner organisation, who may resolve it). One SQL query; no per-row checks."""
    qs = Agreement.objects.all() if queryset is None else queryset
    if not is_active_user(user):
        return qs.none()
    standing = standing_of(user)  # constants: each EXISTS is one probe of the participation index
    participations = Participation.objects.active().filter(
        case=OuterRef("case_id"), organisation_id__in=standing.partner_organisations
    )
    owner = Exists(
        participations.filter(organisation=OuterRef("owner_organisation_id"), level__gte=PROCESS)
    )
    coordinator = Q(case__region_id__in=standing.coordinated)
    return annotate_access(qs, as_coordinator=access_flag(coordinator), as_owner=owner).filter(
        coordinator | Exists(participations.filter(level=FULL)) | owner
    )


def agreements_of_case_visible_to(user: User | AnonymousUser, case: Case) -> QuerySet[Agreement]:
    """The agreements of one case that *user* may see, annotated as ``agreements_visible_to``
    annotates them: its rule (``agreement_access``) with what it asks of the user decided first.
    Coordinators of the case's region and partners taking part at level 2 see all of them, a
    partner at level 1 those its organisation owns; the levels are one small query. The
    agreements are then one plain query on the case, without a subquery per agreement.
    ``test_agreements_access`` checks that the two forms agree for every persona."""
    if not is_active_user(user):
        return Agreement.objects.none()
    standing = standing_of(user)
    levels = [(org, level) for _case, org, level in partner_levels(standing, {case.pk})]
    coordinator = case.region_id in standing.coordinated
    owners = {org for org, level in levels if level >= PROCESS}
    qs = Agreement.objects.filter(case=case)
    if not (coordinator or any(level == FULL for _org, level in levels)):
        qs = qs.filter(owner_organisation_id__in=owners)
    as_owner = (
        access_flag(Q(owner_organisation_id__in=owners))
        if owners
        else Value(False, output_field=_FLAG)
    )
    return annotate_access(
        qs, as_coordinator=Value(coordinator, output_field=_FLAG), as_owner=as_owner
    )


def partner_levels(standing: Standing, case_ids: Collection[Any]) -> list[tuple[Any, int, int]]:
    """(case id, organisation id, level) of the active participations of the user's partner
    organisations in *case_ids*: one small query, none for someone without them."""
    if not standing.partner_organisations:
        return []
    return list(
        Participation.objects.active()
        .filter(case_id__in=case_ids, organisation_id__in=standing.partner_organisations)
        .values_list("case_id", "organisation_id", "level")
    )


def agreement_access(
    standing: Standing, agreement: Agreement, levels: list[tuple[Any, int, int]]
) -> tuple[bool, bool, bool]:
    """``agreements_visible_to``'s rule for one agreement whose case (with its region) is loaded:
    (visible, as_coordinator, as_owner). *levels* is ``partner_levels`` of at least its case."""
    as_coordinator = agreement.case.region_id in standing.coordinated
    mine = [(org, level) for case_id, org, level in levels if case_id == agreement.case_id]
    owner = agreement.owner_organisation_id
    as_owner = any(org == owner and level >= PROCESS for org, level in mine)
    full = any(level == FULL for _org, level in mine)
    return as_coordinator or full or as_owner, as_coordinator, as_owner


def access_agreement(
    user: User | AnonymousUser, agreement_id: Any, *, resolve: bool = False, manage: bool = False
) -> Agreement:
    """The agreement as *user* may see it, with ``as_coordinator`` and ``as_owner`` set as
    ``agreements_visible_to`` annotates them: Http404 when missing or not visible;
    PermissionDenied when visible but *resolve* (owner organisation or coordinator) or *manage*
    (coordinator) is asked and not allowed.

    The list's rule decided for one agreement (``agreement_access``): the agreement by its key,
    then the levels of the user's partner organisations in its case in one small query.
    ``test_agreements_access`` checks that the two agree for every persona."""
    if not is_active_user(user):
        raise Http404
    agreement = one_or_none(
        Agreement.objects.select_related(
            "case__region", "case__data_key", "owner_organisation", "owner"
        ).filter(pk=agreement_id)
    )
    if agreement is None:
        raise Http404
    standing = standing_of(user)
    levels = partner_levels(standing, {agreement.case_id})
    visible, agreement.as_coordinator, agreement.as_owner = agreement_access(
        standing, agreement, levels
    )
    if not visible:
        raise Http404
    if manage and not agreement.as_coordinator:
        raise PermissionDenied
    if resolve and not (agreement.as_coordinator or agreement.as_owner):
        raise PermissionDenied
    return agreement


# --- Retention and subject access ----------------------------------------------------------------
#
# | who                              | may                                                        |
# | -------------------------------- | ---------------------------------------------------------- |
# | level >= 1 on the case           | read its destruction date and whether a hold postpones it  |
# | coordinator of the case's region | place and release a legal hold (reason: coordinators only) |
# |                                  | review the subject-access withholdings of the region's     |
# |                                  | cases (confirm or change)                                  |
# | privacy officer of the region    | destruction records (tombstones), the disclosure log,      |
# |                                  | subject-access requests: prepare, propose withholdings,   |
# |                                  | release, read the released report                          |
# | anyone else (policy, admin, ...) | nothing of this (403 for the privacy pages, 404 for cases) |


def destruction_records_visible_to(user: User | AnonymousUser) -> QuerySet[DestructionRecord]:
    """The destruction records of the regions *user* supervises as privacy officer."""
    if not is_privacy_officer(user):
        return DestructionRecord.objects.none()
    return DestructionRecord.objects.filter(region__in=supervised_regions(user))


def subject_access_requests_visible_to(
    user: User | AnonymousUser,
) -> QuerySet[SubjectAccessRequest]:
    """Requests prepared by a privacy officer of a region *user* supervises as privacy officer."""
    if not is_privacy_officer(user):
        return SubjectAccessRequest.objects.none()
    colleagues = Membership.objects.filter(
        role=Role.PRIVACY_OFFICER, organisation__region__in=supervised_regions(user)
    ).values("user_id")
    return SubjectAccessRequest.objects.filter(requested_by__in=colleagues)


def access_subject_access_request(
    user: User | AnonymousUser, request_id: Any
) -> SubjectAccessRequest:
    require_privacy_officer(user)
    found = subject_access_requests_visible_to(user).filter(pk=request_id).first()
    if found is None:
        raise Http404
    return found


def subject_access_reviews_for(user: User | AnonymousUser) -> QuerySet[SubjectAccessItem]:
    """Items of requests in preparation whose case *user* coordinates: their withholdings to
    confirm. A destroyed case has none (its items went with it)."""
    cases = cases_coordinated_by(user).values("pk")
    return SubjectAccessItem.objects.filter(
        case__in=cases, request__status=SubjectAccessStatus.PREPARING
    )


def access_subject_access_review(user: User | AnonymousUser, item_id: Any) -> SubjectAccessItem:
    """One item for its coordinator: 404 for anyone who does not coordinate the case's region."""
    item = one_or_none(
        subject_access_reviews_for(user)
        .select_related("request", "case__region", "case__data_key", "member")
        .filter(pk=item_id)
    )
    if item is None:
        raise Http404
    item.case = access_case(user, item.case_id)  # with the coordinator's annotations
    return item


def organisations_supervised_by(user: User | AnonymousUser) -> QuerySet[Organisation]:
    """Partner organisations whose disclosure log a privacy officer may read."""
    if not is_privacy_officer(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(region__in=supervised_regions(user))


def access_supervised_organisation(
    user: User | AnonymousUser, organisation_id: Any
) -> Organisation:
    """An organisation of a region *user* supervises (403 for anyone but a privacy officer, 404
    when missing or of another region)."""
    require_privacy_officer(user)
    found = organisations_supervised_by(user).select_related("region").filter(uuid=organisation_id)
    organisation = found.first()
    if organisation is None:
        raise Http404
    return organisation


# --- The workbench: what a coordinator guards, what a privacy officer supervises ----------------


def participations_coordinated_by(user: User | AnonymousUser) -> ParticipationQuerySet:
    """The weegmomenten of the cases *user* coordinates (expiry, revocation)."""
    return Participation.objects.filter(case__in=cases_coordinated_by(user).values("pk"))


def reveals_supervised_by(user: User | AnonymousUser) -> QuerySet[IdentityReveal]:
    """Identity reveals in the regions whose access log *user* supervises (privacy officers):
    who revealed whom and when; the reasons are read on the case's access log (recorded)."""
    return IdentityReveal.objects.filter(case__region__in=supervised_regions(user))


def identities_searchable_by(user: User | AnonymousUser) -> QuerySet[Identity]:
    """Identities a search by BSN or name and date of birth may find: those of the cases in the
    regions *user* coordinates (the blind index is compared, nothing is decrypted)."""
    return Identity.objects.filter(member__case__in=cases_coordinated_by(user).values("pk"))
