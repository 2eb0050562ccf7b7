"""REST API of the escalation ladder: escalations (notices) you may see, acknowledging one, a
coordinator's manual escalation, and the ladders of your regions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework.access import access_case, require_coordinator
from casework.models import AccessLevel
from mda.access import regions_of
from mda.http import ActorAPIView, ActorListAPIView
from mda.models import Organisation
from scheduling import access, selectors, services
from scheduling.models import Rung
from scheduling.services.escalation import MIN_REASON


class RecipientSerializer(serializers.Serializer):
    user = serializers.CharField(source="user.get_full_name")
    fallback = serializers.BooleanField()
    acknowledged_at = serializers.DateTimeField(
        source="notification.acknowledged_at", allow_null=True, default=None
    )


class EscalationSerializer(serializers.Serializer):
    """Reference, rung, due date and a link for everyone who may see the notice; the agreement
    only for those who may see it, the reason and recipients only for coordinators and level-2
    partners."""

    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    case_reference = serializers.CharField(source="case.reference")
    rung = serializers.IntegerField(source="rung_number")
    rung_name = serializers.CharField(help_text="The region's (Dutch) name of the rung.")
    rung_label = serializers.CharField(
        help_text="The rung's name in the language of the request (English label if given)."
    )
    manual = serializers.BooleanField()
    status = serializers.CharField()
    due_at = serializers.DateTimeField()
    agreement_due_date = serializers.DateField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    link = serializers.SerializerMethodField()
    addressed_to_me = serializers.BooleanField(source="as_recipient")
    acknowledged_at = serializers.DateTimeField(source="my_acknowledged_at", allow_null=True)
    agreement = serializers.UUIDField(
        source="agreement_id",
        allow_null=True,
        required=False,
        help_text="When you may see the agreement.",
    )

    def get_link(self, notice: Any) -> str:
        from django.urls import reverse

        return reverse("scheduling:escalation-detail", args=[notice.pk])

    def to_representation(self, notice: Any) -> dict[str, Any]:
        data = super().to_representation(notice)
        if not notice.agreement_visible:
            data.pop("agreement", None)
        return data


class EscalationDetailSerializer(EscalationSerializer):
    reason = serializers.CharField(required=False, allow_null=True)
    recipients = RecipientSerializer(many=True, required=False)

    def to_representation(self, view: Any) -> dict[str, Any]:
        data = EscalationSerializer(view.notice).data
        if view.notice.reason_visible:
            data["reason"] = view.reason
            data["recipients"] = RecipientSerializer(view.recipients, many=True).data
        return data


class EscalationRaiseSerializer(serializers.Serializer):
    rung = serializers.IntegerField(
        help_text="The id of a rung of the region's ladder (GET /api/v1/ladders/)."
    )
    reason = serializers.CharField(min_length=MIN_REASON, max_length=2000)
    organisation = serializers.UUIDField(required=False, allow_null=True, default=None)
    agreement = serializers.UUIDField(required=False, allow_null=True, default=None)


class RungSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    name = serializers.CharField()
    offset_working_days = serializers.IntegerField()
    notify_owner = serializers.BooleanField()
    organisation_scope = serializers.CharField()
    organisation_kind = serializers.CharField()
    organisation = serializers.CharField(source="organisation.name", default="")
    roles = serializers.ListField(child=serializers.CharField())
    active = serializers.BooleanField()


class LadderSerializer(serializers.Serializer):
    region = serializers.CharField(source="region.slug")
    send_time = serializers.SerializerMethodField(
        help_text="Local wall-clock time in Europe/Amsterdam, HH:MM (no offset: it follows DST)."
    )
    rungs = RungSerializer(many=True, source="rungs.all")

    def get_send_time(self, ladder: Any) -> str:
        return str(ladder.send_time.strftime("%H:%M"))


class EscalationListView(ActorListAPIView):
    """Escalations you may see. ``mine=1``: those sent to you; ``open=1``: of those, the ones
    still open."""

    serializer_class = EscalationSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("mine", OpenApiTypes.BOOL),
            OpenApiParameter("open", OpenApiTypes.BOOL),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        params, user = self.request.query_params, self.actor
        if params.get("open") in {"1", "true"}:
            return selectors.escalations_addressed_to(actor=user, open_only=True)
        if params.get("mine") in {"1", "true"}:
            return selectors.escalations_addressed_to(actor=user, open_only=False)
        return selectors.notices_visible(actor=user).order_by("-due_at")


class EscalationDetailView(ActorAPIView):
    @extend_schema(responses=EscalationDetailSerializer, summary="One escalation")
    def get(self, request: Request, notice_id: Any) -> Response:
        view = selectors.escalation_view(actor=self.actor, notice_id=notice_id)
        return Response(EscalationDetailSerializer(view).data)


class EscalationAcknowledgeView(ActorAPIView):
    @extend_schema(
        request=None,
        responses=EscalationDetailSerializer,
        summary="Acknowledge an escalation sent to you",
    )
    def post(self, request: Request, notice_id: Any) -> Response:
        notice = access.access_escalation_notice(self.actor, notice_id)
        if not notice.as_recipient:
            raise PermissionDenied
        services.escalation_acknowledge(actor=self.actor, notice=notice)
        view = selectors.escalation_view(actor=self.actor, notice_id=notice_id)
        return Response(EscalationDetailSerializer(view).data)


class CaseEscalationListView(ActorAPIView):
    @extend_schema(
        responses=EscalationSerializer(many=True),
        summary="The escalation history of a case, as far as you may see it",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access_case(self.actor, case_id)
        if case.access_level < AccessLevel.PROCESS:
            raise PermissionDenied
        rows = selectors.escalation_history(actor=self.actor, case=case)
        return Response(EscalationSerializer(rows, many=True).data)

    @extend_schema(
        request=EscalationRaiseSerializer,
        responses={201: EscalationDetailSerializer},
        summary="Escalate a case by hand to any rung, with a reason (coordinators)",
    )
    def post(self, request: Request, case_id: Any) -> Response:
        from casework import selectors as casework_selectors

        case = access_case(self.actor, case_id)
        require_coordinator(self.actor, case)
        serializer = EscalationRaiseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rung = Rung.objects.filter(pk=data["rung"], ladder__region=case.region).first()
        if rung is None:
            raise serializers.ValidationError(
                {"rung": [_("No such rung on this region's ladder.")]}
            )
        organisation = None
        if data["organisation"] is not None:
            organisation = Organisation.objects.filter(
                uuid=data["organisation"], region=case.region
            ).first()
            if organisation is None:
                raise serializers.ValidationError(
                    {"organisation": [_("No such organisation in this region.")]}
                )
        agreement = None
        if data["agreement"] is not None:
            agreement = (
                casework_selectors.agreement_list(actor=self.actor, case=case)
                .filter(pk=data["agreement"])
                .first()
            )
            if agreement is None:
                raise serializers.ValidationError(
                    {"agreement": [_("No such agreement in this case.")]}
                )
        notice = services.escalation_raise(
            actor=self.actor,
            case=case,
            rung=rung,
            reason=data["reason"],
            organisation=organisation,
            agreement=agreement,
        )
        view = selectors.escalation_view(actor=self.actor, notice_id=notice.pk)
        return Response(EscalationDetailSerializer(view).data, status=status.HTTP_201_CREATED)


class LadderListView(ActorAPIView):
    @extend_schema(
        responses=LadderSerializer(many=True), summary="The escalation ladders of your regions"
    )
    def get(self, request: Request) -> Response:
        for region in regions_of(self.actor):
            services.ladder_of(region)
        ladders = selectors.ladders_for(actor=self.actor)
        return Response(LadderSerializer(ladders, many=True).data)
