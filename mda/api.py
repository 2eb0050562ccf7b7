"""API of the core: who am I, and the partner directory of my regions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from mda import access
from mda.http import ActorAPIView, ActorListAPIView, ActorRetrieveAPIView
from mda.models import Membership, Organisation
from mda.notifications import notification_acknowledge
from mda.pagination import KeysetPagination


class OrganisationSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.slug", read_only=True)

    class Meta:
        model = Organisation
        fields = ["uuid", "name", "slug", "region", "domain", "kind"]


class MembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "role"]


class MeSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    memberships = MembershipSerializer(many=True)


class MeView(ActorAPIView):
    @extend_schema(responses=MeSerializer, summary="The authenticated user and their roles")
    def get(self, request: Request) -> Response:
        user = self.actor
        data = {
            "uuid": user.uuid,
            "username": user.get_username(),
            "full_name": user.get_full_name(),
            "memberships": access.memberships_of(user),
        }
        return Response(MeSerializer(data).data)


class OrganisationListView(ActorListAPIView):
    """Partner organisations in the regions the user works in."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return access.organisations_visible_to(self.actor).order_by("name")


class OrganisationDetailView(ActorRetrieveAPIView):
    serializer_class = OrganisationSerializer
    lookup_field = "uuid"

    def get_queryset(self):
        return access.organisations_visible_to(self.actor)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        from mda.models import Notification

        model = Notification
        fields = [
            "uuid",
            "kind",
            "subject",
            "body",
            "link",
            "case_reference",
            "created_at",
            "acknowledged_at",
        ]


class NotificationListView(ActorListAPIView):
    """Your notifications, newest first."""

    serializer_class = NotificationSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        return access.notifications_visible_to(self.actor)


class NotificationAcknowledgeView(ActorAPIView):
    @extend_schema(
        request=None,
        responses=NotificationSerializer,
        summary="Acknowledge one of your notifications",
    )
    def post(self, request: Request, uuid: str) -> Response:
        notification = access.access_notification(self.actor, uuid)
        notification = notification_acknowledge(actor=self.actor, notification=notification)
        return Response(NotificationSerializer(notification).data)
