"""API of invitations: a partner's answer per slot, and the personal calendar feed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from mda.http import ActorAPIView
from mda.models import Organisation
from scheduling import access
from scheduling.api.meetings import MeetingDetailSerializer, meeting_response
from scheduling.models import (
    InvitationResponse,
)
from scheduling.services import invitations


class ResponseSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=InvitationResponse.choices)
    organisation = serializers.UUIDField(
        required=False, help_text="Needed only when you answer for more than one organisation."
    )


class CalendarFeedSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(
        required=False, help_text="Only in the answer that creates it: keep it secret."
    )


class ResponseView(ActorAPIView):
    @extend_schema(
        request=ResponseSerializer,
        responses=MeetingDetailSerializer,
        summary="Answer an invitation for your organisation: attending, apology, in writing",
    )
    def post(self, request: Request, meeting_id: Any, item_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id)
        item = access.access_agenda_item(self.actor, meeting, item_id)
        serializer = ResponseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = _answering_organisation(self.actor, item, serializer.validated_data)
        invitations.invitation_respond(
            actor=self.actor,
            item=item,
            organisation=organisation,
            response=serializer.validated_data["response"],
        )
        return meeting_response(request, meeting)


def _answering_organisation(user: Any, item: Any, data: dict[str, Any]) -> Organisation:
    organisations = access.organisations_answering_for(user, item.case_id)
    if "organisation" in data:
        found = organisations.filter(uuid=data["organisation"]).first()
        if found is None:
            raise serializers.ValidationError(
                {"organisation": [_("You cannot answer for this organisation.")]}
            )
        return found
    candidates = list(organisations[:2])
    if not candidates:
        raise PermissionDenied
    if len(candidates) > 1:
        raise serializers.ValidationError(
            {"organisation": [_("You work for more than one invited organisation: say which.")]}
        )
    return candidates[0]


class CalendarFeedView(ActorAPIView):
    @extend_schema(responses=CalendarFeedSerializer, summary="Your calendar feed (without its URL)")
    def get(self, request: Request) -> Response:
        return Response(CalendarFeedSerializer(_feed_state(self.actor)).data)

    @extend_schema(
        request=None,
        responses={201: CalendarFeedSerializer},
        summary="Make a new secret feed URL (the old one stops working); shown only now",
    )
    def post(self, request: Request) -> Response:
        _feed, raw = invitations.calendar_feed_issue(actor=self.actor)
        data = _feed_state(self.actor)
        data["url"] = request.build_absolute_uri(
            reverse("scheduling:calendar-feed-ics", args=[raw])
        )
        return Response(CalendarFeedSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Revoke your feed (its URL stops working; GET shows it inactive)",
    )
    def delete(self, request: Request) -> Response:
        invitations.calendar_feed_revoke(actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _feed_state(user: Any) -> dict[str, Any]:
    feed = user.calendar_feeds.filter(revoked_at__isnull=True).first()
    return {
        "active": feed is not None,
        "created_at": feed.created_at if feed else None,
        "last_used_at": feed.last_used_at if feed else None,
    }
