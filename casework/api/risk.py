"""API of risk-instrument outcomes: the history of a case, and recording a new outcome (partners
at level 2 and coordinators)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access, services
from casework.api.lifecycle import CONFLICT
from casework.api.referral import RiskAssessmentInSerializer
from casework.models import RiskInstrument, RiskOutcome
from casework.selectors.risk import risk_assessments_for
from mda.http import ActorAPIView
from mda.models import Organisation


class RiskAssessmentOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    instrument = serializers.ChoiceField(choices=RiskInstrument.choices)
    assessed_on = serializers.DateField()
    assessor_organisation = serializers.UUIDField(source="assessor_organisation.uuid")
    assessor_organisation_name = serializers.CharField(source="assessor_organisation.name")
    outcome = serializers.ChoiceField(
        choices=RiskOutcome.choices, help_text="As the instrument gave it; never recomputed."
    )
    at_referral = serializers.BooleanField(help_text="Given with the referral.")
    recorded_by_organisation = serializers.CharField(source="recorded_organisation.name")
    recorded_at = serializers.DateTimeField()


class RiskAssessmentListView(ActorAPIView):
    @extend_schema(
        responses=RiskAssessmentOutSerializer(many=True),
        summary="Risk-instrument outcomes of a case, oldest first (access level 2)",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id, write=True)
        rows = risk_assessments_for(actor=self.actor, case=case)
        return Response(RiskAssessmentOutSerializer(rows, many=True).data)

    @extend_schema(
        request=RiskAssessmentInSerializer,
        responses={201: RiskAssessmentOutSerializer, 409: CONFLICT},
        summary="Record a risk-instrument outcome (partners at level 2 and coordinators); the "
        "assessor organisation must take part in the case",
    )
    def post(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id, write=True)
        serializer = RiskAssessmentInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assessor = Organisation.objects.filter(
            uuid=data["assessor_organisation"], region=case.region
        ).first()
        if assessor is None:
            raise serializers.ValidationError(
                {"assessor_organisation": [_("No such organisation in this region.")]}
            )
        row = services.risk_assessment_add(
            actor=self.actor,
            case=case,
            risk=services.RiskAssessmentInput(
                instrument=data["instrument"],
                assessed_on=data["assessed_on"],
                assessor_organisation=assessor,
                outcome=data["outcome"],
            ),
        )
        return Response(RiskAssessmentOutSerializer(row).data, status=status.HTTP_201_CREATED)
