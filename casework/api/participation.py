"""API of participation: the participants of a case and their history, the weegmoment
(coordinators), a new weegmoment that supersedes one (a change of level or expiry), revoking, and
the partners the referrer named as suggestions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access, selectors, services
from casework.models import (
    AccessLevel,
    LegalBasis,
)
from mda.http import ActorAPIView
from mda.models import Organisation

JUSTIFICATION = "Coordinators and the organisation concerned only; absent for other readers."


class ParticipantSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="participation.id")
    organisation = serializers.UUIDField(source="participation.organisation.uuid")
    organisation_name = serializers.CharField(source="participation.organisation.name")
    level = serializers.IntegerField(source="participation.level")
    legal_basis = serializers.ChoiceField(
        source="participation.legal_basis",
        choices=LegalBasis.choices,
        help_text="The category of the legal basis.",
    )
    decided_at = serializers.DateTimeField(source="participation.decided_at")
    expires_at = serializers.DateTimeField(source="participation.expires_at", allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True, help_text="When it was revoked.")
    superseded_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When a newer weegmoment (which `supersedes` this one) took over.",
    )
    supersedes = serializers.UUIDField(
        source="participation.supersedes_id",
        allow_null=True,
        help_text="The earlier weegmoment of this organisation that this one replaced.",
    )
    legal_basis_other = serializers.CharField(
        required=False, help_text="The explanation of another legal basis. " + JUSTIFICATION
    )
    purpose = serializers.CharField(required=False, help_text=JUSTIFICATION)
    necessity = serializers.CharField(required=False, help_text=JUSTIFICATION)

    def to_representation(self, view: Any) -> dict[str, Any]:
        data = super().to_representation(view)
        if not view.readable:
            for key in ("legal_basis_other", "purpose", "necessity"):
                data.pop(key, None)
        return data


class WeegmomentSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AccessLevel.choices)
    legal_basis = serializers.ChoiceField(
        choices=LegalBasis.choices, help_text="Required: there is no default."
    )
    legal_basis_other = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for `other`. Encrypted.",
    )
    purpose = serializers.CharField(max_length=1000, help_text="Encrypted.")
    necessity = serializers.CharField(
        max_length=2000, help_text="Why sharing is necessary and proportionate. Encrypted."
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ParticipantCreateSerializer(WeegmomentSerializer):
    organisation = serializers.UUIDField()


class SuggestionSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()


ENDED = OpenApiResponse(
    description="`participation_ended`: this weegmoment was revoked or superseded already."
)


def _participant(actor: Any, case: Any, participation_id: Any) -> dict[str, Any]:
    (view,) = selectors.participations_for_case(actor=actor, case=case, only=participation_id)
    return ParticipantSerializer(view).data


class ParticipantListView(ActorAPIView):
    @extend_schema(
        responses=ParticipantSerializer(many=True),
        summary="Participants of a case, with the history of their weegmomenten (level 1+)",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id, at_least=AccessLevel.PROCESS)
        views = selectors.participations_for_case(actor=self.actor, case=case)
        return Response(ParticipantSerializer(views, many=True).data)

    @extend_schema(
        request=ParticipantCreateSerializer,
        responses={201: ParticipantSerializer},
        summary="Add a participant after a weegmoment (coordinators)",
    )
    def post(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_coordinator(self.actor, case)
        serializer = ParticipantCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organisation = Organisation.objects.filter(
            uuid=data.pop("organisation"), region=case.region
        ).first()
        if organisation is None:
            raise serializers.ValidationError(
                {"organisation": [_("No such organisation in this region.")]}
            )
        participation = services.participation_add(
            actor=self.actor, case=case, organisation=organisation, **data
        )
        return Response(
            _participant(self.actor, case, participation.pk), status=status.HTTP_201_CREATED
        )


class ParticipantSupersedeView(ActorAPIView):
    @extend_schema(
        request=WeegmomentSerializer,
        responses={201: ParticipantSerializer, 409: ENDED},
        summary="Change a participant's level or expiry by a new weegmoment that supersedes "
        "this one (coordinators)",
    )
    def post(self, request: Request, case_id: Any, participation_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_coordinator(self.actor, case)
        participation = selectors.participation_of_case(
            case=case, participation_id=participation_id
        )
        serializer = WeegmomentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = services.participation_supersede(
            actor=self.actor, participation=participation, **serializer.validated_data
        )
        return Response(_participant(self.actor, case, new.pk), status=status.HTTP_201_CREATED)


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(
        min_length=10, max_length=1000, help_text="Why; kept (encrypted) for the coordinators."
    )


class ParticipantRevokeView(ActorAPIView):
    @extend_schema(
        request=RevokeSerializer,
        responses=ParticipantSerializer,
        summary="Revoke a participation (coordinators), with the reason",
    )
    def post(self, request: Request, case_id: Any, participation_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_coordinator(self.actor, case)
        participation = selectors.participation_of_case(
            case=case, participation_id=participation_id
        )
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        participation = services.participation_revoke(
            actor=self.actor,
            participation=participation,
            reason=serializer.validated_data["reason"],
        )
        return Response(_participant(self.actor, case, participation.pk))


class ParticipantSuggestionsView(ActorAPIView):
    @extend_schema(
        responses=SuggestionSerializer(many=True),
        summary="Partners the referrer named as involved that take no part yet (coordinators)",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        if not access.can_coordinate(self.actor, case):
            raise PermissionDenied
        organisations = selectors.suggested_organisations(case=case)
        return Response(SuggestionSerializer(organisations, many=True).data)
