"""API of what was sent for a meeting: per organisation its invitations and answers
(coordinators)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from mda.http import ActorAPIView
from scheduling import access
from scheduling.selectors import packs


class SlotInvitationSerializer(serializers.Serializer):
    item = serializers.UUIDField(source="item_id")
    case = serializers.UUIDField(source="item.case_id")
    case_reference = serializers.CharField(source="item.case.reference")
    starts_at = serializers.DateTimeField(source="item.starts_at")
    ends_at = serializers.DateTimeField(source="item.ends_at")
    sequence = serializers.IntegerField(help_text="Updates sent after the first invitation.")
    cancelled = serializers.BooleanField()
    response = serializers.CharField(help_text="attending, apology, written; empty: no answer.")
    responded_at = serializers.DateTimeField(allow_null=True)


class OrganisationAnswersSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(source="organisation.uuid")
    organisation_name = serializers.CharField(source="organisation.name")
    attending = serializers.IntegerField()
    apologies = serializers.IntegerField()
    in_writing = serializers.IntegerField()
    unanswered = serializers.IntegerField()
    messages_sent = serializers.IntegerField()
    messages_waiting = serializers.IntegerField()
    last_sent_at = serializers.DateTimeField(allow_null=True)
    invitations = SlotInvitationSerializer(many=True)


class InvitationOverviewView(ActorAPIView):
    @extend_schema(
        responses=OrganisationAnswersSerializer(many=True),
        summary="The invitations sent for a meeting and each organisation's answers (coordinators)",
    )
    def get(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        rows = packs.invitation_overview(meeting=meeting)
        return Response(OrganisationAnswersSerializer(rows, many=True).data)
