"""API of triage: the coordinators' queue."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access, selectors
from casework.models import (
    CaseStatus,
)
from mda.http import ActorAPIView


class TriageRowSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="case.id")
    reference = serializers.CharField(source="case.reference")
    region = serializers.CharField(source="case.region.slug")
    status = serializers.ChoiceField(source="case.status", choices=CaseStatus.choices)
    referred_at = serializers.DateTimeField(source="case.created_at")
    referring_organisation = serializers.CharField(source="case.referring_organisation.name")
    triage_due_on = serializers.DateField(source="due_on", allow_null=True)
    overdue = serializers.BooleanField()
    due_today = serializers.BooleanField()
    criteria = serializers.IntegerField(help_text="How many MDA++ criteria the referrer ticked.")
    repeat_of = serializers.CharField(
        source="case.repeat_of.reference", allow_null=True, default=None
    )
    known_in_region = serializers.IntegerField()
    known_in_other_region = serializers.BooleanField()


class TriageQueueSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    overdue = serializers.IntegerField()
    repeats_last_12_months = serializers.IntegerField()
    results = TriageRowSerializer(many=True)


class TriageQueueView(ActorAPIView):
    @extend_schema(
        responses=TriageQueueSerializer,
        summary="The triage queue (coordinators)",
        description="Referrals awaiting a decision in your regions, the most urgent "
        "first. A decision is due a configurable number of working days after the "
        "referral (default 5; weekends and Dutch public holidays excluded).",
    )
    def get(self, request: Request) -> Response:
        if not access.can_triage(self.actor):
            raise PermissionDenied
        rows = selectors.triage_queue(actor=self.actor)
        data = {
            "count": len(rows),
            "overdue": sum(r.overdue for r in rows),
            "repeats_last_12_months": selectors.repeats_in_last_year(actor=self.actor),
            "results": rows,
        }
        return Response(TriageQueueSerializer(data).data)
