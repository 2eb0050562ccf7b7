"""API of Signs of Safety readings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access, services
from casework.api.lifecycle import CONFLICT
from casework.models import (
    HouseholdMember,
    Perspective,
)
from casework.selectors.scores import scores_of
from mda.http import ActorAPIView
from mda.models import Organisation


class ScoreSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    value = serializers.IntegerField(min_value=0, max_value=10)
    scored_on = serializers.DateField()
    perspective = serializers.ChoiceField(choices=Perspective.choices)
    organisation = serializers.CharField(source="organisation.name", allow_null=True, default=None)
    member = serializers.CharField(source="member.label", allow_null=True, default=None)
    recorded_by_organisation = serializers.CharField(source="recorded_organisation.name")
    created_at = serializers.DateTimeField()


class ScoreInSerializer(serializers.Serializer):
    value = serializers.IntegerField(
        min_value=0,
        max_value=10,
        help_text="0: the children "
        "cannot stay at home; 10: everyone knows they are safe "
        "enough to close the case.",
    )
    scored_on = serializers.DateField()
    perspective = serializers.ChoiceField(choices=Perspective.choices)
    organisation = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For 'professional' (default: yours).",
    )
    member = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For 'parent' and 'child': the household member.",
    )


class ScoreListView(ActorAPIView):
    @extend_schema(
        responses=ScoreSerializer(many=True), summary="Signs of Safety readings (access level 2)"
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id, write=True)
        return Response(ScoreSerializer(scores_of(case), many=True).data)

    @extend_schema(
        request=ScoreInSerializer,
        responses={201: ScoreSerializer, 409: CONFLICT},
        summary="Add a Signs of Safety reading (access level 2)",
    )
    def post(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id, write=True)
        serializer = ScoreInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organisation = member = None
        if data["organisation"] is not None:
            organisation = Organisation.objects.filter(uuid=data["organisation"]).first()
            if organisation is None:
                raise serializers.ValidationError({"organisation": [_("No such organisation.")]})
        if data["member"] is not None:
            member = HouseholdMember.objects.filter(case=case, pk=data["member"]).first()
            if member is None:
                raise serializers.ValidationError({"member": [_("No such household member.")]})
        score = services.score_add(
            actor=self.actor,
            case=case,
            value=data["value"],
            scored_on=data["scored_on"],
            perspective=data["perspective"],
            organisation=organisation,
            member=member,
        )
        return Response(ScoreSerializer(score).data, status=201)
