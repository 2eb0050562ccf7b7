"""REST API of the case register. Every view starts from the access policy."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access, selectors, services
from casework.api.notes import NoteSerializer
from casework.api.participation import ParticipantSerializer
from casework.api.referral import CaseCreateSerializer, referral_input
from casework.models import (
    AccessLevel,
)
from mda.access import actor_of, has_role, organisations_user_may_act_for
from mda.http import ActorAPIView, ActorListAPIView, LabelledSerializer
from mda.models import AuditEvent, Organisation, Role


class MemberSerializer(LabelledSerializer):
    id = serializers.UUIDField()
    role = serializers.CharField()
    label = serializers.CharField()


class KnownElsewhereSerializer(serializers.Serializer):
    reference = serializers.CharField(
        help_text="The other case's reference in your region; empty for another region."
    )
    region = serializers.CharField(
        help_text="The region's name: for another region, the only thing told (whom to call)."
    )
    same_region = serializers.BooleanField()


class CaseDetailSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="case.id")
    reference = serializers.CharField(source="case.reference")
    region = serializers.CharField(source="case.region.slug")
    access_level = serializers.IntegerField(source="level")
    status = serializers.CharField(source="case.status", required=False)
    created_at = serializers.DateTimeField(source="case.created_at", required=False)
    referring_organisation = serializers.CharField(
        source="case.referring_organisation.name", required=False
    )
    participants = ParticipantSerializer(source="participations", many=True, required=False)
    reason = serializers.CharField(required=False, help_text="At access level 2.")
    members = MemberSerializer(many=True, required=False)
    notes = NoteSerializer(many=True, required=False)
    known_elsewhere = KnownElsewhereSerializer(
        many=True,
        required=False,
        help_text="Bekendheid (coordinators only): a household member is known in another case, "
        "by reference in your region, by region name only elsewhere.",
    )

    def to_representation(self, view: Any) -> dict[str, Any]:
        data = super().to_representation(view)
        if view.level < AccessLevel.PROCESS:
            for key in ("status", "created_at", "referring_organisation", "participants"):
                data.pop(key, None)
        if view.level < AccessLevel.FULL:
            for key in ("reason", "members", "notes"):
                data.pop(key, None)
        if not view.as_coordinator:
            data.pop("known_elsewhere", None)
        return data


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=10, max_length=500)


class IdentityOutSerializer(serializers.Serializer):
    name = serializers.CharField()
    bsn = serializers.CharField()
    date_of_birth = serializers.CharField()
    address = serializers.CharField()


class AuditEventSerializer(serializers.ModelSerializer):
    who = serializers.CharField(
        read_only=True, help_text='"Name, organisation (role)" as recorded.'
    )
    what = serializers.CharField(
        read_only=True, help_text="The event in words, in the request's language."
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "who",
            "what",
            "username",
            "organisation_name",
            "role",
            "on_behalf_of",
            "action",
            "object_type",
            "object_id",
            "client_address",
            "user_agent",
        ]


def _referring_organisation(request: Request, uuid: Any) -> Organisation:
    orgs = organisations_user_may_act_for(actor_of(request), access.REFERRER_ROLES)
    if uuid is not None:
        org = orgs.filter(uuid=uuid).first()
        if org is None:
            raise serializers.ValidationError(
                {"organisation": [_("You cannot refer for this organisation.")]}
            )
        return org
    candidates = list(orgs[:2])
    if not candidates:
        raise PermissionDenied
    if len(candidates) > 1:
        raise serializers.ValidationError(
            {"organisation": [_("You work for more than one organisation: say which refers.")]}
        )
    return candidates[0]


class CaseReferView(ActorAPIView):
    """POST /cases/ refers a household; the workbench adds GET (finding cases) on the same
    address, with the next meeting of each row, which casework cannot know."""

    @extend_schema(
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer},
        summary="Refer a household",
        description="A partner professional or coordinator refers a household. Wrong or missing "
        "input answers 400 with a message per field, and nothing is saved. On success the "
        "bekendheid check and repeat detection run, the triage deadline is set (working days "
        "of the region after today) and the region's coordinators are notified.",
    )
    def post(self, request: Request) -> Response:
        serializer = CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = _referring_organisation(request, data.get("organisation"))
        members = [
            services.MemberInput(role=m["role"], label=m["label"], **m.get("identity", {}))
            for m in data["members"]
        ]
        case = services.case_refer(
            actor=self.actor,
            organisation=organisation,
            reason=data["reason"],
            members=members,
            details=referral_input(data, organisation.region),
        )
        case = access.access_case(self.actor, case.pk)
        view = selectors.case_view(actor=self.actor, case=case)
        return Response(CaseDetailSerializer(view).data, status=status.HTTP_201_CREATED)


class CaseDetailView(ActorAPIView):
    @extend_schema(responses=CaseDetailSerializer, summary="A case, as far as you may see it")
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        view = selectors.case_view(actor=self.actor, case=case)
        return Response(CaseDetailSerializer(view).data)


class RevealView(ActorAPIView):
    @extend_schema(
        request=RevealSerializer,
        responses=IdentityOutSerializer,
        summary="Reveal a household member's identity (coordinators, recorded)",
    )
    def post(self, request: Request, case_id: Any, member_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_coordinator(self.actor, case)
        member = selectors.member_of_case(case=case, member_id=member_id)
        serializer = RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        identity = services.identity_reveal(
            actor=self.actor,
            case=case,
            member=member,
            justification=serializer.validated_data["reason"],
        )
        return Response(IdentityOutSerializer(identity).data)


class AccessLogView(ActorListAPIView):
    """Who looked at what in a case, and when (privacy officers of the region)."""

    serializer_class = AuditEventSerializer

    def get_queryset(self):
        if not has_role(self.actor, Role.PRIVACY_OFFICER):
            raise PermissionDenied
        case = access.access_supervised_case(self.actor, self.kwargs["case_id"])
        return selectors.access_log(actor=self.actor, case=case)


class RevealSerializerOut(serializers.Serializer):
    revealed_at = serializers.DateTimeField()
    revealed_by = serializers.CharField()
    member_label = serializers.CharField()
    reason = serializers.CharField()


class RevealLogView(ActorAPIView):
    @extend_schema(
        responses=RevealSerializerOut(many=True),
        summary="Identity reveals in a case with their reasons (privacy officers of the region)",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        if not has_role(self.actor, Role.PRIVACY_OFFICER):
            raise PermissionDenied
        case = access.access_supervised_case(self.actor, case_id)
        rows = selectors.reveals_for_case(actor=self.actor, case=case)
        return Response(RevealSerializerOut(rows, many=True).data)
