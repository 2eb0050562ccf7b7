"""API of the meeting day: the attendance checklist per slot, the confidentiality statement, minutes
per slot and their drafts, agreements made and reviewed, publication."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework.access import access_agreement
from casework.selectors.lifecycle import director_candidates
from mda.access import actor_of
from mda.http import ActorAPIView
from mda.models import Organisation, User
from scheduling import access, selectors
from scheduling.api.meetings import MeetingDetailSerializer, meeting_response, region_organisation
from scheduling.models import (
    AttendanceStatus,
)
from scheduling.selectors.minutes import meeting_day_view, minutes_draft_of
from scheduling.services import minutes


class AttendanceSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(source="organisation.uuid")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)


class ChecklistLineSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(source="organisation.uuid")
    organisation_name = serializers.CharField(source="organisation.name")
    status = serializers.CharField(help_text="present, apology, absent; empty: not marked yet.")


class SlotChecklistSerializer(serializers.Serializer):
    item = serializers.UUIDField(source="item.pk")
    case_reference = serializers.CharField(source="item.case.reference")
    starts_at = serializers.DateTimeField(source="item.starts_at")
    ends_at = serializers.DateTimeField(source="item.ends_at")
    current = serializers.BooleanField(help_text="The slot running now by the clock.")
    organisations = ChecklistLineSerializer(many=True, source="lines")


class AttendanceListSerializer(serializers.Serializer):
    confidentiality_read_at = serializers.DateTimeField(allow_null=True)
    attendance = AttendanceSerializer(
        many=True, help_text="Per organisation for the whole meeting, derived from the slots."
    )
    slots = SlotChecklistSerializer(
        many=True, help_text="Per slot: the organisations invited to it and their attendance."
    )


class MarkSerializer(serializers.Serializer):
    organisation = serializers.UUIDField()
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)


class SlotMarksSerializer(serializers.Serializer):
    item = serializers.UUIDField()
    attendance = MarkSerializer(many=True)


class ChecklistWriteSerializer(serializers.Serializer):
    slots = SlotMarksSerializer(many=True, allow_empty=False)


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
        request=ChecklistWriteSerializer,
        responses=AttendanceListSerializer,
        summary="Record the attendance checklist, per slot, in one go (coordinators and chairs)",
    )
    def post(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, run=True)
        serializer = ChecklistWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slots = serializer.validated_data["slots"]
        wanted = {line["organisation"] for slot in slots for line in slot["attendance"]}
        ids = dict(
            Organisation.objects.filter(uuid__in=wanted, region_id=meeting.region_id).values_list(
                "uuid", "pk"
            )
        )
        marks = [
            minutes.SlotMark(slot["item"], ids.get(line["organisation"], -1), line["status"])
            for slot in slots
            for line in slot["attendance"]
        ]
        minutes.attendance_checklist_record(actor=self.actor, meeting=meeting, marks=marks)
        return Response(AttendanceListSerializer(_attendance(meeting)).data)


def _attendance(meeting: Any) -> dict[str, Any]:
    rows = meeting.attendance.select_related("organisation").order_by("organisation__name")
    return {
        "confidentiality_read_at": meeting.confidentiality_read_at,
        "attendance": rows,
        "slots": meeting_day_view(meeting=meeting).slots,
    }


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
        try:
            minutes.minutes_save(actor=self.actor, item=item, **data)
        except DjangoValidationError as exc:
            # Answered here, not by the exception handler: its rollback would undo the draft.
            _keep_draft(self.actor, item, request.data)
            return _refused(exc)
        return Response(_minutes_data(request, item))


def _refused(exc: DjangoValidationError) -> Response:
    """The API's answer to a refused input (as ``mda.api_errors`` shapes it), committed."""
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    body = {
        "code": "invalid",
        "message": _("The request is not valid; see the fields for what is wrong."),
        "fields": fields,
    }
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _keep_draft(actor: User, item: Any, typed: Any) -> None:
    """A refused save keeps what was sent as the slot's draft (as the web form does)."""
    content = {k: str(typed.get(k) or "") for k in minutes.DRAFT_FIELDS}
    with contextlib.suppress(DjangoValidationError):
        minutes.minutes_draft_save(actor=actor, item=item, content=content)


def _minutes_data(request: Request, item: Any) -> dict[str, Any]:
    view = selectors.minutes_view(actor=actor_of(request), item=item)
    if view is None:
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


class MinutesDraftSerializer(serializers.Serializer):
    shared_views = serializers.CharField(allow_blank=True, required=False, default="")
    decisions = serializers.CharField(allow_blank=True, required=False, default="")
    case_director = serializers.CharField(allow_blank=True, required=False, default="")
    case_director_confirmed = serializers.CharField(allow_blank=True, required=False, default="")
    next_review_on = serializers.CharField(
        allow_blank=True, required=False, default="", help_text="As typed; checked on saving."
    )


class MinutesDraftReadSerializer(MinutesDraftSerializer):
    saved_at = serializers.DateTimeField()


class MinutesDraftView(ActorAPIView):
    """The draft of a slot's minutes as typed: kept until the minutes are saved."""

    @extend_schema(
        responses=MinutesDraftReadSerializer,
        summary="The draft minutes of one case as typed (coordinators; the read is recorded)",
    )
    def get(self, request: Request, meeting_id: Any, item_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        item = access.access_agenda_item(self.actor, meeting, item_id, manage=True)
        draft = minutes_draft_of(actor=self.actor, item=item)
        if draft is None:
            raise Http404
        content, saved_at = draft
        return Response(MinutesDraftReadSerializer({**content, "saved_at": saved_at}).data)

    @extend_schema(
        request=MinutesDraftSerializer,
        responses=MinutesDraftReadSerializer,
        summary="Keep the minutes of one case as typed, unchecked (coordinators, until published)",
    )
    def put(self, request: Request, meeting_id: Any, item_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        item = access.access_agenda_item(self.actor, meeting, item_id, manage=True)
        serializer = MinutesDraftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        draft = minutes.minutes_draft_save(actor=self.actor, item=item, content=data)
        return Response(MinutesDraftReadSerializer({**data, "saved_at": draft.saved_at}).data)


class AgreementReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["done", "not_possible", "not_done", "continued"],
        help_text="Required: there is no default outcome.",
    )
    reason = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        required=False,
        default="",
        help_text="Required for not_possible and not_done.",
    )
    due_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Required for continued."
    )


class AgreementReviewedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    due_date = serializers.DateField()


class MinutesAgreementReviewView(ActorAPIView):
    @extend_schema(
        request=AgreementReviewSerializer,
        responses=AgreementReviewedSerializer,
        summary="Review an open agreement of the case in the meeting (coordinators)",
    )
    def post(self, request: Request, meeting_id: Any, item_id: Any, agreement_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id, manage=True)
        item = access.access_agenda_item(self.actor, meeting, item_id, manage=True)
        agreement = access_agreement(self.actor, agreement_id, manage=True)
        if agreement.case_id != item.case_id:
            raise Http404
        serializer = AgreementReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reviewed = minutes.minutes_agreement_review(
            actor=self.actor, item=item, agreement=agreement, **serializer.validated_data
        )
        return Response(AgreementReviewedSerializer(reviewed).data)
