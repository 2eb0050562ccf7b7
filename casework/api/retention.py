"""REST API of retention: when a case will be destroyed and its legal holds (level 1 and up read;
coordinators place and end holds), and the privacy officer's destruction records.

Errors: 400 with ``fields`` for wrong input; 403 when you see the case but may not do this; 404
when you may not see the case (a destroyed case included); 409 when the hold has already ended.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access
from casework.models import DestructionRecord, RetentionRule
from casework.selectors.retention import destruction_records, retention_view
from casework.services import retention
from mda.http import ActorAPIView, ActorListAPIView


class HoldSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="hold.id")
    until = serializers.DateField(source="hold.until")
    placed_at = serializers.DateTimeField(source="hold.placed_at")
    released_at = serializers.DateTimeField(source="hold.released_at", allow_null=True)
    active = serializers.BooleanField()
    reason = serializers.CharField(required=False, help_text="Coordinators only.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.reason is None:
            data.pop("reason", None)
        return data


class RetentionSerializer(serializers.Serializer):
    ended = serializers.BooleanField(help_text="False while the case runs: no date yet.")
    rule = serializers.ChoiceField(choices=RetentionRule.choices, allow_null=True)
    term_months = serializers.IntegerField(allow_null=True)
    destroy_on = serializers.DateField(
        allow_null=True, help_text="The day the case will be destroyed, unless a hold postpones."
    )
    held_until = serializers.DateField(allow_null=True)
    holds = HoldSerializer(many=True)


def _retention(view: Any) -> dict[str, Any]:
    plan = view.plan
    return {
        "ended": plan is not None,
        "rule": plan.rule if plan else None,
        "term_months": plan.term_months if plan else None,
        "destroy_on": plan.destroy_on if plan else None,
        "held_until": view.held_until,
        "holds": view.holds,
    }


class HoldInSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Encrypted; coordinators read it.")
    until = serializers.DateField()


class RetentionView(ActorAPIView):
    @extend_schema(
        responses=RetentionSerializer,
        summary="When the case will be destroyed, and its legal holds (level 1 and up)",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        view = retention_view(actor=self.actor, case=case)
        if view is None:
            raise PermissionDenied
        return Response(RetentionSerializer(_retention(view)).data)


class LegalHoldListView(ActorAPIView):
    @extend_schema(
        request=HoldInSerializer,
        responses={201: RetentionSerializer},
        summary="Place a legal hold that postpones destruction (coordinators)",
    )
    def post(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_coordinator(self.actor, case)
        serializer = HoldInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        retention.legal_hold_place(actor=self.actor, case=case, **serializer.validated_data)
        view = retention_view(actor=self.actor, case=case)
        return Response(RetentionSerializer(_retention(view)).data, status=status.HTTP_201_CREATED)


class LegalHoldReleaseView(ActorAPIView):
    @extend_schema(
        request=None,
        responses=RetentionSerializer,
        summary="End a legal hold before its date (coordinators)",
    )
    def post(self, request: Request, case_id: Any, hold_id: Any) -> Response:
        case = access.access_case(self.actor, case_id)
        access.require_coordinator(self.actor, case)
        retention.legal_hold_release(actor=self.actor, case=case, hold_id=hold_id)
        view = retention_view(actor=self.actor, case=case)
        return Response(RetentionSerializer(_retention(view)).data)


class DestructionRecordSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.slug")

    class Meta:
        model = DestructionRecord
        fields = [
            "reference",
            "region",
            "status",
            "rule",
            "term_months",
            "referred_at",
            "ended_at",
            "due_on",
            "held_until",
            "destroyed_at",
        ]


class DestructionRecordListView(ActorListAPIView):
    """Destroyed cases of the regions you supervise (privacy officers): tombstones only."""

    serializer_class = DestructionRecordSerializer

    def get_queryset(self):
        access.require_privacy_officer(self.actor)
        return destruction_records(actor=self.actor)
