"""API of notes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access, selectors, services
from casework.models import (
    NoteVisibility,
)
from mda.http import ActorAPIView


class NoteSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="note.id")
    author_organisation = serializers.CharField(source="note.author_organisation.name")
    author = serializers.CharField(source="note.author.get_full_name")
    visibility = serializers.CharField(source="note.visibility")
    created_at = serializers.DateTimeField(source="note.created_at")
    body = serializers.CharField()


class NoteCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    visibility = serializers.ChoiceField(
        choices=NoteVisibility.choices,
        required=False,
        help_text="Default: 'domain' for the justice domain, else 'participants'.",
    )


class NoteListView(ActorAPIView):
    @extend_schema(responses=NoteSerializer(many=True), summary="Notes you may read")
    def get(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id, write=True)
        notes = selectors.notes_for_case(actor=self.actor, case=case)
        return Response(NoteSerializer(notes, many=True).data)

    @extend_schema(
        request=NoteCreateSerializer,
        responses={201: NoteSerializer},
        summary="Add a note (access level 2)",
    )
    def post(self, request: Request, case_id: Any) -> Response:
        case = access.access_case(self.actor, case_id, write=True)
        serializer = NoteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.note_add(
            actor=self.actor,
            case=case,
            body=serializer.validated_data["body"],
            visibility=serializer.validated_data.get("visibility"),
        )
        out = selectors.NoteView(note=note, body=serializer.validated_data["body"].strip())
        return Response(NoteSerializer(out).data, status=status.HTTP_201_CREATED)
