"""REST API of meetings: series, meetings and their agendas (need-to-know), building and publishing
an agenda, emergency meetings, responses, attendance, minutes, and the personal calendar feed.

Every view starts from ``mda.access``: a partner's agenda holds only its own slots; items of other
cases are absent (not counted, not hinted at).
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

from casework.access import access_case, cases_visible_to
from mda.access import actor_of, series_regions_managed_by
from mda.http import ActorAPIView, ActorListAPIView
from mda.models import Organisation, User
from mda.pagination import KeysetPagination
from scheduling import access
from scheduling.models import (
    AttendanceStatus,
    HolidayRule,
    InvitationResponse,
    ItemReason,
    MeetingType,
    Weekday,
)
from scheduling.selectors import meetings as selectors
from scheduling.services import agendas, invitations, meetings, minutes

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
    region = None  # type: ignore[assignment]


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


class ItemUpdateSerializer(serializers.Serializer):
    slot_minutes = serializers.IntegerField(min_value=5, max_value=240, required=False)
    information_deadline = serializers.DateTimeField(
        required=False, allow_null=True, help_text="null: the meeting's deadline."
    )


class OrderSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.UUIDField(), max_length=200)


class ResponseSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=InvitationResponse.choices)
    organisation = serializers.UUIDField(
        required=False, help_text="Needed only when you answer for more than one organisation."
    )


class AttendanceSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(source="organisation.uuid")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)


class AttendanceListSerializer(serializers.Serializer):
    confidentiality_read_at = serializers.DateTimeField(allow_null=True)
    attendance = AttendanceSerializer(many=True)


class MinutesSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="2: everything; 1: the process parts.")
    recorded = serializers.BooleanField()
    shared_views = serializers.CharField(required=False, help_text="At level 2.")
    decisions = serializers.CharField(required=False, help_text="At level 2.")
    case_director = serializers.CharField(required=False, allow_null=True, help_text="At level 2.")
    case_director_confirmed = serializers.BooleanField(required=False, help_text="At level 2.")
    next_review_on = serializers.DateField(allow_null=True)
    attendance = AttendanceSerializer(many=True)
    agreements = serializers.ListField(
        child=serializers.UUIDField(), help_text="Agreements made in this meeting you may see."
    )


class MinutesWriteSerializer(serializers.Serializer):
    shared_views = serializers.CharField(max_length=20000, allow_blank=True)
    decisions = serializers.CharField(max_length=20000, allow_blank=True)
    case_director = serializers.UUIDField(required=False, allow_null=True, default=None)
    case_director_confirmed = serializers.BooleanField(default=False)
    next_review_on = serializers.DateField(required=False, allow_null=True, default=None)


class MeetingAgreementSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=2000)
    owner_organisation = serializers.UUIDField()
    owner = serializers.UUIDField(required=False, allow_null=True, default=None)
    due_date = serializers.DateField()


class CreatedSerializer(serializers.Serializer):
    id = serializers.UUIDField()


class CalendarFeedSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(
        required=False, help_text="Only in the answer that creates it: keep it secret."
    )


# --- Helpers ------------------------------------------------------------------------------------


def _detail(request: Request, meeting: Any) -> Response:
    view = selectors.agenda_view(actor=actor_of(request), meeting=meeting)
    return Response(MeetingDetailSerializer(view).data)


def _organisation(region_id: Any, uuid: Any, field: str) -> Organisation:
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
        response = _detail(request, meeting)
        response.status_code = status.HTTP_201_CREATED
        return response


class MeetingDetailView(ActorAPIView):
    @extend_schema(
        responses=MeetingDetailSerializer,
        summary="A meeting and the agenda items you may see (your own slots as a partner)",
    )
    def get(self, request: Request, meeting_id: Any) -> Response:
        return _detail(request, access.access_meeting(self.actor, meeting_id))

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
        return _detail(request, access.access_meeting(self.actor, meeting_id))


class MeetingCancelView(ActorAPIView):
    @extend_schema(
        request=None, responses=MeetingDetailSerializer, summary="Cancel a meeting (coordinators)"
    )
    def post(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        meetings.meeting_cancel(actor=self.actor, meeting=meeting)
        return _detail(request, access.access_meeting(self.actor, meeting_id))


class AgendaPublishView(ActorAPIView):
    @extend_schema(
        request=None,
        responses=MeetingDetailSerializer,
        summary="Publish the agenda: invitations go out (coordinators)",
    )
    def post(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        agendas.agenda_publish(actor=self.actor, meeting=meeting)
        return _detail(request, access.access_meeting(self.actor, meeting_id))


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
        response = _detail(request, access.access_meeting(self.actor, meeting_id))
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
        return _detail(request, access.access_meeting(self.actor, meeting_id))

    @extend_schema(
        request=None,
        responses=MeetingDetailSerializer,
        summary="Take a case off the agenda; invited organisations get a cancellation",
    )
    def delete(self, request: Request, meeting_id: Any, item_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        item = access.access_agenda_item(self.actor, meeting, item_id, manage=True)
        agendas.agenda_item_remove(actor=self.actor, item=item)
        return _detail(request, access.access_meeting(self.actor, meeting_id))


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
        return _detail(request, access.access_meeting(self.actor, meeting_id))


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
        return _detail(request, meeting)


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


# --- Running the meeting -------------------------------------------------------------------------


class AttendanceView(ActorAPIView):
    @extend_schema(
        responses=AttendanceListSerializer, summary="Attendance (coordinators and chairs)"
    )
    def get(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, run=True)
        return Response(AttendanceListSerializer(_attendance(meeting)).data)

    @extend_schema(
        request=AttendanceSerializer,
        responses=AttendanceListSerializer,
        summary="Record an organisation's attendance (coordinators and chairs)",
    )
    def post(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, run=True)
        serializer = AttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = _organisation(
            meeting.region_id, data["organisation"]["uuid"], "organisation"
        )
        minutes.attendance_record(
            actor=self.actor,
            meeting=meeting,
            organisation=organisation,
            status=data["status"],
        )
        return Response(AttendanceListSerializer(_attendance(meeting)).data)


def _attendance(meeting: Any) -> dict[str, Any]:
    rows = meeting.attendance.select_related("organisation").order_by("organisation__name")
    return {"confidentiality_read_at": meeting.confidentiality_read_at, "attendance": rows}


class ConfidentialityView(ActorAPIView):
    @extend_schema(
        request=None,
        responses=AttendanceListSerializer,
        summary="Record that the confidentiality statement was read (coordinators and chairs)",
    )
    def post(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, run=True)
        minutes.meeting_confidentiality_acknowledge(actor=self.actor, meeting=meeting)
        return Response(AttendanceListSerializer(_attendance(meeting)).data)


class MinutesView(ActorAPIView):
    @extend_schema(
        responses=MinutesSerializer,
        summary="The minutes of one case, as far as you may read them (the read is recorded)",
    )
    def get(self, request: Request, meeting_id: Any, item_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id)
        item = access.access_agenda_item(self.actor, meeting, item_id)
        return Response(_minutes_data(request, item))

    @extend_schema(
        request=MinutesWriteSerializer,
        responses=MinutesSerializer,
        summary="Record the minutes of one case (coordinators, until published)",
    )
    def put(self, request: Request, meeting_id: Any, item_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        item = access.access_agenda_item(self.actor, meeting, item_id, manage=True)
        serializer = MinutesWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        director = None
        if data["case_director"] is not None:
            director = minutes.director_candidates(item.case_id).filter(uuid=data["case_director"])
            if not director.exists():
                raise serializers.ValidationError(
                    {
                        "case_director": [
                            _("The case director must work at an organisation at level 2.")
                        ]
                    }
                )
            director = director.get()
        data["case_director"] = director
        minutes.minutes_save(actor=self.actor, item=item, **data)
        return Response(_minutes_data(request, item))


def _minutes_data(request: Request, item: Any) -> dict[str, Any]:
    view = selectors.minutes_view(actor=actor_of(request), item=item)
    if view is None:
        from django.http import Http404

        raise Http404
    record = view.minutes
    data: dict[str, Any] = {
        "level": view.level,
        "recorded": record is not None,
        "next_review_on": record.next_review_on if record else None,
        "attendance": view.attendance,
        "agreements": [a.pk for a in view.agreements_made],
    }
    if view.full:
        director = record.case_director if record else None
        data |= {
            "shared_views": view.shared_views,
            "decisions": view.decisions,
            "case_director": (director.get_full_name() or director.username) if director else None,
            "case_director_confirmed": bool(record and record.case_director_confirmed),
        }
    return MinutesSerializer(data).data


class MinutesAgreementView(ActorAPIView):
    @extend_schema(
        request=MeetingAgreementSerializer,
        responses={201: CreatedSerializer},
        summary="Record an agreement made in the meeting (coordinators)",
    )
    def post(self, request: Request, meeting_id: Any, item_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        item = access.access_agenda_item(self.actor, meeting, item_id, manage=True)
        serializer = MeetingAgreementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organisation = _organisation(
            meeting.region_id, data["owner_organisation"], "owner_organisation"
        )
        owner = None
        if data["owner"] is not None:
            owner = User.objects.filter(uuid=data["owner"], is_active=True).first()
            if owner is None:
                raise serializers.ValidationError({"owner": [_("No such person.")]})
        agreement = minutes.minutes_agreement_add(
            actor=self.actor,
            item=item,
            description=data["description"],
            owner_organisation=organisation,
            owner=owner,
            due_date=data["due_date"],
        )
        return Response({"id": str(agreement.pk)}, status=status.HTTP_201_CREATED)


class MinutesPublishView(ActorAPIView):
    @extend_schema(
        request=None,
        responses=MeetingDetailSerializer,
        summary="Publish the minutes to the participants, each at its level (coordinators)",
    )
    def post(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        minutes.minutes_publish(actor=self.actor, meeting=meeting)
        return _detail(request, access.access_meeting(self.actor, meeting_id))


# --- The personal calendar feed ------------------------------------------------------------------


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

    @extend_schema(request=None, responses=CalendarFeedSerializer, summary="Revoke your feed")
    def delete(self, request: Request) -> Response:
        invitations.calendar_feed_revoke(actor=self.actor)
        return Response(CalendarFeedSerializer(_feed_state(self.actor)).data)


def _feed_state(user: Any) -> dict[str, Any]:
    feed = user.calendar_feeds.filter(revoked_at__isnull=True).first()
    return {
        "active": feed is not None,
        "created_at": feed.created_at if feed else None,
        "last_used_at": feed.last_used_at if feed else None,
    }
