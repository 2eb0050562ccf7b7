"""API of agendas: proposals, items, order and publication (coordinators)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework.access import cases_visible_to
from mda.http import ActorAPIView
from scheduling import access, selectors
from scheduling.api.meetings import MeetingDetailSerializer, meeting_response
from scheduling.models import (
    ItemReason,
)
from scheduling.services import agendas


class ProposalSerializer(serializers.Serializer):
    case = serializers.UUIDField(source="case.pk")
    case_reference = serializers.CharField(source="case.reference")
    reasons = serializers.ListField(child=serializers.CharField())
    slot_minutes = serializers.IntegerField()
    fits = serializers.BooleanField()
    next_meeting_with_room = serializers.UUIDField(
        source="next_with_room.pk", allow_null=True, default=None
    )


class ItemCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    slot_minutes = serializers.IntegerField(min_value=5, max_value=240, required=False)
    reason = serializers.ChoiceField(
        choices=[c for c in ItemReason.choices if c[0] != ItemReason.EMERGENCY],
        default=ItemReason.COORDINATOR,
    )


class ItemsCreateSerializer(serializers.Serializer):
    items = serializers.ListField(child=ItemCreateSerializer(), min_length=1, max_length=60)


class ItemUpdateSerializer(serializers.Serializer):
    slot_minutes = serializers.IntegerField(min_value=5, max_value=240, required=False)
    information_deadline = serializers.DateTimeField(
        required=False, allow_null=True, help_text="null: the meeting's deadline."
    )


class OrderSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.UUIDField(), max_length=200)


class AgendaPublishView(ActorAPIView):
    @extend_schema(
        request=None,
        responses=MeetingDetailSerializer,
        summary="Publish the agenda: invitations go out (coordinators)",
    )
    def post(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        agendas.agenda_publish(actor=self.actor, meeting=meeting)
        return meeting_response(request, access.access_meeting(self.actor, meeting_id))


class ProposalListView(ActorAPIView):
    @extend_schema(
        responses=ProposalSerializer(many=True),
        summary="Cases the rules propose for this agenda, with their reasons (coordinators)",
    )
    def get(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        proposals = selectors.agenda_proposals(actor=self.actor, meeting=meeting)
        return Response(ProposalSerializer(proposals, many=True).data)


class AgendaItemListView(ActorAPIView):
    @extend_schema(
        request=ItemCreateSerializer,
        responses={201: MeetingDetailSerializer},
        summary="Put a case on the agenda (coordinators); refused with the next meeting with "
        "room when full",
    )
    def post(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        serializer = ItemCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = cases_visible_to(self.actor).filter(pk=data.pop("case")).first()
        if case is None:
            raise serializers.ValidationError({"case": [_("No such case.")]})
        agendas.agenda_item_add(actor=self.actor, meeting=meeting, case=case, **data)
        response = meeting_response(request, access.access_meeting(self.actor, meeting_id))
        response.status_code = status.HTTP_201_CREATED
        return response


class AgendaItemsBatchView(ActorAPIView):
    @extend_schema(
        request=ItemsCreateSerializer,
        responses={201: MeetingDetailSerializer},
        summary="Put several cases on the agenda at once, in the order given: all or none "
        "(coordinators)",
    )
    def post(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        serializer = ItemsCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entries = [
            agendas.NewItem(
                case_id=item["case"],
                reason=item["reason"],
                slot_minutes=item.get("slot_minutes"),
            )
            for item in serializer.validated_data["items"]
        ]
        agendas.agenda_items_add(actor=self.actor, meeting=meeting, entries=entries)
        response = meeting_response(request, access.access_meeting(self.actor, meeting_id))
        response.status_code = status.HTTP_201_CREATED
        return response


class AgendaItemDetailView(ActorAPIView):
    @extend_schema(
        request=ItemUpdateSerializer,
        responses=MeetingDetailSerializer,
        summary="Change a slot's length or information deadline (coordinators)",
    )
    def patch(self, request: Request, meeting_id: Any, item_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        item = access.access_agenda_item(self.actor, meeting, item_id, manage=True)
        serializer = ItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agendas.agenda_item_update(actor=self.actor, item=item, **serializer.validated_data)
        return meeting_response(request, access.access_meeting(self.actor, meeting_id))

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Take a case off the agenda; invited organisations get a cancellation",
    )
    def delete(self, request: Request, meeting_id: Any, item_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        item = access.access_agenda_item(self.actor, meeting, item_id, manage=True)
        agendas.agenda_item_remove(actor=self.actor, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AgendaOrderView(ActorAPIView):
    @extend_schema(
        request=OrderSerializer,
        responses=MeetingDetailSerializer,
        summary="Reorder the agenda: every item once, in the new order (coordinators)",
    )
    def post(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        serializer = OrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agendas.agenda_reorder(
            actor=self.actor,
            meeting=meeting,
            item_ids=serializer.validated_data["items"],
        )
        return meeting_response(request, access.access_meeting(self.actor, meeting_id))
