"""REST API of agreements. Every view starts from the access policy (casework.access); the services
raise ValidationError (400), PermissionDenied (403) and Http404 (404) as everywhere else."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access, selectors, services
from casework.models import AccessLevel, AgreementOrigin, AgreementStatus
from mda.access import actor_of
from mda.http import ActorAPIView, ActorListAPIView
from mda.models import Organisation, User


class AgreementSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    case_reference = serializers.CharField(source="case.reference")
    owner_organisation = serializers.UUIDField(source="owner_organisation.uuid")
    owner_organisation_name = serializers.CharField(source="owner_organisation.name")
    owner = serializers.UUIDField(source="owner.uuid", allow_null=True, default=None)
    owner_name = serializers.SerializerMethodField()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=AgreementStatus.choices)
    origin = serializers.ChoiceField(choices=AgreementOrigin.choices)
    meeting = serializers.UUIDField(source="meeting_id", allow_null=True)
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)

    def get_owner_name(self, agreement: Any) -> str:
        owner = agreement.owner
        return (owner.get_full_name() or owner.username) if owner else ""


class AgreementEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.get_full_name", default="")
    actor_organisation = serializers.CharField(source="actor_organisation.name", default="")
    summary = serializers.CharField(help_text="What happened, in words (request's language).")
    detail = serializers.DictField(help_text="The facts as stored (dates ISO, codes).")


class AgreementNoticeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    rung = serializers.IntegerField(source="rung_number")
    rung_name = serializers.CharField()
    manual = serializers.BooleanField()
    status = serializers.CharField()
    due_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


class AgreementDetailSerializer(AgreementSerializer):
    description = serializers.CharField()
    reason = serializers.CharField(allow_null=True, help_text="For not possible / not done.")
    can_resolve = serializers.BooleanField()
    can_manage = serializers.BooleanField()
    history = AgreementEventSerializer(many=True, source="events")
    escalations = AgreementNoticeSerializer(many=True, source="notices")

    def to_representation(self, view: Any) -> dict[str, Any]:
        data = AgreementSerializer(view.agreement).data
        data.update(
            description=view.description,
            reason=view.reason,
            can_resolve=view.can_resolve,
            can_manage=view.can_manage,
            history=AgreementEventSerializer(view.events, many=True).data,
            escalations=AgreementNoticeSerializer(view.notices, many=True).data,
        )
        return data


class AgreementCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=services.agreements.MAX_DESCRIPTION)
    owner_organisation = serializers.UUIDField()
    owner = serializers.UUIDField(required=False, allow_null=True, default=None)
    due_date = serializers.DateField()
    origin = serializers.ChoiceField(
        choices=AgreementOrigin.choices, default=AgreementOrigin.AD_HOC
    )
    meeting = serializers.UUIDField(required=False, allow_null=True, default=None)


class AgreementUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(
        max_length=services.agreements.MAX_DESCRIPTION, required=False
    )
    owner_organisation = serializers.UUIDField(required=False)
    owner = serializers.UUIDField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, help_text="Moving it restarts the ladder.")


class AgreementResolveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (AgreementStatus.DONE, AgreementStatus.DONE.label),
            (AgreementStatus.NOT_POSSIBLE, AgreementStatus.NOT_POSSIBLE.label),
            (AgreementStatus.NOT_DONE, AgreementStatus.NOT_DONE.label),
        ]
    )
    reason = serializers.CharField(
        max_length=services.agreements.MAX_REASON,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for not possible and not done.",
    )


class AgreementReopenSerializer(serializers.Serializer):
    due_date = serializers.DateField()


def _organisation(case: Any, uuid: Any) -> Organisation:
    organisation = Organisation.objects.filter(uuid=uuid, region_id=case.region_id).first()
    if organisation is None:
        raise serializers.ValidationError(
            {"owner_organisation": [_("No such organisation in this region.")]}
        )
    return organisation


def _user(uuid: Any) -> User | None:
    if uuid is None:
        return None
    user = User.objects.filter(uuid=uuid, is_active=True).first()
    if user is None:
        raise serializers.ValidationError({"owner": [_("No such user.")]})
    return user


def _detail(request: Request, agreement_id: Any, code: int = 200) -> Response:
    agreement = access.access_agreement(actor_of(request), agreement_id)
    view = selectors.agreement_view(actor=actor_of(request), agreement=agreement)
    return Response(AgreementDetailSerializer(view).data, status=code)


class CaseAgreementListView(ActorAPIView):
    @extend_schema(
        responses=AgreementSerializer(many=True),
        summary="Agreements of a case that you may see (from level 1)",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        if case.access_level < AccessLevel.PROCESS:
            raise PermissionDenied
        rows = selectors.agreement_list(actor=self.actor, case=case)
        return Response(AgreementSerializer(rows, many=True).data)

    @extend_schema(
        request=AgreementCreateSerializer,
        responses={201: AgreementDetailSerializer},
        summary="Record an agreement (coordinators)",
    )
    def post(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_coordinator(self.actor, case)
        serializer = AgreementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agreement = services.agreement_create(
            actor=self.actor,
            case=case,
            description=data["description"],
            owner_organisation=_organisation(case, data["owner_organisation"]),
            owner=_user(data["owner"]),
            due_date=data["due_date"],
            origin=data["origin"],
            meeting_id=data["meeting"],
        )
        return _detail(request, agreement.pk, status.HTTP_201_CREATED)


class AgreementListView(ActorListAPIView):
    """Agreements you may see; ``mine=1``: your own organisations' (the owner's work list)."""

    serializer_class = AgreementSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "mine", OpenApiTypes.BOOL, description="Only your organisations' own."
            ),
            OpenApiParameter("status", OpenApiTypes.STR, enum=AgreementStatus.values),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        status_filter = params.get("status")
        if status_filter and status_filter not in AgreementStatus.values:
            raise serializers.ValidationError({"status": [_("Unknown status.")]})
        return selectors.agreement_list(
            actor=self.actor,
            mine=params.get("mine") in {"1", "true"},
            status=status_filter,
        )


class AgreementDetailView(ActorAPIView):
    @extend_schema(
        responses=AgreementDetailSerializer,
        summary="An agreement, with its history and escalations",
    )
    def get(self, request: Request, agreement_id: Any) -> Response:
        return _detail(request, agreement_id)

    @extend_schema(
        request=AgreementUpdateSerializer,
        responses=AgreementDetailSerializer,
        summary="Change an open agreement (coordinators)",
    )
    def patch(self, request: Request, agreement_id: Any) -> Response:
        agreement = access.access_agreement(self.actor, agreement_id, manage=True)
        serializer = AgreementUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "owner_organisation" in data:
            data["owner_organisation"] = _organisation(agreement.case, data["owner_organisation"])
        if "owner" in data:
            data["owner"] = _user(data["owner"])
        services.agreement_update(actor=self.actor, agreement=agreement, **data)
        return _detail(request, agreement_id)


class AgreementResolveView(ActorAPIView):
    @extend_schema(
        request=AgreementResolveSerializer,
        responses=AgreementDetailSerializer,
        summary="Mark an agreement done, not possible or not done (owner organisation, "
        "coordinators); stops its reminders and escalations",
    )
    def post(self, request: Request, agreement_id: Any) -> Response:
        agreement = access.access_agreement(self.actor, agreement_id, resolve=True)
        serializer = AgreementResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.agreement_resolve(
            actor=self.actor,
            agreement=agreement,
            **serializer.validated_data,
        )
        return _detail(request, agreement_id)


class AgreementReopenView(ActorAPIView):
    @extend_schema(
        request=AgreementReopenSerializer,
        responses=AgreementDetailSerializer,
        summary="Reopen a resolved agreement with a new due date (coordinators)",
    )
    def post(self, request: Request, agreement_id: Any) -> Response:
        agreement = access.access_agreement(self.actor, agreement_id, manage=True)
        serializer = AgreementReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.agreement_reopen(
            actor=self.actor,
            agreement=agreement,
            due_date=serializer.validated_data["due_date"],
        )
        return _detail(request, agreement_id)
