"""API of the meeting day: attendance, the confidentiality statement, minutes per slot, agreements
made, publication."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework.selectors.lifecycle import director_candidates
from mda.access import actor_of
from mda.http import ActorAPIView
from mda.models import User
from scheduling import access, selectors
from scheduling.api.meetings import MeetingDetailSerializer, meeting_response, region_organisation
from scheduling.models import (
    AttendanceStatus,
)
from scheduling.services import minutes


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
        organisation = region_organisation(
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
            candidates = director_candidates(case=item.case)
            director = candidates.filter(uuid=data["case_director"]).first()
            if director is None:
                raise serializers.ValidationError(
                    {
                        "case_director": [
                            _("The case director must work at an organisation at level 2.")
                        ]
                    }
                )
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
        organisation = region_organisation(
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
        return meeting_response(request, access.access_meeting(self.actor, meeting_id))
