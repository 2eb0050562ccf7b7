"""API of the core: who am I, and the partner directory of my regions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mda import access
from mda.models import Membership, Organisation
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


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="The authenticated user and their roles")
    def get(self, request: Request) -> Response:
        user = request.user
        data = {
            "uuid": user.uuid,  # type: ignore[union-attr]
            "username": user.get_username(),
            "full_name": user.get_full_name(),  # type: ignore[union-attr]
            "memberships": access.memberships_of(user),
        }
        return Response(MeSerializer(data).data)


class OrganisationListView(generics.ListAPIView):
    """Partner organisations in the regions the user works in."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return access.organisations_visible_to(self.request.user).order_by("name")


class OrganisationDetailView(generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer
    lookup_field = "uuid"

    def get_queryset(self):
        return access.organisations_visible_to(self.request.user)


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


class NotificationListView(generics.ListAPIView):
    """Your notifications, newest first."""

    serializer_class = NotificationSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        from mda.notifications import notifications_of

        return notifications_of(access.actor_of(self.request))


class NotificationAcknowledgeView(APIView):
    @extend_schema(
        request=None,
        responses=NotificationSerializer,
        summary="Acknowledge one of your notifications",
    )
    def post(self, request: Request, uuid: str) -> Response:
        from django.http import Http404

        from mda.notifications import notification_acknowledge, notifications_of

        notification = notifications_of(access.actor_of(request)).filter(uuid=uuid).first()
        if notification is None:
            raise Http404
        notification = notification_acknowledge(
            actor=access.actor_of(request), notification=notification
        )
        return Response(NotificationSerializer(notification).data)
