"""REST API of meeting series and meetings (agendas, invitations and minutes have their own
modules).

Every view starts from ``scheduling.access``: a partner's agenda holds only its own slots; items
of other cases are absent (not counted, not hinted at).
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework.access import access_case
from mda.access import actor_of, series_regions_managed_by
from mda.http import ActorAPIView, ActorListAPIView
from mda.models import Organisation
from mda.pagination import KeysetPagination
from scheduling import access, selectors
from scheduling.models import (
    HolidayRule,
    MeetingType,
    Weekday,
)
from scheduling.services import meetings

# --- Serializers ----------------------------------------------------------------------------------


class SeriesSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    region = serializers.SlugField(help_text="The region's slug (on create only).")
    meeting_type = serializers.ChoiceField(
        source="kind", choices=[MeetingType.TRIAGE, MeetingType.CASE_CONFERENCE]
    )
    name = serializers.CharField(max_length=100)
    weekday = serializers.ChoiceField(choices=Weekday.choices, help_text="0 Monday … 4 Friday.")
    start_time = serializers.TimeField(help_text="Local time, Europe/Amsterdam.")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=480)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_link = serializers.URLField(required=False, allow_blank=True, default="")
    holiday_rule = serializers.ChoiceField(
        choices=HolidayRule.choices, default=HolidayRule.NEXT_WORKING_DAY
    )
    weeks_ahead = serializers.IntegerField(min_value=1, max_value=26, default=6)
    slot_minutes = serializers.IntegerField(min_value=5, max_value=120, default=15)
    deadline_working_days = serializers.IntegerField(min_value=0, max_value=10, default=1)
    deadline_time = serializers.TimeField(default=time(12, 0))
    starts_on = serializers.DateField()
    active = serializers.BooleanField(default=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["region"] = instance.region.slug
        return data


class SeriesUpdateSerializer(SeriesSerializer):
    region = None  # type: ignore[assignment]  # DRF: None removes the inherited field


class MeetingSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    region = serializers.CharField(source="region.slug")
    series = serializers.UUIDField(source="series_id", allow_null=True)
    meeting_type = serializers.CharField(source="kind")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    moved_for_holiday = serializers.BooleanField()
    place = serializers.CharField()
    online_link = serializers.CharField()
    status = serializers.CharField()
    agenda_status = serializers.CharField()
    information_deadline = serializers.DateTimeField(allow_null=True)
    minutes_published_at = serializers.DateTimeField(allow_null=True)
    link = serializers.SerializerMethodField()

    def get_link(self, meeting: Any) -> str:
        return reverse("scheduling:meeting-detail", args=[meeting.pk])


class InvitationSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(source="organisation.uuid")
    organisation_name = serializers.CharField(source="organisation.name")
    sequence = serializers.IntegerField()
    cancelled = serializers.BooleanField()
    response = serializers.CharField()
    responded_at = serializers.DateTimeField(allow_null=True)


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="item.id")
    case = serializers.UUIDField(source="item.case_id")
    case_reference = serializers.CharField(source="item.case.reference")
    position = serializers.IntegerField(source="item.position")
    starts_at = serializers.DateTimeField(source="item.starts_at")
    ends_at = serializers.DateTimeField(source="item.ends_at")
    slot_minutes = serializers.IntegerField(source="item.slot_minutes")
    reason = serializers.CharField(source="item.reason")
    information_deadline = serializers.DateTimeField(source="item.deadline", allow_null=True)
    invitations = InvitationSerializer(
        many=True, help_text="Coordinators and chairs: every organisation's; partners: their own."
    )
    answering_for = serializers.SerializerMethodField(
        help_text="Your organisations that may answer this invitation."
    )
    has_minutes = serializers.BooleanField()

    def get_answering_for(self, row: Any) -> list[str]:
        return [str(org.uuid) for org in row.answering_for]


class CapacitySerializer(serializers.Serializer):
    minutes = serializers.IntegerField()
    planned = serializers.IntegerField()
    free = serializers.IntegerField()
    full = serializers.BooleanField()
    next_meeting_with_room = serializers.UUIDField(
        source="next_with_room.pk", allow_null=True, default=None
    )


class MeetingDetailSerializer(serializers.Serializer):
    meeting = MeetingSerializer()
    items = AgendaItemSerializer(source="rows", many=True)
    capacity = CapacitySerializer(
        allow_null=True, help_text="For coordinators and chairs; null for partners."
    )


class MeetingUpdateSerializer(serializers.Serializer):
    information_deadline = serializers.DateTimeField(allow_null=True)
    place = serializers.CharField(max_length=200, allow_blank=True)
    online_link = serializers.URLField(allow_blank=True)


class EmergencySerializer(serializers.Serializer):
    case = serializers.UUIDField()
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=15, max_value=240)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_link = serializers.URLField(required=False, allow_blank=True, default="")


# --- Helpers ------------------------------------------------------------------------------------


def meeting_response(request: Request, meeting: Any) -> Response:
    view = selectors.agenda_view(actor=actor_of(request), meeting=meeting)
    return Response(MeetingDetailSerializer(view).data)


def region_organisation(region_id: Any, uuid: Any, field: str) -> Organisation:
    organisation = Organisation.objects.filter(uuid=uuid, region_id=region_id).first()
    if organisation is None:
        raise serializers.ValidationError({field: [_("No such organisation in this region.")]})
    return organisation


# --- Series -------------------------------------------------------------------------------------


class SeriesListView(ActorAPIView):
    @extend_schema(responses=SeriesSerializer(many=True), summary="Meeting series of your regions")
    def get(self, request: Request) -> Response:
        series = access.meeting_series_visible_to(self.actor).select_related("region")
        return Response(SeriesSerializer(series, many=True).data)

    @extend_schema(
        request=SeriesSerializer,
        responses={201: SeriesSerializer},
        summary="Set up a meeting series (coordinators, functional admins)",
    )
    def post(self, request: Request) -> Response:
        serializer = SeriesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        region = series_regions_managed_by(self.actor).filter(slug=data.pop("region"))
        if not region.exists():
            raise PermissionDenied
        series = meetings.series_create(actor=self.actor, region=region.get(), **data)
        meetings.meetings_generate(series=series)
        return Response(SeriesSerializer(series).data, status=status.HTTP_201_CREATED)


class SeriesDetailView(ActorAPIView):
    @extend_schema(responses=SeriesSerializer, summary="One meeting series")
    def get(self, request: Request, series_id: Any) -> Response:
        series = access.access_meeting_series(self.actor, series_id)
        return Response(SeriesSerializer(series).data)

    @extend_schema(
        request=SeriesUpdateSerializer,
        responses=SeriesSerializer,
        summary="Change a series; later meetings follow it",
    )
    def patch(self, request: Request, series_id: Any) -> Response:
        series = access.access_meeting_series(self.actor, series_id, manage=True)
        serializer = SeriesUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        series = meetings.series_update(
            actor=self.actor,
            series=series,
            **serializer.validated_data,
        )
        meetings.meetings_generate(series=series)
        return Response(SeriesSerializer(series).data)


class SeriesGenerateView(ActorAPIView):
    @extend_schema(
        request=None,
        responses=MeetingSerializer(many=True),
        summary="Plan the series' missing meetings now (the beat task does this daily)",
    )
    def post(self, request: Request, series_id: Any) -> Response:
        series = access.access_meeting_series(self.actor, series_id, manage=True)
        created = meetings.meetings_generate(series=series)
        return Response(MeetingSerializer(created, many=True).data)


# --- Meetings and agendas ------------------------------------------------------------------------


class MeetingListView(ActorListAPIView):
    """Meetings you may know of: your regions' (coordinators, chairs), or those with your slots."""

    serializer_class = MeetingSerializer
    pagination_class = KeysetPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATETIME, description="Ending after this."),
            OpenApiParameter("to", OpenApiTypes.DATETIME, description="Starting before this."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        since = _datetime_param(self.request, "from")
        until = _datetime_param(self.request, "to")
        return selectors.meetings_list(actor=self.actor, since=since, until=until)


def _datetime_param(request: Request, name: str) -> Any:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return serializers.DateTimeField().to_internal_value(value)
    except serializers.ValidationError:
        raise serializers.ValidationError({name: [_("Give a date and time (ISO 8601).")]}) from None


class EmergencyMeetingView(ActorAPIView):
    @extend_schema(
        request=EmergencySerializer,
        responses={201: MeetingDetailSerializer},
        summary="Call an emergency meeting for one case within hours (coordinators)",
    )
    def post(self, request: Request) -> Response:
        serializer = EmergencySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = access_case(self.actor, data.pop("case"))
        meeting = meetings.meeting_call_emergency(actor=self.actor, case=case, **data)
        meeting = access.access_meeting(self.actor, meeting.pk)
        response = meeting_response(request, meeting)
        response.status_code = status.HTTP_201_CREATED
        return response


class MeetingDetailView(ActorAPIView):
    @extend_schema(
        responses=MeetingDetailSerializer,
        summary="A meeting and the agenda items you may see (your own slots as a partner)",
    )
    def get(self, request: Request, meeting_id: Any) -> Response:
        return meeting_response(request, access.access_meeting(self.actor, meeting_id))

    @extend_schema(
        request=MeetingUpdateSerializer,
        responses=MeetingDetailSerializer,
        summary="Change the information deadline, place or link (coordinators)",
    )
    def patch(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        serializer = MeetingUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meetings.meeting_update(actor=self.actor, meeting=meeting, **serializer.validated_data)
        return meeting_response(request, access.access_meeting(self.actor, meeting_id))


class MeetingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        min_length=10,
        max_length=1000,
        help_text="Kept on the meeting and sent with the cancellations: no personal data.",
    )


class MeetingCancelView(ActorAPIView):
    @extend_schema(
        request=MeetingCancelSerializer,
        responses=MeetingDetailSerializer,
        summary="Cancel a meeting (coordinators), with the reason sent to the invited",
    )
    def post(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        serializer = MeetingCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meetings.meeting_cancel(
            actor=self.actor, meeting=meeting, reason=serializer.validated_data["reason"]
        )
        return meeting_response(request, access.access_meeting(self.actor, meeting_id))


# --- Running the meeting -------------------------------------------------------------------------


# --- The personal calendar feed ------------------------------------------------------------------
