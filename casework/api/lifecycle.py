"""REST API of the life of a case: the status table, triage, transitions, the timeline, the case
director, the plan, the safety phase, follow-up check-ins and Signs of Safety readings.

Errors: 400 with ``fields`` for wrong input; 403 when you see the case but may not do this; 404
when you may not see the case; 409 ``transition_not_allowed`` (not from this status; the message
lists what is allowed) or ``transition_blocked`` (a condition is not met yet).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access, selectors, services
from casework.models import (
    AccessLevel,
    CaseStatus,
    CheckInOutcome,
    Criterion,
    NotInformedReason,
    RiskInstrument,
    RiskOutcome,
    SafetyPhase,
)
from casework.transitions import TRANSITION_CHOICES, TRANSITIONS, Transition, transitions_from
from mda.access import actor_of
from mda.http import ActorAPIView, LabelledSerializer
from mda.models import User


def _table(rows: list[tuple[str, str]]) -> str:
    return "\n".join(f"* `{name}`: {text}" for name, text in rows)


STATUS_DESCRIPTION = (
    "The status of the case. From `referred`/`triage` triage leads to `intake` (accepted) or to "
    "one of the exits `advice_only`, `declined`, `acute_route`; then `plan`, `execution`, "
    "`follow_up` and `closed`; a new signal during follow-up makes it `reopened`.\n\n"
    + _table([(s.value, str(s.label)) for s in CaseStatus])
)
TRANSITION_DESCRIPTION = "Every allowed transition (from → to):\n\n" + _table(
    [
        (t.name, f"{' / '.join(t.sources)} → {t.target}. {t.description}")
        for t in TRANSITIONS.values()
    ]
)
TransitionName = serializers.ChoiceField(
    choices=TRANSITION_CHOICES,
    help_text=TRANSITION_DESCRIPTION,
)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="`transition_not_allowed` or `transition_blocked` for 409."
    )
    message = serializers.CharField()


CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="Not possible from the case's current "
    "status (`transition_not_allowed`, the message says what is allowed) "
    "or a condition is not met (`transition_blocked`).",
)


# --- The status table ---------------------------------------------------------------------------


class StatusSerializer(LabelledSerializer):
    value = serializers.ChoiceField(choices=CaseStatus.choices, help_text=STATUS_DESCRIPTION)
    label = serializers.CharField()


class TransitionSerializer(LabelledSerializer):
    name = TransitionName
    label = serializers.CharField()
    description = serializers.CharField()
    sources = serializers.ListField(
        child=serializers.ChoiceField(choices=CaseStatus.choices),
        help_text="Statuses this transition starts from.",
    )
    target = serializers.ChoiceField(choices=CaseStatus.choices)
    needs_reason = serializers.BooleanField()
    triage = serializers.BooleanField(help_text="A triage decision; the referrer is told.")


class LifecycleTableSerializer(serializers.Serializer):
    statuses = StatusSerializer(many=True)
    transitions = TransitionSerializer(many=True)
    safety_phases = serializers.ListField(child=serializers.DictField())


class LifecycleTableView(ActorAPIView):
    @extend_schema(
        responses=LifecycleTableSerializer,
        summary="Every status and transition",
        description=TRANSITION_DESCRIPTION,
    )
    def get(self, request: Request) -> Response:
        data = {
            "statuses": [{"value": s.value, "label": str(s.label)} for s in CaseStatus],
            "transitions": [_transition(t) for t in TRANSITIONS.values()],
            "safety_phases": [{"value": p.value, "label": str(p.label)} for p in SafetyPhase],
        }
        return Response(LifecycleTableSerializer(data).data)


def _transition(t: Transition) -> dict[str, Any]:
    return {
        "name": t.name,
        "label": str(t.label),
        "description": str(t.description),
        "sources": list(t.sources),
        "target": t.target,
        "needs_reason": t.needs_reason,
        "triage": t.triage,
    }


# --- Triage queue -------------------------------------------------------------------------------


# --- The lifecycle of a case --------------------------------------------------------------------


class RiskAssessmentSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=RiskInstrument.choices)
    assessed_on = serializers.DateField()
    assessor_organisation = serializers.CharField(source="assessor_organisation.name")
    outcome = serializers.ChoiceField(choices=RiskOutcome.choices)


# Below level 2 these stay out: why the family was not told, or which partners were involved,
# can reveal a criminal investigation to care and social partners.
FULL_REFERRAL_FIELDS = (
    "goal",
    "family_informed",
    "not_informed_reason",
    "not_informed_explanation",
    "partners_involved",
    "risk_assessments",
)


class ReferralOutSerializer(serializers.Serializer):
    criteria = serializers.ListField(
        child=serializers.ChoiceField(choices=Criterion.choices), source="referral.criteria"
    )
    family_informed = serializers.BooleanField(
        source="referral.family_informed", required=False, help_text="At access level 2."
    )
    not_informed_reason = serializers.ChoiceField(
        choices=[*NotInformedReason.choices, ("", "")],
        source="referral.not_informed_reason",
        required=False,
        help_text="At access level 2.",
    )
    partners_involved = serializers.ListField(
        child=serializers.CharField(),
        source="partners",
        required=False,
        help_text="At access level 2.",
    )
    goal = serializers.CharField(required=False, help_text="At access level 2.")
    not_informed_explanation = serializers.CharField(
        required=False, allow_null=True, help_text="At access level 2."
    )
    risk_assessments = RiskAssessmentSerializer(
        many=True, required=False, help_text="At access level 2."
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.goal is None:  # below level 2: only which criteria the referrer ticked
            for key in FULL_REFERRAL_FIELDS:
                data.pop(key, None)
        return data


class PlanSerializer(serializers.Serializer):
    review_every_weeks = serializers.IntegerField()
    next_review_on = serializers.DateField()
    updated_at = serializers.DateTimeField()
    safety_goals = serializers.CharField(required=False, help_text="At access level 2.")


class CheckInSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    months_after = serializers.IntegerField()
    due_on = serializers.DateField()
    completed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(choices=[*CheckInOutcome.choices, ("", "")])


class PersonSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField(source="get_full_name")


class LifecycleSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="case.id")
    reference = serializers.CharField(source="case.reference")
    access_level = serializers.IntegerField(source="level")
    status = serializers.ChoiceField(
        source="case.status", choices=CaseStatus.choices, help_text=STATUS_DESCRIPTION
    )
    safety_phase = serializers.ChoiceField(
        source="case.safety_phase", allow_null=True, choices=SafetyPhase.choices
    )
    triage_due_on = serializers.DateField(source="case.triage_due_on", allow_null=True)
    triage_overdue = serializers.BooleanField()
    case_director = PersonSerializer(source="case.case_director", allow_null=True)
    case_director_organisation = serializers.CharField(
        source="case.case_director_organisation.name", allow_null=True, default=None
    )
    follow_up_until = serializers.DateField(source="case.follow_up_until", allow_null=True)
    referral = ReferralOutSerializer(allow_null=True)
    plan = serializers.SerializerMethodField()
    check_ins = CheckInSerializer(many=True)
    allowed_transitions = serializers.SerializerMethodField(
        help_text="What you may do from here (coordinators; empty for others)."
    )
    repeat_of = serializers.CharField(
        source="repeat_of.reference", allow_null=True, default=None, help_text="Coordinators only."
    )
    repeats = serializers.SerializerMethodField(help_text="Coordinators only.")

    @extend_schema_field(PlanSerializer(allow_null=True))
    def get_plan(self, view: Any) -> dict[str, Any] | None:
        if view.plan is None:
            return None
        data = PlanSerializer(view.plan).data
        if view.safety_goals is not None:
            data["safety_goals"] = view.safety_goals
        return data

    @extend_schema_field(serializers.ListField(child=TransitionName))
    def get_allowed_transitions(self, view: Any) -> list[str]:
        return [t.name for t in view.transitions]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_repeats(self, view: Any) -> list[str]:
        return [c.reference for c in view.repeats]


def _lifecycle(request: Request, case: Any) -> Response:
    view = selectors.lifecycle_view(actor=actor_of(request), case=case, with_timeline=False)
    return Response(LifecycleSerializer(view).data)


class LifecycleView(ActorAPIView):
    @extend_schema(responses=LifecycleSerializer, summary="The life of a case (access level 1+)")
    def get(self, request: Request, case_id: Any) -> Response:
        return _lifecycle(
            request, access.access_case(self.actor, case_id, at_least=AccessLevel.PROCESS)
        )


class TransitionInSerializer(serializers.Serializer):
    transition = TransitionName
    reason = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why. Required for advise (the advice), decline, "
        "acute_route, reopen and close_early. Encrypted.",
    )


class TransitionListView(ActorAPIView):
    @extend_schema(
        responses=TransitionSerializer(many=True),
        summary="The transitions you may make from the case's current status",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id, at_least=AccessLevel.PROCESS)
        options = transitions_from(case.status) if access.can_coordinate(self.actor, case) else []
        return Response(TransitionSerializer([_transition(t) for t in options], many=True).data)

    @extend_schema(
        request=TransitionInSerializer,
        responses={200: LifecycleSerializer, 409: CONFLICT},
        summary="Move the case: a triage decision or another transition (coordinators)",
        description=TRANSITION_DESCRIPTION,
    )
    def post(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_coordinator(self.actor, case)
        serializer = TransitionInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_transition(actor=self.actor, case=case, **serializer.validated_data)
        return _lifecycle(request, case)


# --- Timeline -----------------------------------------------------------------------------------


# --- Case director, plan, safety phase ----------------------------------------------------------


class DirectorCandidateSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField(source="get_full_name")


class DirectorInSerializer(serializers.Serializer):
    director = serializers.UUIDField(
        help_text="A professional of an organisation taking part at level 2 (see GET)."
    )


class DirectorView(ActorAPIView):
    @extend_schema(
        responses=DirectorCandidateSerializer(many=True),
        summary="Who can be case director (coordinators)",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_coordinator(self.actor, case)
        candidates = selectors.director_candidates(case=case)
        return Response(DirectorCandidateSerializer(candidates, many=True).data)

    @extend_schema(
        request=DirectorInSerializer,
        responses={200: LifecycleSerializer, 409: CONFLICT},
        summary="Assign the case director (coordinators)",
    )
    def put(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_coordinator(self.actor, case)
        serializer = DirectorInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        director = User.objects.filter(uuid=serializer.validated_data["director"]).first()
        if director is None:
            raise serializers.ValidationError({"director": [_("No such user.")]})
        services.case_director_assign(actor=self.actor, case=case, director=director)
        return _lifecycle(request, case)


class PlanInSerializer(serializers.Serializer):
    safety_goals = serializers.CharField(max_length=10000, help_text="Encrypted.")
    review_every_weeks = serializers.IntegerField(min_value=1, max_value=26)


class PlanView(ActorAPIView):
    @extend_schema(
        request=PlanInSerializer,
        responses={200: LifecycleSerializer, 409: CONFLICT},
        summary="Record the plan (coordinators and the case director)",
    )
    def put(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_director(self.actor, case)
        serializer = PlanInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_plan_save(actor=self.actor, case=case, **serializer.validated_data)
        return _lifecycle(request, case)


class SafetyPhaseInSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=SafetyPhase.choices)
    reason = serializers.CharField(
        max_length=5000,
        help_text="Why the phase changes (required). Encrypted; in the timeline at level 2.",
    )


class SafetyPhaseView(ActorAPIView):
    @extend_schema(
        request=SafetyPhaseInSerializer,
        responses={200: LifecycleSerializer, 409: CONFLICT},
        summary="Change the safety phase (coordinators and the case director)",
    )
    def put(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_director(self.actor, case)
        serializer = SafetyPhaseInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.safety_phase_set(actor=self.actor, case=case, **serializer.validated_data)
        return _lifecycle(request, case)


# --- Follow-up check-ins ------------------------------------------------------------------------


class CheckInTaskSerializer(CheckInSerializer):
    case = serializers.UUIDField(source="case.id")
    reference = serializers.CharField(source="case.reference")


class CheckInTaskListView(ActorAPIView):
    @extend_schema(
        responses=CheckInTaskSerializer(many=True),
        summary="Open follow-up check-ins: of the cases you direct (coordinators: of your regions)",
    )
    def get(self, request: Request) -> Response:
        rows = selectors.check_ins_for(actor=self.actor)
        return Response(CheckInTaskSerializer(rows, many=True).data)


class CheckInCompleteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=CheckInOutcome.choices, help_text="`concerns` re-opens the case."
    )
    remark = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required with concerns. Encrypted.",
    )


class CheckInCompleteView(ActorAPIView):
    @extend_schema(
        request=CheckInCompleteSerializer,
        responses={200: CheckInSerializer, 409: CONFLICT},
        summary="Record a check-in (the case director or a coordinator)",
    )
    def post(self, request: Request, case_id: Any, check_in_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_director(self.actor, case)
        check_in = selectors.check_in_of_case(case=case, check_in_id=check_in_id)
        serializer = CheckInCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = services.check_in_complete(
            actor=self.actor,
            case=case,
            check_in=check_in,
            **serializer.validated_data,
        )
        return Response(CheckInSerializer(done).data)


# --- Signs of Safety readings -------------------------------------------------------------------
