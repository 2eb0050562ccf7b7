"""API of participation: the weegmoment (coordinators) and revoking it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
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


class ParticipantSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    organisation = serializers.UUIDField(source="organisation.uuid")
    organisation_name = serializers.CharField(source="organisation.name")
    level = serializers.IntegerField()
    legal_basis = serializers.CharField()
    legal_basis_other = serializers.CharField()
    purpose = serializers.CharField()
    necessity = serializers.CharField()
    decided_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class ParticipantCreateSerializer(serializers.Serializer):
    organisation = serializers.UUIDField()
    level = serializers.ChoiceField(choices=AccessLevel.choices)
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices)
    legal_basis_other = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    purpose = serializers.CharField(max_length=1000)
    necessity = serializers.CharField(max_length=2000)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ParticipantListView(ActorAPIView):
    @extend_schema(responses=ParticipantSerializer(many=True), summary="Participants of a case")
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        if case.access_level < AccessLevel.PROCESS:
            raise PermissionDenied
        rows = case.participations.select_related("organisation").order_by("decided_at")
        return Response(ParticipantSerializer(rows, many=True).data)

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
            actor=self.actor,
            case=case,
            organisation=organisation,
            **data,
        )
        return Response(ParticipantSerializer(participation).data, status=status.HTTP_201_CREATED)


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
        return Response(ParticipantSerializer(participation).data)
