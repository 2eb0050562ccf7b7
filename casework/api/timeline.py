"""API of the case timeline."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access, selectors
from casework.models.cases import AccessLevel
from casework.selectors.timeline import TIMELINE_KINDS
from mda.http import ActorAPIView


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=TIMELINE_KINDS)
    summary = serializers.CharField()
    by = serializers.CharField()
    text = serializers.CharField(allow_null=True, help_text="The why, where you may read it.")
    text_withheld = serializers.BooleanField(help_text="There is a why you may not read.")
    transition = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()


class TimelineView(ActorAPIView):
    @extend_schema(
        responses=TimelineEntrySerializer(many=True),
        summary="Everything that happened to the case, as far as you may see it",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id, at_least=AccessLevel.PROCESS)
        entries = selectors.timeline(actor=self.actor, case=case)
        return Response(TimelineEntrySerializer(entries, many=True).data)
