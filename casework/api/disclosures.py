"""REST API of the disclosure log: per case, each organisation's weegmomenten and reads
(privacy officers of the case's region; 403 for everyone else, 404 for another region's case or
a destroyed one)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access
from casework.models import AccessLevel, LegalBasis
from casework.selectors.disclosures import STATES, disclosure_log
from mda.http import ActorAPIView


class WeegmomentSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AccessLevel.choices)
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices)
    decided_at = serializers.DateTimeField()
    decided_by = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=list(STATES))


class ReadsSerializer(serializers.Serializer):
    object_type = serializers.CharField()
    count = serializers.IntegerField()
    first = serializers.DateTimeField()
    last = serializers.DateTimeField()


class PartnerDisclosureSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    domain = serializers.CharField()
    weegmomenten = WeegmomentSerializer(many=True)
    reads = ReadsSerializer(many=True)


class DisclosureLogView(ActorAPIView):
    @extend_schema(
        responses=PartnerDisclosureSerializer(many=True),
        summary="The disclosure log of a case (privacy officers of the region)",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_supervised_case(self.actor, case_id, living=True)
        log = disclosure_log(actor=self.actor, case=case)
        return Response(PartnerDisclosureSerializer(log, many=True).data)
